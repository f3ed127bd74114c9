#!/usr/bin/env python3
"""Copies the docstrings of the Python stubs into the Rust doc comments of the pyo3 binding.

``bindings-python/python/alipay_isv/_native.pyi`` is the one source of the Python-facing
documentation. pyo3 turns a Rust item's ``///`` comments into its runtime ``__doc__``, so this
script rewrites, for every documented item of the stub, the ``///`` block of the matching Rust
item in ``bindings-python/src`` to the stub's docstring (``inspect.cleandoc``-ed): ``help()`` at
runtime then shows what the stub says. ``bindings-python/tests/test_stubs.py`` checks that they
agree.

Matched items:

- a stub class: the ``#[pyclass]`` struct of that Python name (its ``name = "..."``, else the
  struct's name); the class docstring goes on the struct, followed by its ``__init__``'s (pyo3
  shows a constructor's documentation only through the class's ``__doc__``, so ``help(Class)``
  then shows the constructor's arguments and errors too: see :func:`class_doc`);
- its ``__init__``: the ``#[new]`` fn of the class's ``#[pymethods]`` (its own docstring, for
  readers of the Rust);
- its methods, static methods and properties: the fns of its ``#[pymethods]`` blocks by their
  Python name (``#[pyo3(name = "...")]``, ``#[getter]`` / ``#[getter(name)]``,
  ``#[staticmethod]``), or, for a property, a struct field with ``#[pyo3(get)]``;
- a module-level function: the ``#[pyfunction]`` fn of that Python name.

Dunder methods other than ``__init__``, type aliases, ``TypedDict`` classes (the shapes of
plain dicts) and constants are skipped. Only ``///``
lines change. Items of the stub with no Rust counterpart (or the reverse) and stub items without
a docstring are reported and make the script exit 1.

Usage: ``python3 scripts/sync-python-docs.py [--check]``; ``--check`` writes nothing and exits 1
when a Rust doc comment differs from the stub.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "bindings-python" / "python" / "alipay_isv" / "_native.pyi"
SOURCES = ROOT / "bindings-python" / "src"


# ---------------------------------------------------------------------------------------------
# The stub
# ---------------------------------------------------------------------------------------------


@dataclass
class StubItem:
    qualified: str  # "function", "Class", "Class.__init__", "Class.member"
    kind: str  # "function", "class", "__init__", "method", "staticmethod", "property"
    doc: str | None  # cleaned docstring
    line: int


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def docstring(node: ast.AST) -> str | None:
    """The node's docstring, cleaned as ``inspect.cleandoc`` (and so ``help()``) does."""
    raw = ast.get_docstring(node, clean=False)  # type: ignore[arg-type]
    return None if raw is None else inspect.cleandoc(raw)


def is_typed_dict(node: ast.ClassDef) -> bool:
    """Whether the stub class is a ``TypedDict``: the shape of a plain ``dict`` the extension
    returns, with no class of its own at run time."""
    return any(ast.unparse(base) in {"TypedDict", "typing.TypedDict"} for base in node.bases)


def class_doc(class_docstring: str, init_docstring: str | None) -> str:
    """The runtime ``__doc__`` of a class: its docstring, then its constructor's (both cleaned).
    ``bindings-python/tests/test_stubs.py`` builds the same."""
    if not init_docstring:
        return class_docstring
    return f"{class_docstring}\n\n{init_docstring}"


def decorator_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    return {ast.unparse(d) for d in function.decorator_list}


