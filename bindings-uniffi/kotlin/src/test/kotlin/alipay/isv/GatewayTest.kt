package alipay.isv

import alipay.isv.Emulators.VERSIONS
import alipay.isv.Emulators.step
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import java.util.Collections
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The application gateway (`Gateway`, `GatewayHandlers`, `GatewayHttpHandler`) over real HTTP: a JDK
 * `HttpServer` on loopback serves the adapter and the emulator pushes to it. A subscription end to end
 * (the order stored and accepted by the handler through the registry, the plugin authorisation ingested,
 * a delegated call, the item completed and confirmed, the history); a push answered `fail` retried and
 * stored once, its handler run twice and never a third time; bad input refused with its status (415,
 * 413, 400, 405) and nothing stored; the gateway check; a second plugin's authorisation for the same
 * merchant app kept apart; an order for an unknown merchant; the two-phase `receive` / `finish`.
 */
class GatewayTest {
    /** The registry, gateway and emulator of one test: the emulator pushes to `server`. */
    private class Rig(
        handlers: (Registry) -> GatewayHandlers,
        maxBodyBytes: ULong? = null,
        clients: List<Client> = emptyList(),
    ) : AutoCloseable {
        val emulator = Emulators.start()
        val config = IsvConfig(
            Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(),
            gateway = emulator.gatewayUrl(), maxBodyBytes = maxBodyBytes,
        )
        val client = Client(config)
        val registry = Registry.inMemory(client, clients = clients)
        val gateway = Gateway(config, registry)
        val server = GatewayServer(gateway, handlers(registry))

        init {
            emulator.setNotifyUrl(server.url)
        }

        /** Waits until `count` pushes are finished. */
        fun settle(count: Int) = assertTrue(emulator.waitForDeliveries(count.toUInt(), Duration.ofSeconds(20)), "pushes unfinished")

        override fun close() {
            server.close()
            emulator.close()
        }
    }

    @Test
    fun `a subscription goes end to end through the JDK adapter`() {
        val orders = Collections.synchronizedList(ArrayList<GatewayDelivery>())
        val authorisations = Collections.synchronizedList(ArrayList<GatewayDelivery>())
        val handlers = { registry: Registry ->
            GatewayHandlers(
                onOrder = { delivery ->
                    orders += delivery
                    val order = assertIs<Notification.ServiceMarketOrder>(delivery.notification)
                    // The order is stored before the handler runs: it accepts it through the registry.
                    assertEquals(orderPlaced(), registry.order(order.commodityOrderId)?.status)
                    registry.acceptOrder(order.commodityOrderId)
                },
                onAuthorisation = { authorisations += it },
            )
        }
        Rig(handlers).use { rig ->
            val subscription = step("subscribe") { rig.emulator.subscribe() }
            val id = subscription.commodityOrderId
            rig.settle(2)
            val deliveries = rig.emulator.deliveries()
            assertEquals(listOf("servicemarket_order_notify", "open_app_auth_notify"), deliveries.map { it.kind })
            assertTrue(deliveries.all { it.acknowledged && it.attempts == 1u }, "$deliveries")
            val results = listOf(rig.server.next(), rig.server.next())
            assertEquals(listOf("handled", "handled"), results.map { it.outcome })
            assertTrue(results.all { it.status == 200 && it.body == "success" && it.isSuccess() && it.error == null }, "$results")
            assertEquals(listOf(IngestOutcome.APPLIED, IngestOutcome.APPLIED), results.map { it.ingest })

            // The order: stored once, accepted by the handler, linked to the plugin authorisation.
            val delivered = orders.single()
            assertEquals(DeliveryKind.ORDER, delivered.kind)
            assertEquals("order", delivered.kind.wireName())
            assertEquals(IngestOutcome.APPLIED, delivered.ingest)
            assertEquals(deliveries[0].notifyId, delivered.notifyId)
            val accepted = assertNotNull(rig.registry.order(id))
            assertEquals(orderAccepted(), accepted.status)
            assertEquals(Apps.APP_ID, accepted.appId)
            assertEquals(subscription.merchantPid, accepted.merchantPid)
            assertEquals(subscription.authAppId, accepted.consumerMiniAppId)
            assertEquals(2L, accepted.version)
            assertEquals(listOf(rig.registry.order(id)), rig.registry.orders())

            // The plugin authorisation: delivered after being stored, its token masked everywhere.
            val plugin = authorisations.single()
            assertEquals(DeliveryKind.AUTHORISATION, plugin.kind)
            val auth = assertIs<Notification.AppAuth>(plugin.notification)
            assertTrue(auth.pluginAuthorisation)
            assertFalse(plugin.toString().contains(auth.detail.appAuthToken), plugin.toString())
            val record = assertNotNull(rig.registry.getForApp(Apps.APP_ID, subscription.authAppId))
            assertEquals(auth.detail.appAuthToken, record.appAuthToken)
            assertEquals(Apps.APP_ID, record.appId)
            assertEquals(record, rig.registry.orderAuthorisation(id))

            // A delegated call for the merchant, with the token the gateway stored.
            val versions = step("delegated call") { rig.registry.executeFor(subscription.authAppId, VERSIONS) }
            assertEquals("10000", versions.fields["code"])

            // The item completed, then confirmed on the merchant's behalf; the history shows each step.
            val item = OrderItemTarget.MiniApp(subscription.authAppId)
            assertEquals(itemToConfirm(), step("complete") { rig.registry.completeOrderItem(id, item) }.itemStatus(item))
            val done = step("confirm") { rig.registry.confirmOrderItem(id, item) }
            assertEquals(itemDone(), done.itemStatus(item))
            assertEquals(
                listOf(
                    Triple("notification", orderPlaced(), null),
                    Triple("accept", orderAccepted(), null),
                    Triple("item.complete", itemToConfirm(), subscription.authAppId),
                    Triple("item.confirm", itemDone(), subscription.authAppId),
                ),
                done.history.map { Triple(it.source, it.status, it.item) },
            )
            assertEquals("DONE", rig.client.queryServicemarketOrder(id).items.single().orderStatus)
            assertTrue(rig.server.drain().isEmpty())
        }
    }

