"""The registry's service-market orders and its authorisations per app (core modules
``registry/order``, ``registry/orders`` and the registry's app keys), against the emulator on
loopback: the order message and the plugin authorisation of a subscription ingested in either
order and linked; the order walked through the registry's calls (accept, query, complete, confirm
with the merchant's stored token; reject; cancel), each step recorded in the status, the items
and the history, in a store that keeps them; refused calls recording nothing, unknown orders
making no call; the asyncio twins; several apps (a second plugin) in one registry, each record
kept apart and refreshed and called through its own app's client; and no personal data in an
order's ``repr()``. Every test runs on each store (the ``store`` fixture: a SQLite file, a fresh
PostgreSQL database, a fresh MySQL database; see :mod:`stores`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from alipay_isv import (
    ITEM_CANCELLED,
    ITEM_DONE,
    ITEM_TO_CONFIRM,
    ORDER_ACCEPTED,
    ORDER_PLACED,
    ORDER_REJECTED,
    ApiError,
    AppAuthNotification,
    Client,
    ConfigError,
    Emulator,
    IngestOutcome,
    IsvConfig,
    MerchantAuthorisation,
    OrderItemState,
    OrderRecord,
    OrderStatusChange,
    Registry,
    ServiceMarketOrderNotification,
    StoreError,
    Subscription,
    aio,
)

from emulated import (
    ALIPAY_PRIVATE,
    APP_ID,
    APP_PRIVATE,
    APP_PUBLIC,
    SUCCEEDING_METHOD,
    Setup,
    emulated,
)
from stores import Store

# A second app of ours (a plugin), served by a second emulator that signs with the same "Alipay"
# key; it shares the test app's key pair.
PLUGIN_ID = "2021000000000002"
UNKNOWN_ORDER = "201901010000000000000000"
ACCEPT = "alipay.open.servicemarket.order.accept"
CONFIRM = "alipay.open.servicemarket.order.item.confirm"


@pytest.fixture
def setup() -> Iterator[Setup]:
    with emulated() as running:
        yield running


@pytest.fixture
def plugin(setup: Setup) -> Iterator[tuple[Emulator, Client]]:
    """The emulator of :data:`PLUGIN_ID`, pushing to the same application gateway, and its
    client."""
    emulator = Emulator(
        PLUGIN_ID,
        APP_PUBLIC,
        notify_url=setup.gateway.url,
        alipay_private_key=ALIPAY_PRIVATE,
        notify_backoff=0.02,
    )
    try:
        config = IsvConfig(
            PLUGIN_ID, APP_PRIVATE, emulator.alipay_public_key, gateway=emulator.gateway_url
        )
        yield emulator, Client(config)
    finally:
        emulator.stop()


def subscribe(
    setup: Setup, emulator: Emulator | None = None, **options: object
) -> tuple[Subscription, ServiceMarketOrderNotification, AppAuthNotification]:
    """A merchant subscribes (on ``emulator``, the test app's by default); returns the
    subscription and its two pushes, verified, once both arrived."""
    before = len(setup.gateway.bodies)
    subscription = (emulator or setup.emulator).subscribe(**options)  # type: ignore[arg-type]
    bodies = setup.gateway.wait_for(before + 2)[before:]
    received = [setup.client.verify_notification(body) for body in bodies]
    (order,) = [n for n in received if isinstance(n, ServiceMarketOrderNotification)]
    (grant,) = [n for n in received if isinstance(n, AppAuthNotification)]
    assert order.commodity_order_id == subscription.commodity_order_id
    return subscription, order, grant


def ingest(registry: Registry, *notifications: object) -> list[IngestOutcome]:
    return [registry.ingest_notification(n) for n in notifications]  # type: ignore[arg-type]


def steps(order: OrderRecord) -> list[tuple[str, str | None, str]]:
    """The history as (status, item, source)."""
    return [(change.status, change.item, change.source) for change in order.history]


def test_a_subscription_is_stored_linked_and_walked_through_the_registry(
    setup: Setup, store: Store
) -> None:
    place = store.fresh("orders")
    registry = Registry(place, client=setup.client)
    subscription, message, grant = subscribe(setup)
    order_id, mini_app = subscription.commodity_order_id, subscription.auth_app_id
    assert ingest(registry, message, grant) == [IngestOutcome.APPLIED, IngestOutcome.APPLIED]
    assert ingest(registry, message, grant) == [IngestOutcome.DUPLICATE, IngestOutcome.DUPLICATE]

    order = registry.order(order_id)
    assert isinstance(order, OrderRecord)
    assert (order.commodity_order_id, order.app_id, order.merchant_pid) == (
        order_id,
        APP_ID,
        subscription.merchant_pid,
    )
    assert order.consumer_mini_app_id == mini_app
    assert (order.title, order.total_price, order.order_time) == (
        message.title,
        "0.00",
        message.order_time,
    )
    assert order.merchant_name == message.merchant_name
    assert (order.contactor, order.phone) == (message.contactor, message.phone)
    assert (order.notify_id, order.status, order.version, order.items) == (
        message.notify_id,
        ORDER_PLACED,
        1,
        [],
    )
    assert order.notified_at_ms and order.created_at_ms <= order.updated_at_ms
    assert order.params["commodity_order_id"] == order_id
    order.params.clear()  # a new dict each time
    assert order.params["merchant_pid"] == subscription.merchant_pid
    assert steps(order) == [(ORDER_PLACED, None, "notification")]
    assert [o.commodity_order_id for o in registry.orders()] == [order_id]

    # The plugin authorisation that came with the order.
    linked = registry.order_authorisation(order_id)
    assert isinstance(linked, MerchantAuthorisation)
    assert (linked.app_id, linked.auth_app_id, linked.merchant_pid) == (
        APP_ID,
        mini_app,
        subscription.merchant_pid,
    )
    assert linked.app_auth_token == grant.detail.app_auth_token

    accepted = registry.accept_order(order_id)
    assert (accepted.status, accepted.version) == (ORDER_ACCEPTED, 2)
    assert setup.client.query_servicemarket_order(order_id).status == "ISV_ACCEPTED"
    # The query brings the items the registry had not seen yet.
    refreshed = registry.refresh_order(order_id)
    (item,) = refreshed.items
    assert isinstance(item, OrderItemState)
    assert (item.mini_app_id, item.shop_id, item.status) == (mini_app, None, "DOING")
    assert repr(item) == f"OrderItemState(mini_app_id='{mini_app}', shop_id=None, status='DOING')"
    completed = registry.complete_order_item(order_id, mini_app_id=mini_app)
    assert completed.item_status(mini_app_id=mini_app) == ITEM_TO_CONFIRM
    assert completed.item_status(shop_id="2018000000000001") is None
    with pytest.raises(ConfigError):
        completed.item_status()
    confirms = setup.emulator.call_count(CONFIRM)
    confirmed = registry.confirm_order_item(order_id, mini_app_id=mini_app)
    assert confirmed.item_status(mini_app_id=mini_app) == ITEM_DONE
    assert setup.emulator.call_count(CONFIRM) == confirms + 1
    assert setup.client.query_servicemarket_order(order_id).items[0].order_status == "DONE"

    assert steps(confirmed) == [
        (ORDER_PLACED, None, "notification"),
        (ORDER_ACCEPTED, None, "accept"),
        ("DOING", mini_app, "query"),
        (ITEM_TO_CONFIRM, mini_app, "item.complete"),
        (ITEM_DONE, mini_app, "item.confirm"),
    ]
    assert confirmed.version == 5
    times = [change.at_ms for change in confirmed.history]
    assert times[1:] == sorted(times[1:]) and all(isinstance(t, int) for t in times)
    change = confirmed.history[-1]
    assert isinstance(change, OrderStatusChange)
    assert repr(change) == (
        f"OrderStatusChange(status='DONE', item='{mini_app}', source='item.confirm', "
        f"at_ms={change.at_ms})"
    )
    # A query that finds nothing new writes nothing.
    assert registry.refresh_order(order_id).version == 5
    registry.close()

    # The store keeps the order and its history.
    with Registry(place) as reopened:
        kept = reopened.order(order_id)
        assert kept is not None and steps(kept) == steps(confirmed)
        assert kept.version == 5


def test_rejecting_an_order_and_cancelling_an_item_are_recorded(setup: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    rejected_sub, message, grant = subscribe(setup)
    ingest(registry, message, grant)
    rejected = registry.reject_order(rejected_sub.commodity_order_id, "暂不支持该地区服务")
    assert rejected.status == ORDER_REJECTED
    assert steps(rejected)[-1] == (ORDER_REJECTED, None, "reject")
    assert setup.client.query_servicemarket_order(rejected_sub.commodity_order_id).status == (
        "ISV_REJECTED"
    )

    cancelled_sub, message, grant = subscribe(setup, authorisation_first=True)
    ingest(registry, grant, message)  # either order
    order_id, mini_app = cancelled_sub.commodity_order_id, cancelled_sub.auth_app_id
    registry.accept_order(order_id)
    cancelled = registry.cancel_order_item(order_id, "当前区域不支持实施", mini_app_id=mini_app)
    assert cancelled.item_status(mini_app_id=mini_app) == ITEM_CANCELLED
    assert steps(cancelled)[1:] == [
        (ORDER_ACCEPTED, None, "accept"),
        (ITEM_CANCELLED, mini_app, "item.cancel"),
    ]
    listed = registry.orders()
    assert {o.commodity_order_id for o in listed} == {rejected_sub.commodity_order_id, order_id}
    keys = [(o.order_time, o.commodity_order_id) for o in listed]
    assert keys == sorted(keys), "oldest order first"


def test_a_refused_call_records_nothing_and_an_unknown_order_makes_no_call(
    setup: Setup, store: Store
) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    subscription, message, _ = subscribe(setup)
    order_id, mini_app = subscription.commodity_order_id, subscription.auth_app_id
    # Only the order message arrived so far: the merchant's token is not there to confirm with.
    assert ingest(registry, message) == [IngestOutcome.APPLIED]
    assert registry.order_authorisation(order_id) is None
    calls = setup.emulator.total_calls()
    with pytest.raises(StoreError, match="no authorisation"):
        registry.confirm_order_item(order_id, mini_app_id=mini_app)
    assert setup.emulator.total_calls() == calls

    accepted = registry.accept_order(order_id)
    with pytest.raises(ApiError) as twice:
        registry.accept_order(order_id)
    assert twice.value.sub_code == "COMMODITY_ORDER_STATUS_INVALID"
    with pytest.raises(ApiError) as early:  # an item the order does not have
        registry.cancel_order_item(order_id, "x", mini_app_id="2021000000009999")
    assert early.value.sub_code == "COMMODITY_ORDER_ITEM_NOT_EXIST"
    after = registry.order(order_id)
    assert after is not None and after.version == accepted.version, "nothing recorded"
    assert steps(after) == steps(accepted)

    calls = setup.emulator.total_calls()
    for call, args, kwargs in (
        (registry.accept_order, (), {}),
        (registry.reject_order, ("x",), {}),
        (registry.complete_order_item, (), {"mini_app_id": mini_app}),
        (registry.confirm_order_item, (), {"mini_app_id": mini_app}),
        (registry.cancel_order_item, ("x",), {"mini_app_id": mini_app}),
        (registry.refresh_order, (), {}),
        (registry.order_authorisation, (), {}),
    ):
        with pytest.raises(StoreError, match=UNKNOWN_ORDER):
            call(UNKNOWN_ORDER, *args, **kwargs)  # type: ignore[operator]
    with pytest.raises(ConfigError, match="not both"):
        registry.complete_order_item(order_id, mini_app_id=mini_app, shop_id="1")
    with pytest.raises(ConfigError):
        registry.confirm_order_item(order_id)
    assert registry.order(UNKNOWN_ORDER) is None
    assert setup.emulator.total_calls() == calls, "no call for an unknown order or a bad item"

    # Without a client there is nothing to call with.
    bare = Registry.in_memory()
    ingest(bare, message)
    with pytest.raises(ConfigError, match="client"):
        bare.accept_order(order_id)
    assert setup.emulator.total_calls() == calls


def test_the_asyncio_registry_has_the_order_calls(setup: Setup, store: Store) -> None:
    blocking = Registry(store.fresh(), client=setup.client)
    subscription, message, grant = subscribe(setup)
    order_id, mini_app = subscription.commodity_order_id, subscription.auth_app_id
    rejected_sub, rejected_message, _ = subscribe(setup)

    async def walk() -> list[object]:
        registry = aio.Registry.wrap(blocking)
        await registry.ingest_notification(message)
        await registry.ingest_notification(grant)
        await registry.ingest_notification(rejected_message)
        found = [await registry.order(order_id), await registry.order_authorisation(order_id)]
        await registry.accept_order(order_id)
        await registry.refresh_order(order_id)
        await registry.complete_order_item(order_id, mini_app_id=mini_app)
        done = await registry.confirm_order_item(order_id, mini_app_id=mini_app)
        rejected = await registry.reject_order(rejected_sub.commodity_order_id, "暂不支持")
        record = await registry.get_for_app(APP_ID, mini_app)
        token = await registry.token_for_app(APP_ID, mini_app)
        return [*found, done, rejected, await registry.orders(), record, token]

    found, linked, done, rejected, orders, record, token = asyncio.run(walk())
    assert isinstance(found, OrderRecord) and found.status == ORDER_PLACED
    assert isinstance(linked, MerchantAuthorisation) and linked.auth_app_id == mini_app
    assert isinstance(done, OrderRecord)
    assert [source for _, _, source in steps(done)] == [
        "notification",
        "accept",
        "query",
        "item.complete",
        "item.confirm",
    ]
    assert isinstance(rejected, OrderRecord) and rejected.status == ORDER_REJECTED
    assert isinstance(orders, list) and len(orders) == 2
    assert isinstance(record, MerchantAuthorisation) and token == grant.detail.app_auth_token

    async def cancel() -> OrderRecord:
        registry = aio.Registry(store.fresh("cancel"), client=aio.Client.wrap(setup.client))
        assert registry.default_app_id == APP_ID
        cancelled_sub, cancelled_message, _ = subscribe(setup)
        await registry.ingest_notification(cancelled_message)
        await registry.accept_order(cancelled_sub.commodity_order_id)
        return await registry.cancel_order_item(
            cancelled_sub.commodity_order_id, "不再需要", shop_id="2018000000000001"
        )

    with pytest.raises(ApiError) as unknown_item:
        asyncio.run(cancel())
    assert unknown_item.value.sub_code == "COMMODITY_ORDER_ITEM_NOT_EXIST"


def test_authorisations_are_kept_per_app_and_each_goes_through_its_apps_client(
    setup: Setup, plugin: tuple[Emulator, Client], store: Store
) -> None:
    plugin_emulator, plugin_client = plugin
    registry = Registry(store.fresh(), client=setup.client, clients=[plugin_client])
    assert registry.default_app_id == APP_ID
    assert registry.client is setup.client and registry.clients == [plugin_client]
    registry.clients.clear()  # a new list each time
    assert registry.clients[0] is plugin_client
    assert f"clients=[Client(app_id='{PLUGIN_ID}'" in repr(registry)

    # The merchant orders our app, then the plugin, on the same mini program.
    first, first_order, first_grant = subscribe(setup)
    second, second_order, second_grant = subscribe(
        setup,
        plugin_emulator,
        merchant_pid=first.merchant_pid,
        auth_app_id=first.auth_app_id,
    )
    mini_app, merchant = first.auth_app_id, first.merchant_pid
    assert second_grant.detail.authorised_app_id == PLUGIN_ID
    outcomes = ingest(registry, first_order, first_grant, second_order, second_grant)
    assert outcomes == [IngestOutcome.APPLIED] * 4

    ours = registry.get_for_app(APP_ID, mini_app)
    theirs = registry.get_for_app(PLUGIN_ID, mini_app)
    assert ours is not None and theirs is not None
    assert (ours.app_id, theirs.app_id) == (APP_ID, PLUGIN_ID)
    assert ours.app_auth_token == first_grant.detail.app_auth_token
    assert theirs.app_auth_token == second_grant.detail.app_auth_token
    assert ours.app_auth_token != theirs.app_auth_token
    assert repr(theirs).startswith(f"MerchantAuthorisation(app_id='{PLUGIN_ID}', ")
    assert sorted(r.app_id for r in registry.by_merchant(merchant)) == [APP_ID, PLUGIN_ID]
    assert len(registry.list()) == 2
    assert registry.get_for_app("2021000000000009", mini_app) is None
    # By merchant app alone: the default app's record.
    found = registry.get(mini_app)
    assert found is not None and found.app_id == APP_ID
    assert registry.token_for_app(PLUGIN_ID, mini_app) == second_grant.detail.app_auth_token
    assert registry.token_for(mini_app) == first_grant.detail.app_auth_token
    with pytest.raises(StoreError):
        registry.token_for_app("2021000000000009", mini_app)

    # A delegated call goes through the default app's client (its emulator), the plugin's order
    # through the plugin's client, confirmed with the plugin's token.
    theirs_calls = plugin_emulator.total_calls()
    assert registry.execute_for(mini_app, SUCCEEDING_METHOD).fields["code"] == "10000"
    assert setup.emulator.call_count(SUCCEEDING_METHOD) == 1
    assert plugin_emulator.total_calls() == theirs_calls
    plugin_order = registry.order(second.commodity_order_id)
    assert plugin_order is not None and plugin_order.app_id == PLUGIN_ID
    linked = registry.order_authorisation(second.commodity_order_id)
    assert linked is not None and linked.app_id == PLUGIN_ID
    ours_accepts = setup.emulator.call_count(ACCEPT)
    registry.accept_order(second.commodity_order_id)
    registry.complete_order_item(second.commodity_order_id, mini_app_id=mini_app)
    done = registry.confirm_order_item(second.commodity_order_id, mini_app_id=mini_app)
    assert done.item_status(mini_app_id=mini_app) == ITEM_DONE
    assert plugin_emulator.call_count(ACCEPT) == 1 and plugin_emulator.call_count(CONFIRM) == 1
    assert setup.emulator.call_count(ACCEPT) == ours_accepts

    # Without a default app among them, asking by merchant app alone is ambiguous.
    undecided = Registry(store.fresh("undecided"))
    assert undecided.default_app_id == "" and undecided.clients == []
    ingest(undecided, first_grant, second_grant)
    with pytest.raises(StoreError, match="get_for_app") as ambiguous:
        undecided.get(mini_app)
    assert APP_ID in str(ambiguous.value) and PLUGIN_ID in str(ambiguous.value)
    assert first_grant.detail.app_auth_token not in str(ambiguous.value)
    # The first of `clients` is the default app when no `client` is given.
    assert Registry.in_memory(clients=(plugin_client,)).default_app_id == PLUGIN_ID
    asynchronous = aio.Registry.in_memory(clients=[aio.Client.wrap(plugin_client)])
    assert asynchronous.default_app_id == PLUGIN_ID
    assert asynchronous.blocking.clients == [plugin_client]
    for wrong in (["not a client"], 5, [setup.client, None]):
        with pytest.raises(TypeError, match="clients"):
            Registry.in_memory(clients=wrong)  # type: ignore[arg-type]


def test_an_order_repr_masks_the_merchants_contact_data(setup: Setup, store: Store) -> None:
    registry = Registry(store.fresh(), client=setup.client)
    subscription, message, grant = subscribe(setup)
    ingest(registry, message, grant)
    order = registry.accept_order(subscription.commodity_order_id)
    assert order.contactor and order.phone and order.merchant_name
    shown = repr(order)
    for personal in (order.contactor, order.phone, order.merchant_name):
        assert personal not in shown, shown
    assert f"contactor='…({len(order.contactor)} chars)'" in shown
    assert f"phone='…({len(order.phone)} chars)'" in shown
    assert shown.startswith(
        f"OrderRecord(commodity_order_id='{subscription.commodity_order_id}', app_id='{APP_ID}', "
        f"merchant_pid='{subscription.merchant_pid}', "
        f"consumer_mini_app_id='{subscription.auth_app_id}', "
    )
    assert "'contactor'" in shown and "'phone'" in shown  # parameter names only
    assert "history=[OrderStatusChange(status='MERCHANT_ORDED'" in shown
    assert shown.endswith(", version=2)")
    assert grant.detail.app_auth_token not in repr(
        registry.order_authorisation(order.commodity_order_id)
    )
