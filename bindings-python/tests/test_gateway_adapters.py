"""The Gateway's framework adapters (``alipay_isv/gateway.py``) over real HTTP, with the real
frameworks on loopback: the ASGI app routed in Starlette and in FastAPI (served by uvicorn, with
async handlers in FastAPI) and the WSGI app mounted beside a Flask app (werkzeug's
``DispatcherMiddleware``, served by werkzeug's threaded server), the emulator pushing to them.

A subscription end to end through each: the order message and the plugin authorisation pushed
to the adapter, the order stored and accepted by the ``on_order`` handler through the registry,
the merchant's token ingested, a delegated call made with it, the item completed and confirmed,
each step in the order's history. A push answered ``fail`` is retried by the emulator and stored
once (the handler ran twice, never a third time). Bad input through the adapters (405, 411, 413
with and without a declared length, 415, a tampered body), a second plugin's authorisation for
the same merchant app kept apart, and an order of a merchant nobody knows stored without an
authorisation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from flask import Flask
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from alipay_isv import (
    ITEM_DONE,
    ITEM_TO_CONFIRM,
    ORDER_ACCEPTED,
    ORDER_PLACED,
    AppAuthNotification,
    AuthStatus,
    Client,
    Emulator,
    Gateway,
    GatewayDelivery,
    IngestOutcome,
    IsvConfig,
    MessageNotification,
    Registry,
    ServiceMarketOrderNotification,
    aio,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    APP_PUBLIC,
    SUCCEEDING_METHOD,
    signed_body,
)
from served import asgi_served, post_without_length, request, wsgi_served

PLUGIN_ID = "2021000000000002"
PATH = "/alipay/gateway"
FRAMEWORKS = ["starlette", "fastapi", "flask"]


@dataclass
class World:
    """An emulator (pushing nowhere until a test points it at an adapter), the app's
    configuration and client, and a registry on a SQLite file."""

    emulator: Emulator
    config: IsvConfig
    client: Client
    registry: Registry
    handled: list[tuple[str, Any]] = field(default_factory=list)


@pytest.fixture
def world(tmp_path: Any) -> Iterator[World]:
    emulator = Emulator(APP_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE, notify_backoff=0.05)
    try:
        config = IsvConfig(
            APP_ID, APP_PRIVATE, emulator.alipay_public_key, gateway=emulator.gateway_url
        )
        client = Client(config, read_timeout=10)
        with Registry(tmp_path / "merchants.db", client=client) as registry:
            yield World(emulator, config, client, registry)
    finally:
        emulator.stop()


def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@contextlib.contextmanager
def served(framework: str, gateway: Gateway) -> Iterator[str]:
    """The gateway mounted at :data:`PATH` in an app of ``framework`` beside one route of the
    app's own (``GET /health``), served over HTTP; yields the gateway's URL."""
    if framework == "starlette":
        starlette = Starlette(routes=[Route(PATH, gateway.asgi_app()), Route("/health", health)])
        server = asgi_served(starlette)
    elif framework == "fastapi":
        fastapi = FastAPI()

        @fastapi.get("/health")
        def fastapi_health() -> dict[str, str]:
            return {"status": "ok"}

        fastapi.routes.append(Route(PATH, gateway.asgi_app(), methods=["POST"]))
        server = asgi_served(fastapi)
    else:
        flask = Flask(__name__)

        @flask.get("/health")
        def flask_health() -> str:
            return "ok"

        flask.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
            flask.wsgi_app, {PATH: gateway.wsgi_app()}
        )
        server = wsgi_served(flask)
    with server as base:
        assert request("GET", base + "/health", content_type=None).status == 200
        yield base + PATH


def gateway_for(world: World, framework: str, **handlers: Callable[..., Any]) -> Gateway:
    """A gateway over the world's registry; in FastAPI the handlers are made ``async def``
    (awaited on the event loop, the blocking work on a worker thread), elsewhere they stay plain
    functions."""
    if framework == "fastapi":
        handlers = {name: asynchronous(handler) for name, handler in handlers.items()}
    return Gateway(world.config, world.registry, **handlers)


def asynchronous(
    handler: Callable[[GatewayDelivery[Any]], Any],
) -> Callable[[GatewayDelivery[Any]], Any]:
    async def run(delivery: GatewayDelivery[Any]) -> None:
        await asyncio.to_thread(handler, delivery)

    return run


def steps(world: World, order_id: str) -> list[tuple[str, str | None, str]]:
    order = world.registry.order(order_id)
    assert order is not None
    return [(change.status, change.item, change.source) for change in order.history]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_subscription_end_to_end_through_the_adapter(world: World, framework: str) -> None:
    registry = world.registry

    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        order_id = delivery.notification.commodity_order_id
        world.handled.append(("order", registry.accept_order(order_id).status))

    def on_authorisation(delivery: GatewayDelivery[AppAuthNotification]) -> None:
        detail = delivery.notification.detail
        world.handled.append(("authorisation", (detail.auth_app_id, delivery.ingest)))

    def on_cancellation(delivery: GatewayDelivery[MessageNotification]) -> None:
        world.handled.append(("cancellation", delivery.notification.msg_app_id))

    gateway = gateway_for(
        world,
        framework,
        on_order=on_order,
        on_authorisation=on_authorisation,
        on_cancellation=on_cancellation,
    )
    with served(framework, gateway) as url:
        world.emulator.set_notify_url(url)
        subscription = world.emulator.subscribe(authorisation_first=framework == "fastapi")
        order_id, mini_app = subscription.commodity_order_id, subscription.auth_app_id
        assert world.emulator.wait_for_deliveries(2)
        deliveries = world.emulator.deliveries()
        assert [(d.acknowledged, d.attempts, d.url) for d in deliveries] == [(True, 1, url)] * 2

        # The order was stored, then accepted by the handler through the registry.
        assert sorted(world.handled, key=lambda each: each[0]) == [
            ("authorisation", (mini_app, IngestOutcome.APPLIED)),
            ("order", ORDER_ACCEPTED),
        ]
        assert world.client.query_servicemarket_order(order_id).status == "ISV_ACCEPTED"
        # The plugin authorisation's token was ingested, and works.
        record = registry.get(mini_app)
        assert record is not None and record.is_active and record.app_id == APP_ID
        console = world.emulator.console_app_auth_token(mini_app)
        assert record.app_auth_token == console.app_auth_token
        assert registry.order_authorisation(order_id) is not None
        answer = registry.execute_for(mini_app, SUCCEEDING_METHOD)
        assert answer.fields["code"] == "10000"
        assert world.emulator.call_count(SUCCEEDING_METHOD) == 1

        completed = registry.complete_order_item(order_id, mini_app_id=mini_app)
        assert completed.item_status(mini_app_id=mini_app) == ITEM_TO_CONFIRM
        confirmed = registry.confirm_order_item(order_id, mini_app_id=mini_app)
        assert confirmed.item_status(mini_app_id=mini_app) == ITEM_DONE
        assert steps(world, order_id) == [
            (ORDER_PLACED, None, "notification"),
            (ORDER_ACCEPTED, None, "accept"),
            (ITEM_TO_CONFIRM, mini_app, "item.complete"),
            (ITEM_DONE, mini_app, "item.confirm"),
        ]
        item = world.client.query_servicemarket_order(order_id).items[0]
        assert item.order_status == "DONE"

        # The merchant revokes: the cancellation reaches its handler, the record is revoked.
        world.emulator.revoke(mini_app)
        assert world.emulator.wait_for_deliveries(3)
        assert world.emulator.deliveries()[-1].acknowledged
        assert world.handled[-1] == ("cancellation", mini_app)
        revoked = registry.get(mini_app)
        assert revoked is not None and revoked.status is AuthStatus.REVOKED


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_push_answered_fail_is_retried_and_stored_once(world: World, framework: str) -> None:
    def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        world.handled.append(("order", delivery.ingest))
        if len(world.handled) == 1:
            raise RuntimeError("the order service is down")

    gateway = gateway_for(world, framework, on_order=on_order)
    with served(framework, gateway) as url:
        world.emulator.set_notify_url(url)
        subscription = world.emulator.subscribe()
        assert world.emulator.wait_for_deliveries(2)
        (pushed,) = [
            d for d in world.emulator.deliveries() if d.kind == "servicemarket_order_notify"
        ]
        assert (pushed.acknowledged, pushed.attempts) == (True, 2)
        assert world.handled == [
            ("order", IngestOutcome.APPLIED),
            ("order", IngestOutcome.DUPLICATE),
        ]
        order = world.registry.order(subscription.commodity_order_id)
        assert order is not None and (order.version, len(order.history)) == (1, 1)

        # The same message once more (a late retry): acknowledged, the handler is not run.
        again = request("POST", url, pushed.body.encode())
        assert (again.status, again.body) == (200, b"success")
        assert len(world.handled) == 2
        order = world.registry.order(subscription.commodity_order_id)
        assert order is not None and order.version == 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bad_input_through_the_adapter(world: World, framework: str, tmp_path: Any) -> None:
    config = IsvConfig(
        APP_ID,
        APP_PRIVATE,
        world.emulator.alipay_public_key,
        gateway=world.emulator.gateway_url,
        max_body_bytes=4096,
    )
    registry = Registry(tmp_path / "bad.db", client=world.client)
    gateway = Gateway(config, registry, on_order=lambda d: world.handled.append(("order", d)))
    order_id = "20261207000000000000000001"
    order = signed_body(
        {
            "notify_id": "adapter-bad-1",
            "notify_type": "servicemarket_order_notify",
            "notify_time": "2026-12-07 10:00:01",
            "app_id": APP_ID,
            "commodity_order_id": order_id,
            "merchant_pid": "2088000000000042",
            "consumer_miniAppId": "2021004200000001",
            "charset": "UTF-8",
        }
    )
    with served(framework, gateway) as url:
        answer = request("GET", url, content_type=None)  # FastAPI's route refuses it itself
        assert (answer.status, answer.headers["allow"]) == (405, "POST")
        not_form = request("POST", url, order, content_type="application/json")
        assert (not_form.status, not_form.body) == (415, b"fail")
        assert not_form.headers["content-type"] == "text/plain; charset=utf-8"
        too_large = request("POST", url, b"a" * 100_000)
        assert (too_large.status, too_large.body) == (413, b"fail")
        chunked = request("POST", url, b"a" * 100_000, chunked=True)
        assert (chunked.status, chunked.body) == (413, b"fail")
        tampered = request("POST", url, order.replace(b"0001", b"0002"))
        assert (tampered.status, tampered.body) == (400, b"fail")
        if framework == "flask":  # WSGI: neither a length nor a chunked body
            assert post_without_length(url).status == 411
        assert registry.orders() == [] and world.handled == []

        # The same order untouched, chunked: stored, for a merchant nobody knows yet.
        stored = request("POST", url, order, chunked=True)
        assert (stored.status, stored.body) == (200, b"success")
        assert stored.headers["content-type"] == "text/plain; charset=utf-8"
        assert [kind for kind, _ in world.handled] == ["order"]
        kept = registry.order(order_id)
        assert kept is not None and kept.merchant_pid == "2088000000000042"
        assert registry.order_authorisation(order_id) is None
    registry.close()


@pytest.mark.parametrize("framework", ["starlette", "flask"])
def test_a_second_plugins_authorisation_is_kept_apart(world: World, framework: str) -> None:
    plugin = Emulator(PLUGIN_ID, APP_PUBLIC, alipay_private_key=ALIPAY_PRIVATE, notify_backoff=0.05)
    try:
        plugin_client = Client(
            IsvConfig(PLUGIN_ID, APP_PRIVATE, plugin.alipay_public_key, gateway=plugin.gateway_url)
        )
        registry = Registry.in_memory(client=world.client, clients=[plugin_client])
        gateway = Gateway(
            world.config,
            registry,
            on_authorisation=lambda d: world.handled.append(("authorisation", d)),
        )
        with served(framework, gateway) as url:
            world.emulator.set_notify_url(url)
            plugin.set_notify_url(url)
            ours = world.emulator.subscribe()
            assert world.emulator.wait_for_deliveries(2)
            theirs = plugin.subscribe(merchant_pid=ours.merchant_pid, auth_app_id=ours.auth_app_id)
            assert plugin.wait_for_deliveries(2)
            assert all(d.acknowledged for d in world.emulator.deliveries() + plugin.deliveries())
        mini_app = ours.auth_app_id
        first = registry.get_for_app(APP_ID, mini_app)
        second = registry.get_for_app(PLUGIN_ID, mini_app)
        assert first is not None and second is not None
        assert (
            first.app_auth_token == world.emulator.console_app_auth_token(mini_app).app_auth_token
        )
        assert second.app_auth_token == plugin.console_app_auth_token(mini_app).app_auth_token
        assert first.app_auth_token != second.app_auth_token
        assert [d.notification.detail.authorised_app_id for _, d in world.handled] == [
            APP_ID,
            PLUGIN_ID,
        ]
        # Each app's order goes with its own app's authorisation.
        linked = registry.order_authorisation(theirs.commodity_order_id)
        assert linked is not None and linked.app_id == PLUGIN_ID
        linked = registry.order_authorisation(ours.commodity_order_id)
        assert linked is not None and linked.app_id == APP_ID
        # The plugin's own delegated token works at its gateway.
        token = registry.token_for_app(PLUGIN_ID, mini_app)
        answer = plugin_client.execute(SUCCEEDING_METHOD, {}, app_auth_token=token)
        assert answer.fields["code"] == "10000"
    finally:
        plugin.stop()


def test_the_asgi_app_serves_alone_and_answers_the_lifespan(world: World) -> None:
    handled: list[str] = []

    async def on_order(delivery: GatewayDelivery[ServiceMarketOrderNotification]) -> None:
        order = await aio.Registry.wrap(world.registry).accept_order(
            delivery.notification.commodity_order_id
        )
        handled.append(order.status)

    gateway = Gateway(world.config, world.registry, on_order=on_order)
    with asgi_served(gateway.asgi_app()) as base:  # uvicorn runs its lifespan first
        world.emulator.set_notify_url(base + "/anywhere")
        subscription = world.emulator.subscribe()
        assert world.emulator.wait_for_deliveries(2)
        assert all(d.acknowledged for d in world.emulator.deliveries())
        assert handled == [ORDER_ACCEPTED]
        order = world.registry.order(subscription.commodity_order_id)
        assert order is not None and order.status == ORDER_ACCEPTED
        check = signed_body({"service": "alipay.service.check", "charset": "utf-8"})
        answer = request("POST", base + "/", check)
        assert answer.status == 200 and answer.headers["content-type"] == "text/xml; charset=utf-8"
        assert b"<success>true</success>" in answer.body