    @Test
    fun `a push answered fail is retried and stored once`() {
        val calls = AtomicInteger()
        val handlers = { _: Registry ->
            GatewayHandlers(onOrder = {
                if (calls.incrementAndGet() == 1) throw IllegalStateException("the order table is locked")
            })
        }
        Rig(handlers).use { rig ->
            val id = rig.emulator.subscribe().commodityOrderId
            rig.settle(2)
            val order = rig.emulator.deliveries().single { it.kind == "servicemarket_order_notify" }
            assertTrue(order.acknowledged, "$order")
            assertEquals(2u, order.attempts, "$order")
            assertEquals(2, calls.get())

            val results = rig.server.drain()
            val failed = results.single { it.outcome == "handler_failed" }
            assertEquals(500, failed.status)
            assertEquals("fail", failed.body)
            assertNull(failed.error, "a handler's failure is not the library's error")
            assertContains(assertNotNull(failed.handlerError), "the order table is locked")
            assertFalse(failed.body.contains("locked"))
            // The retry found the order stored: the handler ran again, nothing was written twice.
            assertEquals(
                listOf(IngestOutcome.DUPLICATE),
                results.filter { it.outcome == "handled" && it.ingest != IngestOutcome.APPLIED }.map { it.ingest },
            )
            val stored = assertNotNull(rig.registry.order(id))
            assertEquals(1L, stored.version)
            assertEquals(listOf("notification"), stored.history.map { it.source })

            // Alipay sending it once more: acknowledged, the handler not called a third time.
            val again = Gateways.post(rig.server.url, order.body.toByteArray())
            assertEquals(200, again.statusCode())
            assertEquals("success", again.body())
            assertEquals("already_handled", rig.server.next().outcome)
            assertEquals(2, calls.get())
            assertEquals(1L, rig.registry.order(id)?.version)
        }
    }

