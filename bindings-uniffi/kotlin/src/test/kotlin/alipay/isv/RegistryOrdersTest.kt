package alipay.isv

import alipay.isv.Emulators.step
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Path
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The registry's service-market orders and its app keys (the core's `registry/orders.rs`, schema 3):
 * orders ingested from the emulator's verified pushes (once, whatever the retries), linked to the plugin
 * authorisation in either order, walked through the registry's order calls (accept, complete, confirm
 * with the stored token, refresh from a query, reject, cancel) with every step in the history, refused
 * before any call for an unknown order; records keyed by (our app, merchant app) with one client per
 * app (`clients`, `defaultAppId`, `getForApp`, `tokenForApp`), kept across reopening; and
 * `OrderRecord.toString()` masking the contact person and phone. The store's tests run on a SQLite
 * file, a PostgreSQL database and a MySQL database ([TestStore]).
 */
class RegistryOrdersTest {
    @TempDir
    lateinit var dir: Path

    /** The pushes of `emulator` so far (waiting for `count`), verified as an application gateway does. */
    private fun pushed(emulator: Emulator, count: Int): List<Notification> {
        assertTrue(emulator.waitForDeliveries(count.toUInt(), Duration.ofSeconds(10)))
        val verifier = Emulators.config(emulator).notificationVerifier()
        return emulator.deliveries().map { verifier.verifyBody(it.body.toByteArray()) }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `an order is stored once, linked to its authorisation, and walked through the registry`(store: TestStore) {
        Emulators.start().use { emulator ->
            val registry = Registry.open(store.fresh(dir, "orders"), client = Emulators.client(emulator))
            val subscription = emulator.subscribe()
            val id = subscription.commodityOrderId
            val (message, plugin) = pushed(emulator, 2)
            assertIs<Notification.ServiceMarketOrder>(message)
            assertIs<Notification.AppAuth>(plugin)

            assertNull(registry.order(id))
            assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(message))
            assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(message))
            // The order came first: its authorisation is not there yet.
            assertNull(registry.orderAuthorisation(id))
            assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(plugin))
            val authorisation = assertNotNull(registry.orderAuthorisation(id))
            assertEquals(subscription.authAppId, authorisation.authAppId)
            assertEquals(Apps.APP_ID, authorisation.appId)

            val order = assertNotNull(registry.order(id))
            assertEquals(Apps.APP_ID, order.appId)
            assertEquals(subscription.merchantPid, order.merchantPid)
            assertEquals(subscription.authAppId, order.consumerMiniAppId)
            assertEquals("0.00", order.totalPrice)
            assertEquals(orderPlaced(), order.status)
            assertEquals(1L, order.version)
            assertEquals(message.notifyId, order.notifyId)
            assertEquals(message.params, order.params)
            assertTrue(order.items.isEmpty())
            assertEquals(listOf("notification" to "MERCHANT_ORDED"), order.history.map { it.source to it.status })
            assertEquals(listOf(order), registry.orders())

            val item = OrderItemTarget.MiniApp(subscription.authAppId)
            val accepted = step("accept") { registry.acceptOrder(id) }
            assertEquals("ISV_ACCEPTED", accepted.status)
            assertNull(accepted.itemStatus(item))
            // A query brings the item's state (DOING once accepted) into the record.
            val refreshed = step("refresh") { registry.refreshOrder(id) }
            assertEquals("DOING", refreshed.itemStatus(item))
            assertTrue(refreshed.items.single().isItem(item))
            assertFalse(refreshed.items.single().isItem(OrderItemTarget.Shop(subscription.authAppId)))
            assertEquals("query", refreshed.history.last().source)
            assertEquals("TO_CONFIRM", step("complete") { registry.completeOrderItem(id, item) }.itemStatus(item))
            val done = step("confirm") { registry.confirmOrderItem(id, item) }
            assertEquals("DONE", done.itemStatus(item))
            assertEquals(
                listOf("notification", "accept", "query", "item.complete", "item.confirm"),
                done.history.map { it.source },
            )
            assertEquals(done, registry.order(id))
            assertTrue(done.history.zipWithNext().all { (a, b) -> a.atMs <= b.atMs }, "${done.history}")

