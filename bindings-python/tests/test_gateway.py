"""The application gateway (core module ``gateway``) through its plain call and its two halves,
with the emulator's genuine pushes and bodies signed here with its "Alipay" key: each verified
notification stored before the handler of its kind runs, once (Alipay's retries acknowledged
without a second call), a failing handler answered ``fail`` and run again on the retry with
nothing stored twice (its text in the result's typed error, never in the body), ``async``
handlers through the asyncio path, ``receive``/``finish``, every refusal with its status and
nothing stored, the signed gateway check, and no secret or personal data in any ``repr()``. The
framework adapters are tested over real HTTP in ``test_gateway_adapters.py``."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from alipay_isv import (
    ORDER_PLACED,
    SERVICE_CHECK,
    AlipayError,
    AppAuthNotification,
    AsgiGateway,
    AuthStatus,
    ConfigError,
    Gateway,
    GatewayDelivery,
    GatewayResult,
    IngestOutcome,
    IsvConfig,
    MessageNotification,
    OtherNotification,
    ProtocolError,
    Registry,
    ServiceMarketOrderNotification,
    SignatureError,
    WsgiGateway,
    aio,
)
from alipay_isv.gateway import handle_async

from emulated import APP_ID, APP_PRIVATE, APP_PUBLIC, Setup, emulated, signed_body

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def setup() -> Iterator[Setup]:
    with emulated() as running:
        yield running


def subscription_bodies(setup: Setup, **options: object) -> tuple[bytes, bytes, str]:
    """A merchant subscribes; returns the order message's body, the plugin authorisation's body
    (as the emulator pushed them) and the order's id."""
    before = len(setup.gateway.bodies)
    subscription = setup.emulator.subscribe(**options)  # type: ignore[arg-type]
    bodies = setup.gateway.wait_for(before + 2)[before:]
    (order,) = [b for b in bodies if b"servicemarket_order_notify" in b]
    (grant,) = [b for b in bodies if b"open_app_auth_notify" in b]
    return order, grant, subscription.commodity_order_id


def test_each_kind_is_stored_then_handled_once(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)
    seen: list[GatewayDelivery[Any]] = []

    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        notification = delivery.notification
        assert isinstance(notification, ServiceMarketOrderNotification)
        stored = registry.order(notification.commodity_order_id)  # stored before the handler
        assert stored is not None and stored.status == ORDER_PLACED
        seen.append(delivery)

    gateway = Gateway(setup.config, registry, on_order=on_order, on_authorisation=seen.append)
    order_body, grant_body, order_id = subscription_bodies(setup)
    for body in (order_body, grant_body):
        result = gateway.handle(FORM, body)
        assert isinstance(result, GatewayResult)
        assert (result.status, result.content_type, result.body) == (
            200,
            "text/plain; charset=utf-8",
            "success",
        )
        assert result.is_success and result.outcome == "handled"
        assert result.ingest is IngestOutcome.APPLIED
        assert result.error is None and result.verified is None
        assert repr(result) == (
            "GatewayResult(status=200, body='success', outcome='handled', ingest='applied')"
        )
    order, grant = seen
    assert isinstance(order.notification, ServiceMarketOrderNotification)
    assert (order.kind, grant.kind) == ("order", "authorisation")
    assert (order.ingest, grant.ingest) == (IngestOutcome.APPLIED, IngestOutcome.APPLIED)
    assert isinstance(grant.notification, AppAuthNotification)
    assert order.notify_id == order.notification.notify_id
    assert grant.notify_id == grant.notification.notify_id
    # The content the gateway had signed, as verifying the body alone says.
    signed_form = order.notification.signed_form
    assert signed_form is not None
    assert signed_form == setup.config.notification_verifier().verify_body(order_body).signed_form
    assert order.notification.commodity_order_id == order_id
    token = grant.notification.detail.app_auth_token
    record = registry.get(grant.notification.detail.auth_app_id)
    assert record is not None and record.app_auth_token == token and record.app_id == APP_ID
    shown = repr(order) + repr(grant)
    assert shown.startswith("GatewayDelivery(kind='order', ingest='applied', notify_id='")
    assert "notification=ServiceMarketOrderNotification(" in shown
    assert f"signed_form='{signed_form}'" in shown
    assert token not in shown
    notification = order.notification
    assert notification.contactor and notification.contactor not in shown
    assert notification.phone and notification.phone not in shown

    # Alipay retries both: acknowledged, nothing handled twice.
    for body in (order_body, grant_body):
        again = gateway.handle(FORM, body)
        assert (again.status, again.body, again.outcome) == (200, "success", "already_handled")
        assert again.ingest is None and again.error is None
    assert len(seen) == 2
    stored = registry.order(order_id)
    assert stored is not None and stored.version == 1

    # A kind without a handler is acknowledged once stored: the merchant revokes.
    before = len(setup.gateway.bodies)
    setup.emulator.revoke(grant.notification.detail.auth_app_id)
    (cancellation,) = setup.gateway.wait_for(before + 1)[before:]
    assert gateway.handler_for("cancellation") is None
    revoked = gateway.handle(FORM, cancellation)
    assert (revoked.outcome, revoked.ingest) == ("handled", IngestOutcome.APPLIED)
    revoked_record = registry.get(grant.notification.detail.auth_app_id)
    assert revoked_record is not None and revoked_record.status is AuthStatus.REVOKED
    assert len(seen) == 2


