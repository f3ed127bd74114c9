"""The hand-written stubs (``_native.pyi``) match the extension: same names, same parameters,
same defaults; and every runtime item is documented."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

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


def stub_parameters(function: ast.FunctionDef) -> list[tuple[str, object]]:
    args = function.args.args
    defaults = [None] * (len(args) - len(function.args.defaults)) + function.args.defaults
    return [
        (arg.arg, ast.literal_eval(default) if default is not None else inspect.Parameter.empty)
        for arg, default in zip(args, defaults)
        if arg.arg != "self"
    ]


def runtime(qualified: str) -> object:
    target: object = native
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


FUNCTIONS = stub_functions()


def test_every_runtime_name_is_in_the_stub_and_back() -> None:
    runtime_names = {name for name in dir(native) if not name.startswith("__")}
    stub_names = {
        node.name for node in STUB.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }
    assert runtime_names == stub_names


@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_stub_parameters_match_the_runtime(qualified: str) -> None:
    function = FUNCTIONS[qualified]
    target = runtime(qualified)
    if any(isinstance(d, ast.Name) and d.id == "property" for d in function.decorator_list):
        assert isinstance(target, property) or hasattr(target, "__get__")
        return
    signature = inspect.signature(target)  # type: ignore[arg-type]
    actual = [(p.name, p.default) for p in signature.parameters.values() if p.name != "self"]
    assert actual == stub_parameters(function)


@pytest.mark.parametrize("qualified", sorted(FUNCTIONS))
def test_runtime_items_have_docstrings(qualified: str) -> None:
    assert (runtime(qualified).__doc__ or "").strip(), qualified
