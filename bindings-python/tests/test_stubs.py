"""The hand-written stubs (``_native.pyi``) match the extension: same names, same parameters
(positional or keyword-only), same defaults, same constants; and every runtime item is
documented."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import alipay_isv
from alipay_isv import _native as native

STUB = ast.parse((Path(native.__file__).parent / "_native.pyi").read_text(encoding="utf-8"))


def stub_functions() -> dict[str, ast.FunctionDef]:
    """Every function of the stub, by qualified name (``Class.method``; ``__init__`` as the
    class itself)."""
    found: dict[str, ast.FunctionDef] = {}
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                    found[f"{node.name}.{item.name}"] = item
                elif isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    found[node.name] = item
    return found


def stub_constants() -> dict[str, object]:
    """Every module-level ``NAME: Final = value`` of the stub (type aliases, ``NAME: TypeAlias =
    ...``, exist in the stub only)."""
    return {
        node.target.id: ast.literal_eval(node.value)
        for node in STUB.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.annotation, ast.Name)
        and node.annotation.id == "Final"
        and node.value is not None
    }


def stub_parameters(function: ast.FunctionDef) -> list[tuple[str, str, object]]:
    """(name, kind, default) of each parameter but ``self``."""
    positional = function.args.args
    defaults = [None] * (len(positional) - len(function.args.defaults)) + function.args.defaults
    pairs = [(arg, "POSITIONAL_OR_KEYWORD", d) for arg, d in zip(positional, defaults, strict=True)]
    pairs += [
        (arg, "KEYWORD_ONLY", d)
        for arg, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
    ]
    return [
        (arg.arg, kind, ast.literal_eval(d) if d is not None else inspect.Parameter.empty)
        for arg, kind, d in pairs
        if arg.arg != "self"
    ]


def runtime(qualified: str) -> object:
    target: object = native
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


FUNCTIONS = stub_functions()
CONSTANTS = stub_constants()


def test_every_runtime_name_is_in_the_stub_and_back() -> None:
    runtime_names = {name for name in dir(native) if not name.startswith("__")}
    stub_names = {
        node.name for node in STUB.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    } | set(CONSTANTS)
    assert runtime_names == stub_names


def test_stub_constants_have_the_runtime_values() -> None:
    assert CONSTANTS == {name: getattr(native, name) for name in CONSTANTS}
    assert CONSTANTS["SUCCESS_ACK"] == "success"
    assert CONSTANTS["DEFAULT_MAX_BODY_BYTES"] == 10 * 1024 * 1024


@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_stub_parameters_match_the_runtime(qualified: str) -> None:
    function = FUNCTIONS[qualified]
    target = runtime(qualified)
    if any(isinstance(d, ast.Name) and d.id == "property" for d in function.decorator_list):
        assert inspect.isdatadescriptor(target), f"{qualified} is not a property at runtime"
        return
    assert inspect.isroutine(target) or inspect.isclass(target), qualified
    signature = inspect.signature(target)  # type: ignore[arg-type]
    actual = [
        (p.name, p.kind.name, p.default) for p in signature.parameters.values() if p.name != "self"
    ]
    assert actual == stub_parameters(function)


@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_runtime_items_have_docstrings(qualified: str) -> None:
    assert (runtime(qualified).__doc__ or "").strip(), qualified


def test_the_package_exports_the_whole_native_module() -> None:
    public = {name for name in dir(native) if not name.startswith("_")}
    assert public <= set(alipay_isv.__all__)
    for name in public:
        assert getattr(alipay_isv, name) is getattr(native, name)
