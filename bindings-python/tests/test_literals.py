"""The ``Literal`` types of the stubs name exactly the closed sets the runtime takes and answers:
every value of each alias works at run time, the runtime's enums and error kinds are the same
sets, and a string outside a set is still a ``ConfigError`` that names the expected values (the
types narrow what a type checker accepts; they change nothing at run time)."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest

import alipay_isv
from alipay_isv import (
    ApplicationType,
    ConfigError,
    Emulator,
    IsvConfig,
    ResponseVerifier,
    Signer,
    UserScope,
    Verifier,
    app_auth_link,
    console_auth_link,
    errors,
    user_consent_link,
)
from alipay_isv import _native as native

from apps import ALIPAY_PUBLIC, APP_ID, APP_PRIVATE, APP_PUBLIC

STUB = ast.parse((Path(native.__file__).parent / "_native.pyi").read_text(encoding="utf-8"))
REDIRECT = "https://isv.example.com/alipay/callback"


def literal_values(node: ast.expr) -> list[str]:
    """The strings of a ``Literal[...]`` (or of a union of them, or of aliases of them)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return literal_values(node.left) + literal_values(node.right)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "Literal":
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return [ast.literal_eval(element) for element in elements]
    if isinstance(node, ast.Name):
        return alias(node.id)
    raise AssertionError(f"not a Literal: {ast.unparse(node)}")


def alias(name: str) -> list[str]:
    """The strings of the stub's ``name: TypeAlias = Literal[...]``."""
    for node in STUB.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
            and node.value is not None
        ):
            return literal_values(node.value)
    raise AssertionError(f"{name} is not a type alias of the stub")


def test_sign_types_and_charsets_work_and_others_are_config_errors() -> None:
    assert alias("SignType") == ["RSA2", "RSA"]
    assert alias("Charset") == ["UTF-8", "GBK"]
    for sign_type in alias("SignType"):
        for charset in alias("Charset"):
            for built in (
                Signer(APP_PRIVATE, sign_type, charset),  # type: ignore[arg-type]
                Verifier(APP_PUBLIC, sign_type, charset),  # type: ignore[arg-type]
                ResponseVerifier(ALIPAY_PUBLIC, sign_type=sign_type, charset=charset),  # type: ignore[arg-type]
                IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, sign_type=sign_type, charset=charset),  # type: ignore[arg-type]
            ):
                assert (built.sign_type, built.charset) == (sign_type, charset)
            # Case-insensitive at run time; answered in the alias's spelling.
            lower = Signer(APP_PRIVATE, sign_type.lower(), charset.lower())  # type: ignore[arg-type]
            assert (lower.sign_type, lower.charset) == (sign_type, charset)
    with pytest.raises(ConfigError, match="RSA2 or RSA"):
        Signer(APP_PRIVATE, "RSA3")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="UTF-8 or GBK"):
        IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, charset="latin-1")  # type: ignore[arg-type]


def test_application_types_and_scopes_are_the_enums() -> None:
    assert alias("ApplicationTypeName") == [member.value for member in ApplicationType]
    assert alias("UserScopeName") == [member.value for member in UserScope]
    for name in alias("ApplicationTypeName"):
        assert (
            f"application_type={name}"
            in app_auth_link(
                APP_ID,
                REDIRECT,
                application_types=name,  # type: ignore[arg-type]
            ).url
        )
        console_auth_link(APP_ID, REDIRECT, [name, ApplicationType.WEBAPP])  # type: ignore[list-item]
    for scope in alias("UserScopeName"):
        assert scope in user_consent_link(APP_ID, REDIRECT, scope).url  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="TINYAPP"):
        app_auth_link(APP_ID, REDIRECT, application_types="PHONEAPP")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="auth_user"):
        user_consent_link(APP_ID, REDIRECT, "auth_everything")  # type: ignore[arg-type]


def test_v3_methods_are_answered_upper_case() -> None:
    config = IsvConfig(APP_ID, APP_PRIVATE, ALIPAY_PUBLIC, gateway="sandbox")
    for method in alias("V3Method"):
        prepared = config.prepare_v3(method.lower(), "/v3/alipay/open/x")  # type: ignore[arg-type]
        assert prepared.method == method


def test_error_kinds_and_metric_outcomes_are_the_exception_kinds() -> None:
    kinds = typing.get_args(errors.ErrorKind)
    classes = [errors.AlipayError, *(getattr(errors, name) for name in errors.__all__)]
    assert sorted(kinds) == sorted({cls.kind for cls in classes})
    assert sorted(alias("MetricOutcome")) == sorted({"success", *kinds} - {"internal"})


def test_every_test_error_kind_raises_an_alipay_error() -> None:
    function = next(
        node
        for node in STUB.body
        if isinstance(node, ast.FunctionDef) and node.name == "_error_for_tests"
    )
    annotation = function.args.args[0].annotation
    assert annotation is not None
    for kind in literal_values(annotation):
        with pytest.raises(alipay_isv.AlipayError) as raised:
            native._error_for_tests(kind)  # type: ignore[arg-type]
        assert raised.value.kind in typing.get_args(errors.ErrorKind)


def test_every_fault_kind_is_accepted_and_others_are_config_errors() -> None:
    arguments: dict[str, dict[str, float]] = {
        "delay": {"delay": 0.01},
        "trickle": {"pause": 0.01},
        "oversized": {"size": 1024},
    }
    with Emulator(APP_ID, APP_PUBLIC) as emulator:
        for kind in alias("FaultKind"):
            emulator.set_fault(kind, times=1, **arguments.get(kind, {}))  # type: ignore[arg-type]
            emulator.set_fault(None)
        with pytest.raises(ConfigError, match="delay"):
            emulator.set_fault("meteor")  # type: ignore[arg-type]


def test_push_forms_and_metric_kinds_are_closed() -> None:
    assert alias("PushForm")[-2:] == ["classic", "mixed"]
    with pytest.raises(ConfigError):
        Emulator(APP_ID, APP_PUBLIC, push_form="v3")  # type: ignore[arg-type]
    assert alias("MetricKind") == ["call", "notification", "refresh", "revocation"]
    for sample in alipay_isv.metrics_snapshot():
        assert sample["kind"] in alias("MetricKind")
        assert sample["outcome"] in alias("MetricOutcome")