def stub_items(path: Path) -> dict[str, StubItem]:
    """Every function, class, ``__init__``, method, staticmethod and property of the stub."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    items: dict[str, StubItem] = {}

    def add(item: StubItem) -> None:
        if item.qualified in items:
            sys.exit(f"{path}:{item.line}: {item.qualified} is defined twice in the stub")
        items[item.qualified] = item

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            add(StubItem(node.name, "function", docstring(node), node.lineno))
        elif isinstance(node, ast.ClassDef):
            if is_typed_dict(node):
                continue  # a typing helper of the stub only: plain dicts at run time
            add(StubItem(node.name, "class", docstring(node), node.lineno))
            for member in node.body:
                if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                decorators = decorator_names(member)
                if any(d.endswith((".setter", ".deleter")) for d in decorators):
                    continue  # the property's doc is the getter's
                if member.name == "__init__":
                    kind = "__init__"
                elif is_dunder(member.name):
                    continue
                elif "property" in decorators:
                    kind = "property"
                elif "staticmethod" in decorators:
                    kind = "staticmethod"
                else:
                    kind = "method"
                qualified = f"{node.name}.{member.name}"
                add(StubItem(qualified, kind, docstring(member), member.lineno))
    return items


# ---------------------------------------------------------------------------------------------
# The Rust sources
# ---------------------------------------------------------------------------------------------

CHAR_LITERAL = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]+\}|.)|[^\\'\n])'")
RAW_STRING_START = re.compile(r"b?r(#*)\"")


def code_lines(lines: list[str]) -> list[str]:
    """Each line with comments removed and the contents of string and char literals blanked
    (quotes kept), so that brackets can be counted."""
    out: list[str] = []
    block_depth = 0  # nesting of /* */
    string_end: str | None = None  # '"' or '"##…' while inside a (raw) string
    for line in lines:
        code: list[str] = []
        i = 0
        n = len(line)
        while i < n:
            if block_depth:
                if line.startswith("/*", i):
                    block_depth += 1
                    i += 2
                elif line.startswith("*/", i):
                    block_depth -= 1
                    i += 2
                else:
                    i += 1
                continue
            if string_end is not None:
                if string_end == '"' and line[i] == "\\":
                    i += 2
                    continue
                if line.startswith(string_end, i):
                    code.append('"')
                    i += len(string_end)
                    string_end = None
                else:
                    i += 1
                continue
            c = line[i]
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                block_depth = 1
                i += 2
                continue
            raw = RAW_STRING_START.match(line, i)
            if raw and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
                code.append('"')
                string_end = '"' + raw.group(1)
                i = raw.end()
                continue
            if c == '"':
                code.append('"')
                string_end = '"'
                i += 1
                continue
            if c == "'":
                char = CHAR_LITERAL.match(line, i)
                if char:
                    code.append("' '")
                    i = char.end()
                    continue
            code.append(c)
            i += 1
        out.append("".join(code))
    return out


def split_top_level(text: str) -> list[str]:
    """Splits attribute arguments on the commas outside brackets and strings."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    in_string = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_string:
            current.append(c)
            if c == "\\":
                current.append(text[i + 1 : i + 2])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            current.append(c)
        elif c in "([{":
            depth += 1
            current.append(c)
        elif c in ")]}":
            depth -= 1
            current.append(c)
        elif c == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


ATTRIBUTE = re.compile(r"^#\[\s*([\w:]+)\s*(?:\((.*)\))?\s*\]$", re.DOTALL)
NAME_ARG = re.compile(r'^name\s*=\s*"((?:[^"\\]|\\.)*)"$')


@dataclass
class Attribute:
    path: str  # "pyclass", "pyo3", "getter", …
    args: list[str]

    def name_argument(self) -> str | None:
        for arg in self.args:
            match = NAME_ARG.match(arg)
            if match:
                return match.group(1)
        return None


def parse_attribute(text: str) -> Attribute | None:
    match = ATTRIBUTE.match(" ".join(part.strip() for part in text.splitlines()).strip())
    if not match:
        return None
    path = match.group(1).rsplit("::", 1)[-1]
    return Attribute(path, split_top_level(match.group(2) or ""))


@dataclass
class RustItem:
    path: Path
    qualified: str  # the Python name, as in the stub
    kind: str
    doc_lines: list[int]  # indices of its `///` lines
    insert_at: int  # where its doc block starts (index of the first preamble line)
    indent: str
    line: int  # 1-based line of the item itself
    skip_reason: str | None = None


@dataclass
class Context:
    kind: str  # "impl" or "struct"
    rust_name: str  # the Rust type
    python_class: str | None  # for a struct
    inner_depth: int
    get_all: bool = False


@dataclass
class RustFile:
    path: Path
    lines: list[str]
    items: list[RustItem] = field(default_factory=list)


STRUCT = re.compile(r"^(?:pub(?:\([^)]*\))?\s+)?struct\s+(\w+)")
IMPL = re.compile(r"^impl(?:\s*<[^{]*?>)?\s+(?:[\w:]+::)?(\w+)")
FN = re.compile(
    r"^(?:pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern\s+\"\w+\")\s+)*fn\s+(\w+)"
)
FIELD = re.compile(r"^(?:pub(?:\([^)]*\))?\s+)?(?:r#)?(\w+)\s*:")