    @Test
    fun `bad input is refused with its status and nothing is stored`() {
        val called = AtomicInteger()
        val counting = { _: Registry ->
            val count = { _: GatewayDelivery -> called.incrementAndGet(); Unit }
            GatewayHandlers(onOrder = count, onAuthorisation = count, onCancellation = count, onOther = count)
        }
        Rig(counting, maxBodyBytes = 4096uL).use { rig ->
            assertEquals(4096uL, rig.gateway.maxBodyBytes())
            val url = rig.server.url
            val body = Gateways.order("n-bad-1", "20261121000000000001", "2088000000000001")

            val json = Gateways.post(url, """{"notify_id":"1"}""".toByteArray(), "application/json")
            assertEquals(415 to "fail", json.statusCode() to json.body())
            val unsupported = rig.server.next()
            assertEquals("refused", unsupported.outcome)
            assertEquals("protocol", unsupported.error?.kind())

            val large = Gateways.post(url, ByteArray(4097) { 'a'.code.toByte() })
            assertEquals(413 to "fail", large.statusCode() to large.body())
            assertEquals("refused", rig.server.next().outcome)
            // Exactly at the limit is read and judged on its content (here: not signed).
            assertEquals(400, Gateways.post(url, ByteArray(4096) { 'a'.code.toByte() }).statusCode())
            assertEquals("refused", rig.server.next().outcome)

            val tampered = String(body).replace("0.00", "9.99").toByteArray()
            val forged = Gateways.post(url, tampered)
            assertEquals(400 to "fail", forged.statusCode() to forged.body())
            val refused = rig.server.next()
            assertEquals("signature", refused.error?.kind())
            assertFalse(refused.toString().contains("9.99"))

            // An order without its merchant is malformed: refused, not stored.
            val noMerchant = Gateways.signed(mapOf("notify_id" to "n-bad-2", "notify_type" to "servicemarket_order_notify", "commodity_order_id" to "1"))
            assertEquals(400, Gateways.post(url, noMerchant).statusCode())
            assertEquals("protocol", rig.server.next().error?.kind())

            val getting = Gateways.get(url)
            assertEquals(405, getting.statusCode())
            assertEquals("POST", getting.headers().firstValue("Allow").orElse(""))

            assertTrue(rig.registry.orders().isEmpty())
            assertTrue(rig.registry.list().isEmpty())
            assertEquals(0, called.get())

            // The same body, untampered, is stored and handled.
            val accepted = Gateways.post(url, body, null)
            assertEquals(200 to "success", accepted.statusCode() to accepted.body())
            assertEquals("text/plain; charset=utf-8", accepted.headers().firstValue("Content-Type").orElse(""))
            assertEquals(1, called.get())
            assertEquals(1, rig.registry.orders().size)
        }
    }

    @Test
    fun `the gateway check gets the signed answer`() {
        Rig({ GatewayHandlers() }).use { rig ->
            val check = Gateways.signed(
                mapOf(
                    "service" to serviceCheckName(),
                    "charset" to "utf-8",
                    "biz_content" to "<XML><AppId><![CDATA[${Apps.APP_ID}]]></AppId></XML>",
                ),
            )
            val answer = Gateways.post(rig.server.url, check)
            assertEquals(200, answer.statusCode())
            assertContains(answer.body(), "<success>true</success>")
            assertContains(answer.headers().firstValue("Content-Type").orElse(""), "text/xml")
            val result = rig.server.next()
            assertEquals("service_check", result.outcome)
            assertEquals(true, result.serviceCheckVerified)
            assertFalse(result.isSuccess())
        }
    }

    @Test
    fun `a second plugin's authorisation for the same merchant app is kept apart`() {
        val pluginId = "2021000000000002"
        // The second plugin's "Alipay" signs with the same key, so the first app's gateway verifies its pushes.
        Emulator(pluginId, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate).use { second ->
            val pluginClient = Client(IsvConfig(pluginId, Apps.appPrivate, Apps.alipayPublic, gateway = second.gatewayUrl()))
            Rig({ GatewayHandlers() }, clients = listOf(pluginClient)).use { rig ->
                val registry = rig.registry
                assertEquals(Apps.APP_ID, registry.defaultAppId())
                assertContains(registry.toString(), pluginId)
                second.setNotifyUrl(rig.server.url)
                val first = rig.emulator.subscribe()
                rig.settle(2)
                val other = second.subscribe(SubscribeOptions(authAppId = first.authAppId, merchantPid = first.merchantPid))
                assertTrue(second.waitForDeliveries(2u, Duration.ofSeconds(20)))
                assertTrue(second.deliveries().all { it.acknowledged }, "${second.deliveries()}")
                assertEquals(4, rig.server.drain().count { it.outcome == "handled" && it.ingest == IngestOutcome.APPLIED })

                val ours = assertNotNull(registry.getForApp(Apps.APP_ID, first.authAppId))
                val theirs = assertNotNull(registry.getForApp(pluginId, first.authAppId))
                assertEquals(Apps.APP_ID, ours.appId)
                assertEquals(pluginId, theirs.appId)
                assertNotEquals(ours.appAuthToken, theirs.appAuthToken)
                assertEquals(ours, registry.get(first.authAppId))
                assertEquals(theirs.appAuthToken, registry.tokenForApp(pluginId, first.authAppId))
                assertEquals(ours.appAuthToken, registry.tokenForApp(Apps.APP_ID, first.authAppId))
                assertEquals(2, registry.byMerchant(first.merchantPid).size)

                // Each order goes with its own app's authorisation, and is called through that app's client.
                assertEquals(pluginId, registry.order(other.commodityOrderId)?.appId)
                assertEquals(theirs, registry.orderAuthorisation(other.commodityOrderId))
                assertEquals(ours, registry.orderAuthorisation(first.commodityOrderId))
                assertEquals(orderAccepted(), registry.acceptOrder(other.commodityOrderId).status)
                assertEquals("ISV_ACCEPTED", pluginClient.queryServicemarketOrder(other.commodityOrderId).status)
                assertEquals("MERCHANT_ORDED", rig.client.queryServicemarketOrder(first.commodityOrderId).status)
            }
        }
    }

