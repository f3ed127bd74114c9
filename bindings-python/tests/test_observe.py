"""Mirrors core ``observe``: the events of a full flow against the emulator reach Python's
``logging`` — merchant authorisation, a used code, a query, the authorisation push and a tampered
twin, a registry refresh, delegated calls (one retried after a reset), the cancellation and the
revocation it causes. Each record is at the level its outcome says, on the logger of its kind,
with the fields its kind promises in ``record.alipay`` (Alipay's trace id included), and no token,
refresh token or code appears in any message or field. The counters agree, as Prometheus text."""

from __future__ import annotations

import logging

import pytest

from alipay_isv import (
    ApiError,
    Registry,
    RetryPolicy,
    SignatureError,
    app_auth_link,
    metrics_snapshot,
    parse_app_auth_callback,
    prometheus_metrics,
)

from emulated import APP_ID, CALLBACK, SUCCEEDING_METHOD, emulated

EXPECTED = {
    "call": {"app_id", "method", "outcome", "latency_ms", "retries"},
    "notification": {"outcome", "latency_ms"},
    "refresh": {"app_id", "auth_app_id", "method", "outcome", "latency_ms"},
    "revocation": {"auth_app_id", "method", "outcome", "latency_ms"},
}


def test_a_full_flow_is_logged_with_every_field_and_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="alipay_isv")
    secrets: list[str] = []
    with emulated() as setup:
        client, emulator = setup.client, setup.emulator
        link = app_auth_link(APP_ID, CALLBACK, host=emulator.base_url)
        callback = parse_app_auth_callback(
            emulator.merchant_authorizes(link.url), APP_ID, link.state
        )
        secrets.append(callback.app_auth_code)
        (token,) = client.exchange_app_auth_code(callback.app_auth_code)
        secrets += [token.app_auth_token, token.app_refresh_token or ""]
        with pytest.raises(ApiError):
            client.exchange_app_auth_code(callback.app_auth_code)
        client.query_app_auth_token(token.app_auth_token)

        verifier = setup.config.notification_verifier()
        body = setup.gateway.wait_for(1)[0]
        notification = verifier.verify_body(body)
        with pytest.raises(SignatureError):
            verifier.verify_body(body.replace(b"notify_id=", b"notify_id=0", 1))

        registry = Registry.in_memory(client=client, refresh_margin=400 * 24 * 3600.0)
        registry.ingest_notification(notification)
        fresh = registry.token_for(token.auth_app_id)
        record = registry.get(token.auth_app_id)
        assert record is not None
        secrets += [fresh, record.app_refresh_token or ""]
        calls = Registry.in_memory(client=client)
        calls.ingest_notification(notification)
        calls.execute_for(token.auth_app_id, SUCCEEDING_METHOD, {})
        emulator.set_fault("reset", times=1)
        calls.execute_for(
            token.auth_app_id,
            SUCCEEDING_METHOD,
            {},
            retry=RetryPolicy(attempts=3, backoff=0.01, idempotent=True),
        )

        emulator.revoke(token.auth_app_id)
        cancelled = verifier.verify_body(setup.gateway.wait_for(2)[1])
        calls.ingest_notification(cancelled)

    records = [r for r in caplog.records if r.name.startswith("alipay_isv.")]
    by_kind: dict[str, list[logging.LogRecord]] = {}
    for record in records:
        fields = record.alipay  # type: ignore[attr-defined]
        assert record.name == f"alipay_isv.{fields['kind']}"
        success = fields["outcome"] == "success"
        assert record.levelno == (logging.INFO if success else logging.WARNING)
        assert EXPECTED[fields["kind"]] <= set(fields), (record.getMessage(), fields)
        shown = record.getMessage() + repr(fields)
        for secret in filter(None, secrets):
            assert secret not in shown, shown
        by_kind.setdefault(fields["kind"], []).append(record)

    def find(kind: str, method: str | None, outcome: str) -> list[dict[str, object]]:
        return [
            r.alipay  # type: ignore[attr-defined]
            for r in by_kind.get(kind, [])
            if r.alipay.get("method") == method and r.alipay["outcome"] == outcome  # type: ignore[attr-defined]
        ]

    exchanges = find("call", "alipay.open.auth.token.app", "success")
    assert len(exchanges) == 2, exchanges  # the exchange and the registry's refresh
    assert all(str(e["trace_id"]).startswith("7f000001") for e in exchanges)
    assert all(e["code"] == "10000" and e["app_id"] == APP_ID for e in exchanges)
    (used,) = find("call", "alipay.open.auth.token.app", "api")
    assert (used["code"], used["sub_code"]) == ("40002", "isv.code-invalid")
    assert used["reason"]
    delegated = find("call", SUCCEEDING_METHOD, "success")
    assert [d["auth_app_id"] for d in delegated] == [token.auth_app_id] * 2
    assert delegated[1]["retries"] == 1
    (reset,) = find("call", SUCCEEDING_METHOD, "transport")
    assert reset["retries"] == 0
    (pushed,) = find("notification", "open_app_auth_notify", "success")
    assert pushed["auth_app_id"] == token.auth_app_id
    assert pushed["notify_id"] and pushed["signed_form"]
    (refused,) = find("notification", None, "signature")
    assert "notify_id" not in refused
    assert find("notification", "alipay.open.auth.appauth.cancelled", "success")
    (refresh,) = find("refresh", "alipay.open.auth.token.app", "success")
    assert refresh["auth_app_id"] == token.auth_app_id
    (revocation,) = find("revocation", "alipay.open.auth.appauth.cancelled", "success")
    assert revocation["auth_app_id"] == token.auth_app_id

    samples = {(s["kind"], s["method"], s["outcome"]): s for s in metrics_snapshot()}
    assert samples[("refresh", "alipay.open.auth.token.app", "success")]["count"] >= 1
    assert samples[("call", SUCCEEDING_METHOD, "transport")]["latency_seconds_total"] >= 0
    text = prometheus_metrics()
    assert "# TYPE alipay_isv_calls_total counter" in text
    assert f'alipay_isv_calls_total{{method="{SUCCEEDING_METHOD}",outcome="success"}}' in text


def test_nothing_is_logged_when_the_logger_is_off(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("alipay_isv").setLevel(logging.ERROR)
    try:
        with emulated() as setup:
            setup.client.execute(SUCCEEDING_METHOD, {})
    except ApiError:
        pass
    finally:
        logging.getLogger("alipay_isv").setLevel(logging.NOTSET)
    assert not [r for r in caplog.records if r.name.startswith("alipay_isv.")]


def test_a_direct_call_is_labelled_with_the_merchant_app(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="alipay_isv")
    with emulated() as setup, pytest.raises(ApiError):
        setup.client.execute(SUCCEEDING_METHOD, {}, auth_app_id="2021000000000042")
    (labelled,) = [
        r.alipay  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "alipay", {}).get("auth_app_id") == "2021000000000042"
    ]
    assert labelled["kind"] == "call" and labelled["sub_code"] == "isv.self-invoke-forbidden"