def scan(path: Path) -> tuple[RustFile, list[tuple[RustItem, str]]]:
    """The pyo3 items of one file; methods carry their Rust type's name until resolved."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    code = code_lines(lines)
    depth_before: list[int] = []
    depth = 0
    for line in code:
        depth_before.append(depth)
        depth += line.count("{") - line.count("}")

    rust_file = RustFile(path, lines)
    methods: list[tuple[RustItem, str]] = []  # (item with a method name, Rust type)
    contexts: list[Context] = []
    preamble_start: int | None = None
    doc_lines: list[int] = []
    attributes: list[Attribute] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        while contexts and depth_before[i] < contexts[-1].inner_depth:
            contexts.pop()
        comment_only = bool(stripped) and not code[i].strip()
        if comment_only and stripped.startswith("///") and not stripped.startswith("////"):
            if preamble_start is None:
                preamble_start = i
            doc_lines.append(i)
            i += 1
            continue
        if stripped.startswith("#["):
            if preamble_start is None:
                preamble_start = i
            # An attribute ends where its brackets balance.
            start = i
            balance = 0
            while True:
                balance += code[i].count("[") - code[i].count("]")
                if balance <= 0 or i + 1 >= len(lines):
                    break
                i += 1
            attribute = parse_attribute("\n".join(lines[start : i + 1]).strip())
            if attribute is not None:
                attributes.append(attribute)
            i += 1
            continue
        if comment_only:
            i += 1  # a plain comment between doc comments and attributes keeps them together
            continue
        if not stripped or stripped.startswith("#!["):
            preamble_start, doc_lines, attributes = None, [], []
            i += 1
            continue

        # An item (or any other code): the preamble gathered above belongs to it.
        header = stripped
        paths = {a.path for a in attributes}
        enclosing = (
            contexts[-1] if contexts and depth_before[i] == contexts[-1].inner_depth else None
        )
        start = preamble_start if preamble_start is not None else i
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        opens_block = "{" in code[i]
        # The doc lines, where the doc block starts, its indentation, the item's line.
        placement = (list(doc_lines), start, indent, i + 1)

        struct = STRUCT.match(header)
        impl = IMPL.match(header)
        fn = FN.match(header)
        fld = FIELD.match(header)
        if struct and "pyclass" in paths:
            pyclass = next(a for a in attributes if a.path == "pyclass")
            python_name = pyclass.name_argument() or struct.group(1)
            rust_file.items.append(RustItem(path, python_name, "class", *placement))
            methods.append((rust_file.items[-1], struct.group(1)))  # records Rust -> Python
            if opens_block:
                get_all = "get_all" in pyclass.args
                contexts.append(
                    Context("struct", struct.group(1), python_name, depth_before[i] + 1, get_all)
                )
        elif impl and "pymethods" in paths:
            contexts.append(Context("impl", impl.group(1), None, depth_before[i] + 1))
        elif fn and enclosing is not None and enclosing.kind == "impl":
            name = fn.group(1)
            by_path = {a.path: a for a in attributes}
            pyo3_name = next(
                (n for a in attributes if a.path == "pyo3" and (n := a.name_argument())), None
            )
            if "new" in by_path:
                python_name, kind = "__init__", "__init__"
            elif "setter" in by_path:
                python_name, kind = "", "setter"
            elif "getter" in by_path:
                getter = by_path["getter"]
                explicit = getter.args[0] if getter.args and "=" not in getter.args[0] else None
                python_name = pyo3_name or explicit or name.removeprefix("get_")
                kind = "property"
            elif "staticmethod" in by_path:
                python_name, kind = pyo3_name or name, "staticmethod"
            elif "classmethod" in by_path:
                python_name, kind = pyo3_name or name, "classmethod"
            elif "classattr" in by_path:
                python_name, kind = pyo3_name or name, "classattr"
            else:
                python_name, kind = pyo3_name or name, "method"
            if kind != "setter" and (python_name == "__init__" or not is_dunder(python_name)):
                methods.append((RustItem(path, python_name, kind, *placement), enclosing.rust_name))
        elif fn and "pyfunction" in paths:
            pyo3_name = next(
                (n for a in attributes if a.path == "pyo3" and (n := a.name_argument())), None
            )
            rust_file.items.append(RustItem(path, pyo3_name or fn.group(1), "function", *placement))
        elif fld and enclosing is not None and enclosing.kind == "struct":
            pyo3_attrs = [a for a in attributes if a.path == "pyo3"]
            if enclosing.get_all or any("get" in a.args for a in pyo3_attrs):
                python_name = next((n for a in pyo3_attrs if (n := a.name_argument())), None)
                member = python_name or fld.group(1)
                if not is_dunder(member):
                    qualified = f"{enclosing.python_class}.{member}"
                    rust_file.items.append(RustItem(path, qualified, "property", *placement))
        preamble_start, doc_lines, attributes = None, [], []
        i += 1
    return rust_file, methods


def rust_items() -> tuple[list[RustFile], dict[str, list[RustItem]]]:
    files: list[RustFile] = []
    pending: list[tuple[RustItem, str]] = []
    for path in sorted(SOURCES.rglob("*.rs")):
        rust_file, methods = scan(path)
        files.append(rust_file)
        pending += methods
    # Rust struct name -> Python class name.
    classes: dict[str, list[str]] = {}
    for item, rust_name in pending:
        if item.kind == "class":
            classes.setdefault(rust_name, []).append(item.qualified)
    by_file = {f.path: f for f in files}
    for item, rust_name in pending:
        if item.kind == "class":
            continue
        python_classes = classes.get(rust_name, [])
        if len(python_classes) == 1:
            item.qualified = f"{python_classes[0]}.{item.qualified}"
        else:
            why = "no" if not python_classes else "several"
            item.skip_reason = f"#[pymethods] impl {rust_name}: {why} #[pyclass] struct {rust_name}"
            item.qualified = f"{rust_name}.{item.qualified}"
        by_file[item.path].items.append(item)
    by_name: dict[str, list[RustItem]] = {}
    for rust_file in files:
        for item in rust_file.items:
            by_name.setdefault(item.qualified, []).append(item)
    return files, by_name


# ---------------------------------------------------------------------------------------------
# Synchronising
# ---------------------------------------------------------------------------------------------


def doc_comment(doc: str, indent: str) -> list[str]:
    return [f"{indent}///" if not line else f"{indent}/// {line}" for line in doc.split("\n")]


def current_doc(rust_file: RustFile, item: RustItem) -> str:
    texts = []
    for index in item.doc_lines:
        text = rust_file.lines[index].lstrip()[3:]
        texts.append(text[1:] if text.startswith(" ") else text)
    return "\n".join(texts)


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a Rust doc is stale"
    )
    check = parser.parse_args().check

    stub = stub_items(STUB)
    files, by_name = rust_items()
    problems: list[str] = []
    stale: list[str] = []
    synchronised = 0
    # file -> [(item, its new doc comment lines)]
    edits: dict[Path, list[tuple[RustItem, list[str]]]] = {}

    for name, item in stub.items():
        candidates = [c for c in by_name.get(name, []) if c.skip_reason is None]
        where = f"{relative(STUB)}:{item.line}"
        if not candidates:
            problems.append(f"{where}: {name} ({item.kind}) has no matching item in the Rust")
            continue
        if len(candidates) > 1:
            found = ", ".join(f"{relative(c.path)}:{c.line}" for c in candidates)
            problems.append(f"{where}: {name} matches several Rust items: {found}")
            continue
        target = candidates[0]
        if not item.doc:
            problems.append(f"{where}: {name} ({item.kind}) has no docstring in the stub")
            continue
        expected_kinds = {
            "class": {"class"},
            "function": {"function"},
            "__init__": {"__init__"},
            "property": {"property"},
            "staticmethod": {"staticmethod"},
            "method": {"method", "classmethod"},
        }[item.kind]
        if target.kind not in expected_kinds:
            problems.append(
                f"{where}: {name} is a {item.kind} in the stub but a {target.kind} in "
                f"{relative(target.path)}:{target.line}"
            )
            continue
        synchronised += 1
        doc = item.doc
        if item.kind == "class":
            init = stub.get(f"{name}.__init__")
            doc = class_doc(item.doc, init.doc if init is not None else None)
        rust_file = next(f for f in files if f.path == target.path)
        if current_doc(rust_file, target) != doc:
            stale.append(f"{relative(target.path)}:{target.line}: {name}")
            edits.setdefault(target.path, []).append((target, doc_comment(doc, target.indent)))

    for name, candidates in sorted(by_name.items()):
        for candidate in candidates:
            where = f"{relative(candidate.path)}:{candidate.line}"
            if candidate.skip_reason is not None:
                problems.append(f"{where}: {name}: {candidate.skip_reason}")
            elif candidate.kind == "classattr":
                continue  # a class attribute (not documented at runtime)
            elif name not in stub:
                problems.append(f"{where}: {name} ({candidate.kind}) is not in {relative(STUB)}")

    if check:
        for line in stale:
            print(f"stale doc comment: {line}", file=sys.stderr)
        if stale:
            print(
                f"{len(stale)} Rust doc comment(s) differ from the docstrings of "
                f"{relative(STUB)}: run python3 scripts/sync-python-docs.py",
                file=sys.stderr,
            )
    else:
        for path, changes in edits.items():
            rust_file = next(f for f in files if f.path == path)
            drop = {index for item, _ in changes for index in item.doc_lines}
            insert = {item.insert_at: new for item, new in changes}
            out: list[str] = []
            for index, line in enumerate(rust_file.lines):
                if index in insert:
                    out += insert[index]
                if index not in drop:
                    out.append(line)
            path.write_text("\n".join(out), encoding="utf-8")
        for line in stale:
            print(f"updated: {line}")
    for problem in problems:
        print(f"unmatched: {problem}", file=sys.stderr)
    print(
        f"{synchronised} item(s) of the stub matched, {len(stale)} "
        f"{'stale' if check else 'rewritten'}, {len(problems)} problem(s)",
        file=sys.stderr,
    )
    return 1 if problems or (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
