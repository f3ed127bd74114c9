"""The hand-written stubs (``_native.pyi``) match the extension: same names, same parameters
(positional or keyword-only), same defaults, same constants; and every runtime item is
documented, with the stub's docstring (``scripts/sync-python-docs.py`` copies the stub's
docstrings into the Rust doc comments pyo3 builds ``__doc__`` from)."""

from __future__ import annotations

import ast
import inspect
import re
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


def stub_docstrings() -> dict[str, str | None]:
    """The docstring of every class, function, method, staticmethod and property of the stub
    that exists at runtime, by qualified name. Dunder methods are left out, ``__init__`` too:
    pyo3 documents a constructor by its class's docstring only, so a class's runtime docstring
    is the stub's class docstring followed by its ``__init__``'s (``help(Class)`` shows the
    constructor's arguments); the script also copies the ``__init__`` docstring onto the
    ``#[new]`` fn, for readers of the Rust."""
    found: dict[str, str | None] = {}
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = ast.get_docstring(node)
        if isinstance(node, ast.ClassDef):
            own = ast.get_docstring(node)
            init = next(
                (
                    ast.get_docstring(item)
                    for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__"
                ),
                None,
            )
            found[node.name] = f"{own}\n\n{init}" if own and init else own
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                    found[f"{node.name}.{item.name}"] = ast.get_docstring(item)
    return {name: doc for name, doc in found.items() if exists_at_runtime(name)}


def exists_at_runtime(qualified: str) -> bool:
    try:
        runtime(qualified)
    except AttributeError:
        return False
    return True


# What CPython shows of a builtin's text signature when it does not strip it from ``__doc__``:
# ``name(params)`` (``$self``/``$type`` first for methods), a ``--`` line and a blank line.
TEXT_SIGNATURE = re.compile(r"\A[\w.]+\([^\n]*\)\n--\n\n")


def without_text_signature(doc: str) -> str:
    return inspect.cleandoc(TEXT_SIGNATURE.sub("", doc, count=1))


def runtime_docstring(qualified: str) -> str:
    return without_text_signature(runtime(qualified).__doc__ or "")


FUNCTIONS = stub_functions()
CONSTANTS = stub_constants()
DOCSTRINGS = stub_docstrings()


def is_typed_dict(node: ast.ClassDef) -> bool:
    """A ``TypedDict`` of the stub is the shape of a plain ``dict``: no runtime class."""
    return any(ast.unparse(base) == "TypedDict" for base in node.bases)


def test_every_runtime_name_is_in_the_stub_and_back() -> None:
    runtime_names = {name for name in dir(native) if not name.startswith("__")}
    stub_names = {
        node.name
        for node in STUB.body
        if isinstance(node, ast.FunctionDef)
        or (isinstance(node, ast.ClassDef) and not is_typed_dict(node))
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


def test_every_documented_stub_item_is_checked() -> None:
    assert len(DOCSTRINGS) > 250
    assert {"PrivateKey", "PrivateKey.from_der", "PrivateKey.bits", "KeyPair.private_key"} <= set(
        DOCSTRINGS
    )


def test_a_text_signature_header_is_not_part_of_the_docstring() -> None:
    assert without_text_signature('Signer(private_key, sign_type="RSA2")\n--\n\nSigns.') == "Signs."
    assert without_text_signature("sign($self, /, content)\n--\n\nSigns.\n\nRaises: x") == (
        "Signs.\n\nRaises: x"
    )
    assert without_text_signature("Signs.\n\nRaises: x") == "Signs.\n\nRaises: x"


@pytest.mark.parametrize("qualified", sorted(DOCSTRINGS))
def test_runtime_docstrings_are_the_stub_docstrings(qualified: str) -> None:
    stub = DOCSTRINGS[qualified]
    assert stub, f"{qualified} has no docstring in _native.pyi"
    assert runtime_docstring(qualified) == inspect.cleandoc(stub), (
        f"help({qualified}) differs from _native.pyi: run `python3 scripts/sync-python-docs.py`, "
        "then rebuild the extension"
    )


def test_the_package_exports_the_whole_native_module() -> None:
    public = {name for name in dir(native) if not name.startswith("_")}
    assert public <= set(alipay_isv.__all__)
    for name in public:
        assert getattr(alipay_isv, name) is getattr(native, name)


def test_the_package_version_is_the_crates_version() -> None:
    cargo = (Path(__file__).resolve().parents[2] / "Cargo.toml").read_text(encoding="utf-8")
    section = cargo.split("[workspace.package]", 1)[1]
    expected = section.split('version = "', 1)[1].split('"', 1)[0]
    assert alipay_isv.__version__ == expected


@pytest.mark.parametrize("public", ["Client", "Registry"])
def test_aio_help_shows_the_blocking_twins_docs(public: str) -> None:
    """No one-line "see the blocking method" docs: every coroutine and property of the asyncio
    forms is documented in full, its blocking twin's docstring following its own line."""
    from alipay_isv import aio

    cls = getattr(aio, public)
    blocking = getattr(native, public)
    checked = 0
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        doc = inspect.getdoc(member) or ""
        assert doc.strip(), f"aio.{public}.{name} has no docstring"
        if f"alipay_isv.{public}.{name}`" in doc:  # documented as the twin's asyncio form
            twin_doc = without_text_signature(getattr(blocking, name).__doc__ or "")
            assert twin_doc, f"{public}.{name} has no docstring"
            assert twin_doc in doc, f"help(aio.{public}.{name}) lacks the docs of {public}.{name}"
            checked += 1
    assert checked > 20
