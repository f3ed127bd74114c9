package alipay.isv

import alipay.isv.Emulators.step
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Service-market subscriptions against the emulator: `Emulator.subscribe` — the order message and the
 * plugin authorisation arrive at a stdlib HTTP server (either order) and verify typed — and the
 * order's walk through the `Client`'s typed calls: query (one page, every page, the lazy sequence),
 * accept, complete, confirm on the merchant's behalf with the plugin's token; reject; cancel; with
 * Alipay's `subCode` and a hint for every wrong state, an unknown order or item, a missing or foreign
 * token, a priced item, and the "unknown to the query" fault.
 */
class ServicemarketTest {
    private val query = "alipay.open.servicemarket.order.query"

    /** The API error `body` throws, with Alipay's `subCode`, signed, with a hint. */
    private fun api(subCode: String, body: () -> Unit): AlipayException.Api {
        val error = assertThrows<AlipayException.Api> { body() }
        assertEquals(subCode, error.subCode, error.toString())
        assertTrue(error.signed, error.toString())
        return error
    }

    /** Waits for the subscriptions' pushes and verifies every one, in the order they were made. */
    private fun pushes(emulator: Emulator, count: Int): List<Notification> {
        assertTrue(emulator.waitForDeliveries(count.toUInt(), Duration.ofSeconds(10)))
        val verifier = Emulators.config(emulator).notificationVerifier()
        return emulator.deliveries().map { verifier.verifyBody(it.body.toByteArray()) }
    }

    /** The latest plugin authorisation pushed for `authAppId`. */
    private fun plugin(emulator: Emulator, authAppId: String, count: Int): Notification.AppAuth =
        pushes(emulator, count).filterIsInstance<Notification.AppAuth>().last { it.detail.authAppId == authAppId }

    @Test
    fun `a subscription is pushed, typed, and walked to done`() {
        NotificationReceiver().use { receiver ->
            Emulators.start(receiver.url).use { emulator ->
                val client = Emulators.client(emulator)
                val verifier = Emulators.config(emulator).notificationVerifier()
                val subscription = step("subscribe") { emulator.subscribe() }
                val id = subscription.commodityOrderId
                assertTrue(id.length >= 16 && id.all { it.isDigit() }, id)

                // Both pushes reach the application gateway (each on its own, in any order) and verify.
                val received = step("pushes") { listOf(receiver.next(), receiver.next()).map { verifier.verifyBody(it) } }
                val order = received.filterIsInstance<Notification.ServiceMarketOrder>().single()
                assertEquals(id, order.commodityOrderId)
                assertEquals(subscription.merchantPid, order.merchantPid)
                assertEquals(subscription.authAppId, order.consumerMiniAppId)
                assertEquals(Apps.APP_ID, order.appId)
                assertEquals(1u, order.orderItemNum)
                assertEquals("0.00", order.totalPrice)
                assertEquals("servicemarket_order", order.kind())
                val plugin = received.filterIsInstance<Notification.AppAuth>().single()
                assertTrue(plugin.pluginAuthorisation, plugin.toString())
                assertEquals("appstore", plugin.trigger)
                assertEquals(subscription.authAppId, plugin.detail.authAppId)
                assertEquals(subscription.merchantPid, plugin.detail.userId)
                assertEquals(Apps.APP_ID, plugin.detail.authorisedAppId)
                val token = plugin.detail.appAuthToken
                assertFalse(plugin.toString().contains(token), plugin.toString())
                assertTrue(emulator.waitForDeliveries(2u, Duration.ofSeconds(10)))
                val deliveries = emulator.deliveries()
                assertEquals(listOf("servicemarket_order_notify", "open_app_auth_notify"), deliveries.map { it.kind })
                assertTrue(deliveries.all { it.acknowledged && it.authAppId == subscription.authAppId }, "$deliveries")

                val page = step("query") { client.queryServicemarketOrder(id) }
                assertEquals("MERCHANT_ORDED", page.status)
                assertEquals(1uL, page.currentPage)
                assertEquals(1uL, page.totalSize)
                assertFalse(page.hasNext())
                assertNotNull(page.commodityId)
                val first = page.items.single()
                assertEquals("TO_DO", first.orderStatus)
                assertEquals(subscription.authAppId, first.miniAppId)
                assertEquals(subscription.merchantPid, first.merchantPid)
                assertNull(first.shopId)
                assertEquals("TO_DO", first.fields["order_status"])
                assertEquals(subscription.authAppId, JSONObject(first.fieldsJson).getString("mini_app_id"))
                assertContains(page.toString(), "orderStatus=TO_DO")
                assertFalse(page.toString().contains(assertNotNull(first.merchantName)), page.toString())
                val item = OrderItemTarget.MiniApp(subscription.authAppId)

                // Completing before accepting is a wrong item state.
                val early = api("ITEM_STATUS_NOT_ALLOW") { client.completeServicemarketOrderItem(id, item) }
                assertNotNull(early.hint, early.toString())

                step("accept") { client.acceptServicemarketOrder(id) }
                val again = api("COMMODITY_ORDER_STATUS_INVALID") { client.acceptServicemarketOrder(id) }
                assertContains(assertNotNull(again.hint), "query it")
                api("COMMODITY_ORDER_STATUS_INVALID") { client.rejectServicemarketOrder(id, "暂不支持该地区服务") }
                assertEquals("DOING", client.queryServicemarketOrder(id).items.single().orderStatus)

                step("complete") { client.completeServicemarketOrderItem(id, item) }
                api("isv.self-invoke-forbidden") { client.confirmServicemarketOrderItem(id, item, "") }
                step("confirm") { client.confirmServicemarketOrderItem(id, item, token) }

                val pages = step("pages") { client.servicemarketOrderPages(id) }
                assertEquals(1, pages.size)
                assertEquals("ISV_ACCEPTED", pages.single().status)
                assertEquals("DONE", pages.single().items.single().orderStatus)

                // The sequence is lazy: no call until it is iterated, then one per page.
                val before = emulator.callCount(query)
                val sequence = client.servicemarketOrderPageSequence(id)
                assertEquals(before, emulator.callCount(query))
                assertEquals(pages, sequence.toList())
                assertEquals(before + 1u, emulator.callCount(query))
                assertEquals(listOf("DONE"), sequence.flatMap { it.items }.map { it.orderStatus }.toList())

                api("ITEM_STATUS_NOT_ALLOW") { client.cancelServicemarketOrderItem(id, item, "不再需要") }
                api("COMMODITY_ORDER_ITEM_NOT_EXIST") {
                    client.completeServicemarketOrderItem(id, OrderItemTarget.MiniApp("2021000000009999"))
                }
                api("COMMODITY_ORDER_ITEM_NOT_EXIST") {
                    client.completeServicemarketOrderItem(id, OrderItemTarget.Shop("2015051100077000000001"))
                }
            }
        }
    }