            // A call Alipay refuses records nothing.
            val again = assertThrows<AlipayException.Api> { registry.acceptOrder(id) }
            assertEquals("COMMODITY_ORDER_STATUS_INVALID", again.subCode)
            assertEquals(done.version, registry.order(id)?.version)
            registry.close()
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `orders are rejected and items cancelled through the registry, unknown orders make no call`(store: TestStore) {
        Emulators.start().use { emulator ->
            val registry = Registry.open(store.fresh(dir, "rejected"), client = Emulators.client(emulator))
            val rejected = emulator.subscribe()
            val cancelled = emulator.subscribe()
            pushed(emulator, 4).filterIsInstance<Notification.ServiceMarketOrder>().forEach {
                assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(it))
            }
            assertEquals(setOf(rejected.commodityOrderId, cancelled.commodityOrderId), registry.orders().map { it.commodityOrderId }.toSet())

            val no = registry.rejectOrder(rejected.commodityOrderId, "暂不支持该地区服务")
            assertEquals(orderRejected(), no.status)
            assertEquals("reject", no.history.last().source)

            registry.acceptOrder(cancelled.commodityOrderId)
            val item = OrderItemTarget.MiniApp(cancelled.authAppId)
            val gone = registry.cancelOrderItem(cancelled.commodityOrderId, item, "当前区域不支持实施")
            assertEquals(itemCancelled(), gone.itemStatus(item))
            assertEquals(Triple("item.cancel", "ISV_CANCELLED", cancelled.authAppId), gone.history.last().let { Triple(it.source, it.status, it.item) })
            // Only the order message was ingested: no authorisation to confirm with.
            val noToken = assertThrows<AlipayException.Store> { registry.confirmOrderItem(cancelled.commodityOrderId, item) }
            assertContains(noToken.reason(), cancelled.merchantPid)

            val calls = emulator.totalCalls()
            val unknown = "20190101000000000000000"
            assertNull(registry.order(unknown))
            for (call in listOf<() -> Any?>(
                { registry.acceptOrder(unknown) },
                { registry.rejectOrder(unknown, "无此订单") },
                { registry.completeOrderItem(unknown, item) },
                { registry.cancelOrderItem(unknown, item, "无此订单") },
                { registry.refreshOrder(unknown) },
                { registry.orderAuthorisation(unknown) },
            )) {
                val error = assertThrows<AlipayException.Store> { call() }
                assertContains(error.reason(), unknown)
            }
            assertEquals(calls, emulator.totalCalls())

            // Without a client the registry cannot call.
            val bare = Registry.inMemory()
            assertEquals("", bare.defaultAppId())
            pushed(emulator, 4).filterIsInstance<Notification.ServiceMarketOrder>().forEach { bare.ingestNotification(it) }
            assertThrows<AlipayException.Config> { bare.acceptOrder(rejected.commodityOrderId) }
            registry.close()
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `records are keyed by our app and the merchant app, one client per app`(store: TestStore) {
        val plugin = "2021000000000002"
        val merchantApp = "2021000000000888"
        val now = System.currentTimeMillis()
        val mine = Registries.authorisation("n-app-1", merchantApp, "token-of-the-app-000001", now - 5_000)
        val theirs = Notification.AppAuth(
            notifyId = "n-app-2",
            notifyTime = null,
            appId = plugin,
            status = "execute_auth",
            detail = AppAuthDetail(
                "token-of-the-plugin-0001", "token-of-the-plugin-0001-refresh", Registries.PID, merchantApp,
                31_536_000, 32_140_800, now - 4_000, null, authorisedAppId = plugin, agentAppId = Apps.APP_ID,
            ),
            params = emptyMap(),
            trigger = "appstore",
            pluginAuthorisation = true,
        )
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val pluginClient = Client(IsvConfig(plugin, Apps.appPrivate, Apps.alipayPublic, gateway = emulator.gatewayUrl()))
            val path = store.fresh(dir, "apps")
            Registry.open(path, client = client, clients = listOf(pluginClient)).use { registry ->
                assertEquals(Apps.APP_ID, registry.defaultAppId())
                assertContains(registry.toString(), plugin)
                assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(mine))
                assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(theirs))
                assertEquals(2, registry.list().size)
                val own = assertNotNull(registry.getForApp(Apps.APP_ID, merchantApp))
                val other = assertNotNull(registry.getForApp(plugin, merchantApp))
                assertNotEquals(own, other)
                assertEquals(plugin, other.appId)
                assertEquals("token-of-the-plugin-0001", registry.tokenForApp(plugin, merchantApp))
                assertEquals("token-of-the-app-000001", registry.tokenForApp(Apps.APP_ID, merchantApp))
                // Asked by the merchant app alone: the default app's.
                assertEquals(own, registry.get(merchantApp))
                assertEquals("token-of-the-app-000001", registry.tokenFor(merchantApp))
                assertNull(registry.getForApp("2021000000000003", merchantApp))
                assertThrows<AlipayException.Store> { registry.tokenForApp("2021000000000003", merchantApp) }
                assertFalse(own.toString().contains("token-of-the-app"), own.toString())
                assertContains(own.toString(), "appId=${Apps.APP_ID}")
            }
            // Reopened with no client: no default app, so the merchant app alone is ambiguous.
            Registry.open(path).use { reopened ->
                assertEquals("", reopened.defaultAppId())
                val ambiguous = assertThrows<AlipayException.Store> { reopened.get(merchantApp) }
                assertContains(ambiguous.reason(), plugin)
                assertContains(ambiguous.reason(), "get_for_app")
                assertEquals("token-of-the-plugin-0001", reopened.getForApp(plugin, merchantApp)?.appAuthToken)
            }
            // The plugin's client first: the plugin is the default app.
            Registry.open(path, client = pluginClient, clients = listOf(client)).use { reordered ->
                assertEquals(plugin, reordered.defaultAppId())
                assertEquals(plugin, reordered.get(merchantApp)?.appId)
            }
        }
    }

    @Test
    fun `an order's toString masks the contact person and phone`() {
        val registry = Registry.inMemory()
        val verifier = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic).notificationVerifier()
        val message = verifier.verifyBody(Gateways.order("n-mask-1", "20261121000000000042", "2088000000000042"))
        assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(message))
        val order = assertNotNull(registry.order("20261121000000000042"))
        assertEquals("测试联系人", order.contactor)
        assertEquals("17826894615", order.phone)
        assertEquals("杭州测试科技有限公司", order.merchantName)
        val shown = order.toString()
        for (personal in listOf("测试联系人", "17826894615", "1782", "杭州")) {
            assertFalse(shown.contains(personal), shown)
        }
        assertContains(shown, "contactor=${shown("contactor", "测试联系人")}")
        assertContains(shown, "phone=…(11 chars)")
        assertContains(shown, "commodityOrderId=20261121000000000042")
        assertContains(shown, "status=MERCHANT_ORDED")
        assertContains(shown, "\"phone\"")
        assertEquals(listOf(order), registry.orders())
        assertFalse(registry.orders().toString().contains("17826894615"))
    }
}