def test_a_failing_handler_answers_fail_and_runs_again_on_the_retry(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)
    calls: list[IngestOutcome] = []

    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        calls.append(delivery.ingest)
        if len(calls) == 1:
            raise RuntimeError("the order service is down")

    gateway = Gateway(setup.config, registry, on_order=on_order)
    order_body, _, order_id = subscription_bodies(setup)
    failed = gateway.handle(FORM, order_body)
    assert (failed.status, failed.body, failed.outcome) == (500, "fail", "handler_failed")
    assert not failed.is_success and failed.ingest is None
    # The handler's own failure, not a library error.
    assert failed.error is None
    assert failed.handler_error is not None
    assert "RuntimeError: the order service is down" in failed.handler_error
    assert "down" not in failed.body  # never in the HTTP body
    assert repr(failed).startswith(
        "GatewayResult(status=500, body='fail', outcome='handler_failed', handler_error="
    )
    stored = registry.order(order_id)
    assert stored is not None and stored.version == 1

    retried = gateway.handle(FORM, order_body)
    assert (retried.status, retried.outcome) == (200, "handled")
    assert retried.ingest is IngestOutcome.DUPLICATE
    assert calls == [IngestOutcome.APPLIED, IngestOutcome.DUPLICATE]
    stored = registry.order(order_id)
    assert stored is not None and (stored.version, len(stored.history)) == (1, 1)

    assert gateway.handle(FORM, order_body).outcome == "already_handled"
    assert len(calls) == 2


def test_a_base_exception_propagates_and_the_retry_runs_the_handler(setup: Setup) -> None:
    class Stop(BaseException):
        pass

    registry = Registry.in_memory(client=setup.client)
    order_body, _, order_id = subscription_bodies(setup)

    def stop(delivery: GatewayDelivery[Any]) -> None:
        raise Stop

    with pytest.raises(Stop):
        Gateway(setup.config, registry, on_order=stop).handle(FORM, order_body)
    handled: list[GatewayDelivery[Any]] = []
    retried = Gateway(setup.config, registry, on_order=handled.append).handle(FORM, order_body)
    assert retried.outcome == "handled" and retried.ingest is IngestOutcome.DUPLICATE
    assert [d.kind for d in handled] == ["order"]
    stored = registry.order(order_id)
    assert stored is not None and stored.version == 1


def test_an_async_handler_runs_only_on_the_asyncio_path(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)
    awaited: list[str] = []

    async def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        await asyncio.sleep(0)
        awaited.append(delivery.kind)

    gateway = Gateway(setup.config, registry, on_order=on_order)
    order_body, grant_body, _ = subscription_bodies(setup)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = gateway.handle(FORM, order_body)
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)], caught
    assert (result.status, result.outcome) == (500, "handler_failed")
    assert result.error is None and result.handler_error is not None
    assert "asynchronous" in result.handler_error and "asgi_app" in result.handler_error
    assert awaited == []

    async def both() -> list[GatewayResult]:
        return [
            await handle_async(gateway, FORM, order_body),
            await handle_async(gateway, None, grant_body),  # no handler: acknowledged
            await handle_async(gateway, FORM, order_body),
        ]

    retried, grant, again = asyncio.run(both())
    assert (retried.outcome, retried.ingest) == ("handled", IngestOutcome.DUPLICATE)
    assert (grant.outcome, grant.ingest) == ("handled", IngestOutcome.APPLIED)
    assert again.outcome == "already_handled"
    assert awaited == ["order"]

    # A plain handler on the asyncio path runs on a worker thread; its failure is an answer.
    def broken(delivery: GatewayDelivery[Any]) -> None:
        raise ValueError("bad order")

    other_body, _, _ = subscription_bodies(setup)
    failed = asyncio.run(
        handle_async(Gateway(setup.config, registry, on_order=broken), FORM, other_body)
    )
    assert failed.status == 500 and "ValueError: bad order" in (failed.handler_error or "")