    @Test
    fun `an order for an unknown merchant is stored without an authorisation`() {
        val delivered = Collections.synchronizedList(ArrayList<GatewayDelivery>())
        Rig({ GatewayHandlers(onOrder = { delivered += it }) }).use { rig ->
            val answer = Gateways.post(rig.server.url, Gateways.order("n-unknown-1", "20261121000000000777", "2088000000000777"))
            assertEquals(200 to "success", answer.statusCode() to answer.body())
            val order = assertNotNull(rig.registry.order("20261121000000000777"))
            assertEquals("2088000000000777", order.merchantPid)
            assertNull(order.consumerMiniAppId)
            assertNull(rig.registry.orderAuthorisation(order.commodityOrderId))
            assertEquals(order.commodityOrderId, assertIs<Notification.ServiceMarketOrder>(delivered.single().notification).commodityOrderId)
            // No authorisation to confirm with: refused before any call.
            val calls = rig.emulator.totalCalls()
            val error = assertThrows<AlipayException.Store> {
                rig.registry.confirmOrderItem(order.commodityOrderId, OrderItemTarget.MiniApp("2021000000000777"))
            }
            assertContains(error.reason(), "2088000000000777")
            assertEquals(calls, rig.emulator.totalCalls())
        }
    }

    @Test
    fun `receive and finish are the two phases of handle`() {
        Emulators.start().use { emulator ->
            val registry = Registry.inMemory(Emulators.client(emulator))
            val gateway = Gateway(Emulators.config(emulator), registry)
            assertContains(gateway.toString(), "maxBodyBytes=")
            val body = Gateways.trade("n-trade-1")

            val first = assertIs<GatewayReceived.Deliver>(gateway.receive(Gateways.FORM, body)).delivery
            assertEquals(DeliveryKind.OTHER, first.kind)
            assertEquals(IngestOutcome.IGNORED, first.ingest)
            assertEquals("n-trade-1", first.notifyId)
            assertEquals("TRADE_SUCCESS", assertIs<Notification.Other>(first.notification).params["trade_status"])
            val failed = gateway.finish(first, "the ledger is offline")
            assertEquals(500 to "handler_failed", failed.status to failed.outcome)
            assertEquals("the ledger is offline", failed.handlerError)
            assertNull(failed.error)

            // Alipay retries: delivered again (nothing to store twice), then finished.
            val second = assertIs<GatewayReceived.Deliver>(gateway.receive(null, body)).delivery
            assertEquals(IngestOutcome.DUPLICATE, second.ingest)
            val handled = gateway.finish(second, null)
            assertEquals(200 to "handled", handled.status to handled.outcome)
            assertEquals(IngestOutcome.DUPLICATE, handled.ingest)
            val answered = assertIs<GatewayReceived.Answer>(gateway.receive(null, body)).result
            assertEquals("already_handled", answered.outcome)
            assertTrue(answered.isSuccess())

            // handle() with lambdas: the kind's handler runs; one that throws answers fail with its text.
            var others = 0
            val ok = gateway.handle(Gateways.FORM, Gateways.trade("n-trade-2"), GatewayHandlers(onOther = { others++ }))
            assertEquals("handled" to 1, ok.outcome to others)
            val thrown = gateway.handle(Gateways.FORM, Gateways.trade("n-trade-3"), GatewayHandlers(onOther = { error("boom") }))
            assertEquals(500, thrown.status)
            assertContains(assertNotNull(thrown.handlerError), "IllegalStateException: boom")
            val typed = gateway.handle(Gateways.FORM, Gateways.trade("n-trade-3"), GatewayHandlers(onOther = {
                registry.acceptOrder("20260000000000000000")
            }))
            assertContains(assertNotNull(typed.handlerError), "store error: no order 20260000000000000000")
            // With no handler at all, a verified notification is acknowledged once stored.
            assertEquals("success", gateway.handle(null, Gateways.trade("n-trade-3")).body)
            assertEquals(registry.toString(), gateway.registry().toString())
        }
    }
}
