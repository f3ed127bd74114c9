"""Service-market subscriptions against the emulator (core ``servicemarket``, emulator
``servicemarket``): the merchant orders the plugin (:meth:`Emulator.subscribe`), the order message
and the plugin authorisation arrive at the application gateway (either first, retried until
acknowledged) and verify typed, and the ISV walks the order with the client's typed calls — query
(one page, or every page through the native iterator), accept or reject, complete, confirm on the
merchant's behalf, cancel — meeting Alipay's ``sub_code`` and hint for every wrong state, an
unknown order, a missing token and the "unknown to the query" fault; the asyncio client too."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from alipay_isv import (
    SERVICEMARKET_ORDER_NOTIFY,
    ApiError,
    AppAuthNotification,
    ConfigError,
    ServiceMarketOrderItem,
    ServiceMarketOrderNotification,
    ServiceMarketOrderPage,
    ServiceMarketOrderPages,
    Subscription,
    aio,
)

from emulated import APP_ID, Setup, authorise_merchant, emulated

QUERY = "alipay.open.servicemarket.order.query"
UNKNOWN_ORDER = "201901010000000000000000"


@pytest.fixture
def setup() -> Iterator[Setup]:
    with emulated() as running:
        yield running


def pushes(
    setup: Setup, subscription: Subscription
) -> tuple[ServiceMarketOrderNotification, AppAuthNotification]:
    """The two pushes of ``subscription`` as the application gateway received them, verified by
    the client: the order message and the plugin authorisation (they may arrive in any order)."""
    received = [setup.client.verify_notification(body) for body in setup.gateway.wait_for(2)]
    orders = [n for n in received if isinstance(n, ServiceMarketOrderNotification)]
    grants = [n for n in received if isinstance(n, AppAuthNotification)]
    assert len(orders) == 1 and len(grants) == 1, received
    assert orders[0].commodity_order_id == subscription.commodity_order_id
    assert grants[0].detail.auth_app_id == subscription.auth_app_id
    return orders[0], grants[0]


def kinds(setup: Setup) -> list[str]:
    """The kinds of the emulator's pushes, in the order it made them."""
    assert setup.emulator.wait_for_deliveries(2)
    return [delivery.kind for delivery in setup.emulator.deliveries()]