def test_receive_then_finish(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)

    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        raise AssertionError("receive/finish never calls the handler")

    gateway = Gateway(setup.config, registry, on_order=on_order)
    assert gateway.handler_for("order") is on_order
    assert gateway.handler_for("other") is None
    with pytest.raises(ValueError, match="payment"):
        gateway.handler_for("payment")  # type: ignore[arg-type]
    order_body, _, order_id = subscription_bodies(setup)

    first = gateway.receive(FORM, order_body)
    assert isinstance(first, GatewayDelivery)
    assert (first.kind, first.ingest) == ("order", IngestOutcome.APPLIED)
    failed = gateway.finish(first, ValueError("queue full"))
    assert failed.status == 500 and "ValueError: queue full" in (failed.handler_error or "")

    second = gateway.receive(FORM, order_body)
    assert isinstance(second, GatewayDelivery) and second.ingest is IngestOutcome.DUPLICATE
    by_text = gateway.finish(second, "the worker timed out")
    assert by_text.status == 500 and by_text.handler_error == "the worker timed out"
    with pytest.raises(TypeError):
        gateway.finish(second, 42)  # type: ignore[arg-type]

    third = gateway.receive(FORM, order_body)
    assert isinstance(third, GatewayDelivery)
    done = gateway.finish(third)
    assert (done.status, done.body, done.outcome) == (200, "success", "handled")
    assert done.ingest is IngestOutcome.DUPLICATE

    answered = gateway.receive(FORM, order_body)
    assert isinstance(answered, GatewayResult) and answered.outcome == "already_handled"
    stored = registry.order(order_id)
    assert stored is not None and stored.version == 1


def test_bad_requests_are_refused_with_their_status_and_nothing_is_stored(setup: Setup) -> None:
    config = IsvConfig(
        APP_ID,
        APP_PRIVATE,
        setup.emulator.alipay_public_key,
        gateway=setup.emulator.gateway_url,
        max_body_bytes=4096,
    )
    registry = Registry.in_memory(client=setup.client)
    handled: list[GatewayDelivery[Any]] = []
    gateway = Gateway(config, registry, on_order=handled.append, on_other=handled.append)
    assert gateway.max_body_bytes == 4096
    order_body, _, order_id = subscription_bodies(setup)

    def refused(result: GatewayResult, status: int, error: type[AlipayError]) -> AlipayError:
        assert (result.status, result.body, result.outcome) == (status, "fail", "refused")
        assert result.content_type == "text/plain; charset=utf-8"
        assert isinstance(result.error, error), result.error
        return result.error

    refused(gateway.handle("application/json", order_body), 415, ProtocolError)
    refused(gateway.handle("text/plain; charset=utf-8", order_body), 415, ProtocolError)
    over = refused(gateway.handle(FORM, b"a" * 4097), 413, ProtocolError)
    assert "4096" in over.reason
    refused(gateway.handle(FORM, b"notify_id=1&notify_id=2&sign=x"), 400, ProtocolError)
    refused(gateway.handle(FORM, b"notify_id=1&notify_type=trade_status_sync"), 400, SignatureError)
    other_digit = b"1" if order_id.endswith("0") else b"0"
    tampered = order_body.replace(order_id.encode(), order_id[:-1].encode() + other_digit)
    assert tampered != order_body
    refused(gateway.handle(FORM, tampered), 400, SignatureError)
    missing = signed_body(
        {
            "notify_id": "gateway-missing-1",
            "notify_type": "servicemarket_order_notify",
            "merchant_pid": "2088000000000042",
        }
    )
    missing_error = refused(gateway.handle(FORM, missing), 400, ProtocolError)
    assert "commodity_order_id" in missing_error.reason
    assert registry.orders() == [] and handled == []
    with pytest.raises(TypeError):
        gateway.handle(FORM, 42)  # type: ignore[arg-type]

    # No Content-Type is taken as a form, and a str body works.
    accepted = gateway.handle(None, order_body.decode())
    assert accepted.outcome == "handled" and [d.kind for d in handled] == ["order"]