    @Test
    fun `empty ids, reasons and page 0 are refused before any call`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val id = emulator.subscribe().commodityOrderId
            val calls = emulator.totalCalls()
            assertThrows<AlipayException.Config> { client.queryServicemarketOrder(id, 0uL) }
            assertThrows<AlipayException.Config> { client.acceptServicemarketOrder(" ") }
            assertThrows<AlipayException.Config> { client.rejectServicemarketOrder(id, "") }
            assertThrows<AlipayException.Config> { client.completeServicemarketOrderItem(id, OrderItemTarget.Shop("")) }
            assertThrows<AlipayException.Config> {
                client.cancelServicemarketOrderItem(id, OrderItemTarget.MiniApp("2021000000000201"), " ")
            }
            assertEquals(calls, emulator.totalCalls())
        }
    }

    @Test
    fun `a rejected order rejects its items`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val subscription = emulator.subscribe()
            val id = subscription.commodityOrderId
            client.rejectServicemarketOrder(id, "暂不支持该地区服务")
            val page = client.queryServicemarketOrder(id)
            assertEquals("ISV_REJECTED", page.status)
            assertEquals("ISV_REJECTED", page.items.single().orderStatus)
            api("COMMODITY_ORDER_STATUS_INVALID") { client.acceptServicemarketOrder(id) }
            api("COMMODITY_ORDER_STATUS_INVALID") { client.rejectServicemarketOrder(id, "再次拒绝") }
            api("ITEM_STATUS_NOT_ALLOW") {
                client.completeServicemarketOrderItem(id, OrderItemTarget.MiniApp(subscription.authAppId))
            }
        }
    }

    @Test
    fun `a cancelled item stays cancelled`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val accepted = emulator.subscribe()
            val item = OrderItemTarget.MiniApp(accepted.authAppId)
            client.acceptServicemarketOrder(accepted.commodityOrderId)
            client.cancelServicemarketOrderItem(accepted.commodityOrderId, item, "当前区域不支持实施")
            assertEquals("ISV_CANCELLED", client.queryServicemarketOrder(accepted.commodityOrderId).items.single().orderStatus)
            api("ITEM_STATUS_NOT_ALLOW") { client.completeServicemarketOrderItem(accepted.commodityOrderId, item) }
            api("ITEM_STATUS_NOT_ALLOW") {
                client.cancelServicemarketOrderItem(accepted.commodityOrderId, item, "当前区域不支持实施")
            }

            // An item awaiting the ISV may be cancelled too; the order itself still awaits it.
            val waiting = emulator.subscribe()
            client.cancelServicemarketOrderItem(waiting.commodityOrderId, OrderItemTarget.MiniApp(waiting.authAppId), "无法实施")
            val page = client.queryServicemarketOrder(waiting.commodityOrderId)
            assertEquals("MERCHANT_ORDED", page.status)
            assertEquals("ISV_CANCELLED", page.items.single().orderStatus)
        }
    }

    @Test
    fun `an unknown order is ORDER_NOT_EXIST, with a hint`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val unknown = "201901010000000000000000"
            val error = api("ORDER_NOT_EXIST") { client.acceptServicemarketOrder(unknown) }
            assertNotNull(error.hint, error.toString())
            api("ORDER_NOT_EXIST") { client.queryServicemarketOrder(unknown) }
            api("ORDER_NOT_EXIST") { client.servicemarketOrderPages(unknown) }
            api("ORDER_NOT_EXIST") { client.rejectServicemarketOrder(unknown, "无此订单") }
            api("ORDER_NOT_EXIST") { client.completeServicemarketOrderItem(unknown, OrderItemTarget.MiniApp("2021000000000201")) }
            val calls = emulator.callCount(query)
            val sequence = client.servicemarketOrderPageSequence(unknown).iterator()
            api("ORDER_NOT_EXIST") { sequence.next() }
            assertEquals(calls + 1u, emulator.callCount(query))
        }
    }

    @Test
    fun `the authorisation may come first, and an order may be unknown to the query`() {
        NotificationReceiver().use { receiver ->
            Emulators.start(receiver.url).use { emulator ->
                val client = Emulators.client(emulator)
                val options = SubscribeOptions(authorisationFirst = true, unknownToQuery = true, totalPrice = "9.90", title = "门店插件")
                val subscription = emulator.subscribe(options)
                val id = subscription.commodityOrderId
                val pushed = pushes(emulator, 2)
                val plugin = assertIs<Notification.AppAuth>(pushed[0], "$pushed")
                val order = assertIs<Notification.ServiceMarketOrder>(pushed[1], "$pushed")
                assertEquals(listOf("open_app_auth_notify", "servicemarket_order_notify"), emulator.deliveries().map { it.kind })
                assertEquals("9.90", order.totalPrice)
                assertEquals("门店插件", order.title)
                assertEquals(id, order.commodityOrderId)
                // Both arrived at the application gateway too.
                val verifier = Emulators.config(emulator).notificationVerifier()
                val arrived = listOf(receiver.next(), receiver.next()).map { verifier.verifyBody(it).kind() }.toSet()
                assertEquals(setOf("app_auth", "servicemarket_order"), arrived)

                api("ORDER_NOT_EXIST") { client.queryServicemarketOrder(id) }
                api("ORDER_NOT_EXIST") { client.servicemarketOrderPages(id) }
                assertThrows<AlipayException.Api> { client.servicemarketOrderPageSequence(id).first() }

                // The other calls know the order; a priced item is confirmed by the merchant only.
                val item = OrderItemTarget.MiniApp(subscription.authAppId)
                client.acceptServicemarketOrder(id)
                client.completeServicemarketOrderItem(id, item)
                api("CONFIRM_CHARGE_ITEM_NOT_ALLOW") {
                    client.confirmServicemarketOrderItem(id, item, plugin.detail.appAuthToken)
                }
            }
        }
    }

    @Test
    fun `another merchant's token cannot confirm, and options pick the merchant`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val first = emulator.subscribe()
            val second = emulator.subscribe(SubscribeOptions(merchantPid = "2088000000000777", authAppId = "2021000000000777"))
            assertEquals("2088000000000777", second.merchantPid)
            assertEquals("2021000000000777", second.authAppId)
            // Ordering again for a mini program that already authorised: its merchant is the owner.
            val third = emulator.subscribe(SubscribeOptions(authAppId = "2021000000000777"))
            assertEquals("2088000000000777", third.merchantPid)

            val item = OrderItemTarget.MiniApp(first.authAppId)
            client.acceptServicemarketOrder(first.commodityOrderId)
            client.completeServicemarketOrderItem(first.commodityOrderId, item)
            val foreign = plugin(emulator, second.authAppId, 6).detail.appAuthToken
            api("NO_PERMISSION_COMFIRM_ORDERITEM") { client.confirmServicemarketOrderItem(first.commodityOrderId, item, foreign) }
            val own = plugin(emulator, first.authAppId, 6).detail.appAuthToken
            client.confirmServicemarketOrderItem(first.commodityOrderId, item, own)
            assertEquals("DONE", client.queryServicemarketOrder(first.commodityOrderId).items.single().orderStatus)

            val bad = assertThrows<AlipayException.Config> { emulator.subscribe(SubscribeOptions(totalPrice = "free")) }
            assertContains(bad.reason(), "total_price")
        }
    }
}