def refused(call: object, *args: object, **kwargs: object) -> ApiError:
    """The ``ApiError`` the call raises."""
    assert callable(call)
    with pytest.raises(ApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_a_subscription_is_pushed_typed_and_walked_to_done(setup: Setup) -> None:
    client = setup.client
    subscription = setup.emulator.subscribe()
    order_id = subscription.commodity_order_id
    assert isinstance(subscription, Subscription)
    assert len(order_id) == 24 and order_id.isdigit()
    assert subscription.merchant_pid.startswith("2088")
    assert repr(subscription) == (
        f"Subscription(commodity_order_id='{order_id}', merchant_pid="
        f"'{subscription.merchant_pid}', auth_app_id='{subscription.auth_app_id}')"
    )

    order, plugin = pushes(setup, subscription)
    assert kinds(setup) == [SERVICEMARKET_ORDER_NOTIFY, "open_app_auth_notify"]
    assert order.kind == "servicemarket_order"
    assert order.merchant_pid == subscription.merchant_pid
    assert order.consumer_mini_app_id == subscription.auth_app_id
    assert order.app_id == APP_ID
    assert order.order_item_num == 1
    assert order.total_price == "0.00"
    assert order.title == "插件订购"
    assert plugin.is_plugin_authorisation
    assert plugin.trigger == "appstore"
    assert plugin.detail.authorised_app_id == APP_ID
    assert plugin.detail.user_id == subscription.merchant_pid
    token = plugin.detail.app_auth_token

    page = client.query_servicemarket_order(order_id)
    assert isinstance(page, ServiceMarketOrderPage)
    assert page.status == "MERCHANT_ORDED"
    assert (page.current_page, page.total_size, page.has_next) == (1, 1, False)
    assert page.auto_upgrade is False
    assert page.specifications == "标准版"
    assert page.commodity_id
    (item,) = page.items
    assert isinstance(item, ServiceMarketOrderItem)
    assert item.order_status == "TO_DO"
    assert item.mini_app_id == subscription.auth_app_id
    assert item.merchant_pid == subscription.merchant_pid
    assert item.merchant_name
    assert item.commodity_id == page.commodity_id
    assert item.shop_id is None and item.shop_name is None and item.mini_app_name is None
    assert item.fields["order_status"] == "TO_DO"
    item.fields.clear()  # a new dict each time: the item stays as answered
    assert item.fields["mini_app_id"] == subscription.auth_app_id
    assert repr(page).startswith(
        f"ServiceMarketOrderPage(commodity_id='{page.commodity_id}', status='MERCHANT_ORDED', "
        "specifications='标准版', auto_upgrade=False, current_page=1, total_size=1, "
        "items=[ServiceMarketOrderItem(order_status='TO_DO', "
        f"mini_app_id='{subscription.auth_app_id}', shop_id=None, "
    )
    assert "fields=['" in repr(item) and item.merchant_name not in repr(item)
    target = {"mini_app_id": subscription.auth_app_id}

    # Completing before accepting is a wrong item state.
    early = refused(client.complete_servicemarket_order_item, order_id, **target)
    assert early.sub_code == "ITEM_STATUS_NOT_ALLOW"
    assert early.hint and early.signed

    assert client.accept_servicemarket_order(order_id) is None
    again = refused(client.accept_servicemarket_order, order_id)
    assert again.sub_code == "COMMODITY_ORDER_STATUS_INVALID"
    assert again.hint and "query it" in again.hint
    late = refused(client.reject_servicemarket_order, order_id, "暂不支持该地区服务")
    assert late.sub_code == "COMMODITY_ORDER_STATUS_INVALID"
    accepted = client.query_servicemarket_order(order_id, 1)
    assert accepted.status == "ISV_ACCEPTED"
    assert accepted.items[0].order_status == "DOING"

    assert client.complete_servicemarket_order_item(order_id, **target) is None
    no_token = refused(client.confirm_servicemarket_order_item, order_id, "", **target)
    assert no_token.sub_code == "isv.self-invoke-forbidden"
    assert client.confirm_servicemarket_order_item(order_id, token, **target) is None

    queries = setup.emulator.call_count(QUERY)
    pages = client.servicemarket_order_pages(order_id)
    assert isinstance(pages, ServiceMarketOrderPages)
    assert iter(pages) is pages
    assert pages.commodity_order_id == order_id
    assert repr(pages) == f"ServiceMarketOrderPages(commodity_order_id='{order_id}', next_page=1)"
    assert setup.emulator.call_count(QUERY) == queries, "nothing is fetched before next()"
    every = list(pages)
    assert [(p.current_page, p.status) for p in every] == [(1, "ISV_ACCEPTED")]
    assert every[0].items[0].order_status == "DONE"
    assert setup.emulator.call_count(QUERY) == queries + 1, "one call, no page after the last"
    assert next(pages, None) is None
    assert repr(pages).endswith("next_page=None)")

    done = refused(client.cancel_servicemarket_order_item, order_id, "不再需要", **target)
    assert done.sub_code == "ITEM_STATUS_NOT_ALLOW"
    missing = refused(
        client.complete_servicemarket_order_item, order_id, mini_app_id="2021000000009999"
    )
    assert missing.sub_code == "COMMODITY_ORDER_ITEM_NOT_EXIST"
    shop = refused(client.complete_servicemarket_order_item, order_id, shop_id="2018000000000001")
    assert shop.sub_code == "COMMODITY_ORDER_ITEM_NOT_EXIST"


def test_the_item_is_named_by_exactly_one_id_and_nothing_empty_is_sent(setup: Setup) -> None:
    client = setup.client
    subscription = setup.emulator.subscribe()
    order_id = subscription.commodity_order_id
    calls = setup.emulator.total_calls()
    with pytest.raises(ConfigError, match="mini_app_id"):
        client.complete_servicemarket_order_item(order_id)
    with pytest.raises(ConfigError, match="not both"):
        client.cancel_servicemarket_order_item(
            order_id, "x", mini_app_id=subscription.auth_app_id, shop_id="1"
        )
    with pytest.raises(ConfigError):
        client.confirm_servicemarket_order_item(order_id, "token")
    with pytest.raises(ConfigError, match="shop_id"):
        client.complete_servicemarket_order_item(order_id, shop_id=" ")
    with pytest.raises(ConfigError, match="cancel_reason"):
        client.cancel_servicemarket_order_item(order_id, "", mini_app_id=subscription.auth_app_id)
    with pytest.raises(ConfigError, match="reject_reason"):
        client.reject_servicemarket_order(order_id, " ")
    with pytest.raises(ConfigError, match="commodity_order_id"):
        client.accept_servicemarket_order("")
    with pytest.raises(ConfigError, match="pages count from 1"):
        client.query_servicemarket_order(order_id, 0)
    with pytest.raises(ConfigError):
        next(client.servicemarket_order_pages(""))
    with pytest.raises(TypeError):
        client.complete_servicemarket_order_item(order_id, subscription.auth_app_id)
    assert setup.emulator.total_calls() == calls


def test_a_rejected_order_rejects_its_items(setup: Setup) -> None:
    client = setup.client
    subscription = setup.emulator.subscribe()
    order_id = subscription.commodity_order_id
    assert client.reject_servicemarket_order(order_id, "暂不支持该地区服务") is None
    page = client.query_servicemarket_order(order_id)
    assert page.status == "ISV_REJECTED"
    assert page.items[0].order_status == "ISV_REJECTED"
    late = refused(client.accept_servicemarket_order, order_id)
    assert late.sub_code == "COMMODITY_ORDER_STATUS_INVALID"
    rejected = refused(
        client.cancel_servicemarket_order_item,
        order_id,
        "不再需要",
        mini_app_id=subscription.auth_app_id,
    )
    assert rejected.sub_code == "ITEM_STATUS_NOT_ALLOW"


def test_a_cancelled_item_stays_cancelled(setup: Setup) -> None:
    client = setup.client
    subscription = setup.emulator.subscribe()
    order_id = subscription.commodity_order_id
    target = {"mini_app_id": subscription.auth_app_id}
    client.accept_servicemarket_order(order_id)
    assert client.cancel_servicemarket_order_item(order_id, "当前区域不支持实施", **target) is None
    assert client.query_servicemarket_order(order_id).items[0].order_status == "ISV_CANCELLED"
    again = refused(client.complete_servicemarket_order_item, order_id, **target)
    assert again.sub_code == "ITEM_STATUS_NOT_ALLOW"
    twice = refused(client.cancel_servicemarket_order_item, order_id, "再次取消", **target)
    assert twice.sub_code == "ITEM_STATUS_NOT_ALLOW"


def test_an_unknown_order_does_not_exist(setup: Setup) -> None:
    client = setup.client
    for call, args in (
        (client.accept_servicemarket_order, ()),
        (client.reject_servicemarket_order, ("暂不支持",)),
        (client.query_servicemarket_order, ()),
    ):
        unknown = refused(call, UNKNOWN_ORDER, *args)
        assert unknown.sub_code == "ORDER_NOT_EXIST", call
        assert unknown.hint and unknown.signed
    unknown_item = refused(
        client.complete_servicemarket_order_item, UNKNOWN_ORDER, mini_app_id="2021000000000201"
    )
    assert unknown_item.sub_code == "ORDER_NOT_EXIST"
    pages = client.servicemarket_order_pages(UNKNOWN_ORDER)
    with pytest.raises(ApiError) as raised:
        next(pages)
    assert raised.value.sub_code == "ORDER_NOT_EXIST"
    assert list(pages) == [], "an error ends the iteration"


def test_the_authorisation_may_come_first_and_an_order_may_be_unknown_to_the_query(
    setup: Setup,
) -> None:
    client = setup.client
    subscription = setup.emulator.subscribe(
        authorisation_first=True, unknown_to_query=True, total_price="9.90", title="门店插件"
    )
    order_id = subscription.commodity_order_id
    order, plugin = pushes(setup, subscription)
    assert kinds(setup) == ["open_app_auth_notify", SERVICEMARKET_ORDER_NOTIFY]
    assert (order.total_price, order.title) == ("9.90", "门店插件")
    unknown = refused(client.query_servicemarket_order, order_id)
    assert unknown.sub_code == "ORDER_NOT_EXIST"
    pages = client.servicemarket_order_pages(order_id)
    with pytest.raises(ApiError):
        next(pages)
    assert next(pages, None) is None
    # The other calls know the order; a priced item is confirmed by the merchant only.
    target = {"mini_app_id": subscription.auth_app_id}
    client.accept_servicemarket_order(order_id)
    client.complete_servicemarket_order_item(order_id, **target)
    priced = refused(
        client.confirm_servicemarket_order_item,
        order_id,
        plugin.detail.app_auth_token,
        **target,
    )
    assert priced.sub_code == "CONFIRM_CHARGE_ITEM_NOT_ALLOW"
    with pytest.raises(ConfigError, match="total_price"):
        setup.emulator.subscribe(total_price="free")


def test_the_subscribing_merchant_and_app_may_be_chosen(setup: Setup) -> None:
    token, auth_app_id = authorise_merchant(setup)
    owner = setup.client.query_app_auth_token(token).user_id
    chosen = setup.emulator.subscribe(
        merchant_pid="2088000000000777", auth_app_id="2021000000000777"
    )
    assert (chosen.merchant_pid, chosen.auth_app_id) == ("2088000000000777", "2021000000000777")
    (item,) = setup.client.query_servicemarket_order(chosen.commodity_order_id).items
    assert (item.merchant_pid, item.mini_app_id) == ("2088000000000777", "2021000000000777")
    # Another merchant's token cannot confirm this order's item.
    setup.client.accept_servicemarket_order(chosen.commodity_order_id)
    setup.client.complete_servicemarket_order_item(
        chosen.commodity_order_id, mini_app_id="2021000000000777"
    )
    foreign = refused(
        setup.client.confirm_servicemarket_order_item,
        chosen.commodity_order_id,
        token,
        mini_app_id="2021000000000777",
    )
    assert foreign.sub_code == "NO_PERMISSION_COMFIRM_ORDERITEM"
    # A mini program that authorised before orders as its owner.
    known = setup.emulator.subscribe(auth_app_id=auth_app_id)
    assert (known.auth_app_id, known.merchant_pid) == (auth_app_id, owner)


def test_the_order_push_is_retried_until_acknowledged(setup: Setup) -> None:
    setup.gateway.failing_only = SERVICEMARKET_ORDER_NOTIFY.encode()
    setup.gateway.failures_left = 2
    subscription = setup.emulator.subscribe()
    order, _ = pushes(setup, subscription)
    assert setup.emulator.wait_for_deliveries(2)
    attempts = {d.kind: (d.attempts, d.acknowledged) for d in setup.emulator.deliveries()}
    assert attempts == {
        SERVICEMARKET_ORDER_NOTIFY: (3, True),
        "open_app_auth_notify": (1, True),
    }
    assert setup.gateway.failures_left == 0
    # Acknowledged once, it arrived once.
    assert sum(order.notify_id.encode() in body for body in setup.gateway.bodies) == 1


def test_the_pages_iterator_steps_one_thread_at_a_time(setup: Setup) -> None:
    subscription = setup.emulator.subscribe()
    pages = setup.client.servicemarket_order_pages(subscription.commodity_order_id)
    queries = setup.emulator.call_count(QUERY)
    start = threading.Barrier(4)

    def step(_: int) -> ServiceMarketOrderPage | None:
        start.wait()
        return next(pages, None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(step, range(4)))
    assert sum(result is not None for result in results) == 1, results
    assert setup.emulator.call_count(QUERY) == queries + 1


def test_the_aio_client_walks_an_order(setup: Setup) -> None:
    subscription = setup.emulator.subscribe()
    order_id = subscription.commodity_order_id
    _, plugin = pushes(setup, subscription)
    target = {"mini_app_id": subscription.auth_app_id}

    async def main() -> None:
        client = aio.Client.wrap(setup.client)
        page = await client.query_servicemarket_order(order_id)
        assert page.status == "MERCHANT_ORDED"
        await client.accept_servicemarket_order(order_id)
        with pytest.raises(ApiError) as raised:
            await client.accept_servicemarket_order(order_id)
        assert raised.value.sub_code == "COMMODITY_ORDER_STATUS_INVALID"
        await client.complete_servicemarket_order_item(order_id, **target)
        await client.confirm_servicemarket_order_item(
            order_id, plugin.detail.app_auth_token, **target
        )
        every = [page async for page in client.servicemarket_order_pages(order_id)]
        assert [p.items[0].order_status for p in every] == ["DONE"]
        with pytest.raises(ApiError) as unknown:
            async for _ in client.servicemarket_order_pages(UNKNOWN_ORDER):
                pass
        assert unknown.value.sub_code == "ORDER_NOT_EXIST"

        other = setup.emulator.subscribe()
        await client.reject_servicemarket_order(other.commodity_order_id, "暂不支持")
        third = setup.emulator.subscribe()
        await client.accept_servicemarket_order(third.commodity_order_id)
        await client.cancel_servicemarket_order_item(
            third.commodity_order_id, "不再需要", mini_app_id=third.auth_app_id
        )
        rejected = await client.query_servicemarket_order(other.commodity_order_id, page=1)
        cancelled = await client.query_servicemarket_order(third.commodity_order_id)
        assert rejected.status == "ISV_REJECTED"
        assert cancelled.items[0].order_status == "ISV_CANCELLED"

    asyncio.run(main())