def test_other_notifications_reach_their_handler_once(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)
    handled: list[GatewayDelivery[Any]] = []
    gateway = Gateway(setup.config, registry, on_other=handled.append)
    body = signed_body(
        {
            "notify_id": "gateway-other-1",
            "notify_type": "trade_status_sync",
            "trade_status": "TRADE_SUCCESS",
            "out_trade_no": "T-1",
            "charset": "utf-8",
        }
    )
    result = gateway.handle(FORM, body)
    assert (result.outcome, result.ingest) == ("handled", IngestOutcome.IGNORED)
    (delivery,) = handled
    assert (delivery.kind, delivery.ingest, delivery.notify_id) == (
        "other",
        IngestOutcome.IGNORED,
        "gateway-other-1",
    )
    assert isinstance(delivery.notification, OtherNotification)
    assert delivery.notification.params["out_trade_no"] == "T-1"
    assert gateway.handle(FORM, body).outcome == "already_handled"
    assert len(handled) == 1
    # A message that is not a cancellation is "other" too, and one without a handler is simply
    # acknowledged.
    message = signed_body(
        {
            "notify_id": "gateway-other-2",
            "msg_method": "alipay.open.mini.version.audit.passed",
            "biz_content": "{}",
            "charset": "utf-8",
        }
    )
    plain = Gateway(setup.config, registry)
    assert plain.handle(FORM, message).outcome == "handled"
    assert isinstance(Gateway(setup.config, registry).receive(FORM, message), GatewayResult)
    assert isinstance(gateway.receive(FORM, message), GatewayResult)  # already handled
    fresh = signed_body(
        {
            "notify_id": "gateway-other-3",
            "msg_method": "alipay.open.mini.version.audit.passed",
            "biz_content": "{}",
            "charset": "utf-8",
        }
    )
    received = gateway.receive(FORM, fresh)
    assert isinstance(received, GatewayDelivery) and received.kind == "other"
    assert isinstance(received.notification, MessageNotification)


def test_the_gateway_check_is_answered_signed(setup: Setup) -> None:
    gateway = Gateway(setup.config, Registry.in_memory())
    check = signed_body({"service": SERVICE_CHECK, "charset": "utf-8"})
    result = gateway.handle(FORM, check)
    assert (result.status, result.outcome, result.verified) == (200, "service_check", True)
    assert result.content_type == "text/xml; charset=utf-8"
    assert "<success>true</success>" in result.body
    assert APP_PUBLIC.to_base64() in result.body
    assert result.ingest is None and result.error is None
    assert (
        repr(result)
        == "GatewayResult(status=200, body='…', outcome='service_check', verified=True)"
    )
    unsigned = f"service={SERVICE_CHECK}&charset=utf-8&sign=AAAA&sign_type=RSA2".encode()
    failed = gateway.handle(FORM, unsigned)
    assert (failed.status, failed.verified) == (200, False)
    assert "VERIFY_FAILED" in failed.body


def test_construction_and_repr(setup: Setup) -> None:
    registry = Registry.in_memory(client=setup.client)

    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        pass

    gateway = Gateway(setup.config, registry, on_order=on_order, on_other=None)
    assert gateway.config is setup.config and gateway.registry is registry
    assert gateway.max_body_bytes == 10 * 1024 * 1024
    assert repr(gateway) == (
        f"Gateway(app_id='{APP_ID}', max_body_bytes=10485760, handlers=['order'], "
        f"registry={registry!r})"
    )
    # Generic for annotations, at runtime too.
    assert GatewayDelivery[ServiceMarketOrderNotification].__origin__ is GatewayDelivery  # type: ignore[attr-defined]
    asgi, wsgi = gateway.asgi_app(), gateway.wsgi_app()
    assert isinstance(asgi, AsgiGateway) and asgi.gateway is gateway
    assert isinstance(wsgi, WsgiGateway) and wsgi.gateway is gateway
    assert repr(asgi) == f"AsgiGateway({gateway!r})"
    with pytest.raises(TypeError, match="on_order"):
        Gateway(setup.config, registry, on_order="accept")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="registry"):
        Gateway(setup.config, "registry")  # type: ignore[arg-type]
    # The asyncio registry stands for the registry it wraps.
    wrapped = Gateway(setup.config, aio.Registry.wrap(registry))
    assert wrapped.registry is registry
    registry.close()
    with pytest.raises(ConfigError, match="closed"):
        gateway.handle(FORM, b"a=b")
    with pytest.raises(ConfigError, match="closed"):
        Gateway(setup.config, registry)
