package alipay.isv

import alipay.isv.Emulators.VERSIONS
import alipay.isv.Registries.APP_AUTH_NOTIFY
import alipay.isv.Registries.CANCELLED
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Path
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Registry ingestion of every kind, from the emulator's real answers and verified pushes, on a SQLite
 * file, a PostgreSQL database and a MySQL database ([TestStore]; the in-memory registry too).
 */
class RegistryIngestTest {
    @TempDir
    lateinit var dir: Path

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `exchange, notification, query, refresh, revocation and re-authorisation`(store: TestStore) {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val verifier = Emulators.config(emulator).notificationVerifier()
            Registry.open(store.fresh(dir, "ingest"), client = client).use { registry ->
                val tokens = Registries.authoriseAll(emulator, client)
                val token = tokens.single()
                val id = token.authAppId
                val pid = assertNotNull(token.userId)
                assertEquals(listOf(IngestOutcome.APPLIED), registry.ingestTokens(tokens))
                val stored = assertNotNull(registry.get(id))
                assertEquals(AuthStatus.ACTIVE, stored.status)
                assertEquals(pid, stored.merchantPid)
                assertEquals(token.appAuthToken, stored.appAuthToken)
                assertTrue(assertNotNull(stored.expiresAtMs) > System.currentTimeMillis())
                assertTrue(stored.version >= 1)

                // The authorisation was pushed when the merchant agreed, before the exchange: stale; its retry a duplicate.
                val notice = Registries.pushed(emulator, verifier, APP_AUTH_NOTIFY)
                assertIs<Notification.AppAuth>(notice)
                assertEquals(IngestOutcome.STALE, registry.ingestNotification(notice))
                assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(notice))
                assertEquals(token.appAuthToken, registry.tokenFor(id))
                assertEquals(token.appAuthToken, registry.tokenForMerchant(pid))

                val info = client.queryAppAuthToken(token.appAuthToken)
                assertEquals(IngestOutcome.APPLIED, registry.ingestQuery(token.appAuthToken, info))
                val granted = assertNotNull(registry.get(id)).grantedMethods
                assertTrue(granted.isNotEmpty())
                assertEquals(info.authMethods, granted)

                val answer = registry.executeFor(id, VERSIONS)
                assertEquals("10000", answer.fields["code"])
                assertEquals(id, answer.fields["auth_app_id"])
                val retried = registry.executeFor(id, VERSIONS, CallOptions(), RetryPolicy(attempts = 2u))
                assertEquals("10000", retried.fields["code"])

                // A refresh made outside the registry is ingested; a query about the previous token is stale now.
                val refreshed = client.refreshAppAuthToken(assertNotNull(stored.appRefreshToken))
                assertEquals(listOf(IngestOutcome.APPLIED), registry.ingestRefreshedTokens(refreshed))
                val current = refreshed.single().appAuthToken
                assertNotEquals(token.appAuthToken, current)
                assertEquals(current, registry.tokenFor(id))
                assertEquals(IngestOutcome.STALE, registry.ingestQuery(token.appAuthToken, info))

                // The merchant revokes: the cancellation is applied, its retry a duplicate; no call reaches the gateway.
                emulator.revoke(id)
                val cancelled = Registries.pushed(emulator, verifier, CANCELLED)
                assertIs<Notification.Message>(cancelled)
                assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(cancelled))
                assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(cancelled))
                val revoked = assertNotNull(registry.get(id))
                assertEquals(AuthStatus.REVOKED, revoked.status)
                assertNotNull(revoked.revokedAtMs)
                val calls = emulator.totalCalls()
                assertContains(assertThrows<AlipayException.Store> { registry.tokenFor(id) }.reason, id)
                assertContains(assertThrows<AlipayException.Store> { registry.executeFor(id, VERSIONS) }.reason, id)
                assertContains(assertThrows<AlipayException.Store> { registry.tokenForMerchant(pid) }.reason, pid)
                assertEquals(calls, emulator.totalCalls(), "no call may reach the gateway for a revoked merchant")

                // The merchant authorises the same app again: applied; the old cancellation stays a duplicate,
                // the new authorisation's push (older than its exchange) is stale.
                val again = Registries.authoriseAll(emulator, client, authAppId = id).single()
                assertEquals(id, again.authAppId)
                assertEquals(listOf(IngestOutcome.APPLIED), registry.ingestTokens(listOf(again)))
                assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(cancelled))
                assertEquals(IngestOutcome.STALE, registry.ingestNotification(Registries.pushed(emulator, verifier, APP_AUTH_NOTIFY)))
                assertEquals(again.appAuthToken, registry.tokenFor(id))
                assertEquals(AuthStatus.ACTIVE, assertNotNull(registry.get(id)).status)
                assertEquals("10000", registry.executeFor(id, VERSIONS).fields["code"])
                assertEquals(1, registry.list().size)
                assertEquals(listOf(id), registry.byMerchant(pid).map { it.authAppId })

                // A local revocation keeps the record.
                assertEquals(AuthStatus.REVOKED, registry.revoke(id).status)
                assertEquals(1, registry.list().size)
                assertThrows<AlipayException.Store> { registry.revoke("2021999999999999") }
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `a batch authorisation stores every app of the merchant`(store: TestStore) {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            Registry.open(store.fresh(dir, "batch"), client = client).use { registry ->
                val tokens = Registries.authoriseAll(emulator, client, listOf(ApplicationType.TINY_APP, ApplicationType.WEB_APP))
                assertEquals(2, tokens.size)
                assertEquals(List(2) { IngestOutcome.APPLIED }, registry.ingestTokens(tokens))
                val pid = assertNotNull(tokens.first().userId)
                assertEquals(tokens.map { it.authAppId }.sorted(), registry.byMerchant(pid).map { it.authAppId }.sorted())
                // Two apps: ask by authAppId.
                val several = assertThrows<AlipayException.Store> { registry.tokenForMerchant(pid) }
                for (token in tokens) assertContains(several.reason, token.authAppId)
                for (token in tokens) assertEquals(token.appAuthToken, registry.tokenFor(token.authAppId))
                assertEquals(emptyList(), registry.byMerchant("2088999999999999"))
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `late and foreign messages never overwrite newer state`(store: TestStore) {
        Registry.open(store.fresh(dir, "late")).use(::lateAndForeign)
    }

    @Test
    fun `late and foreign messages never overwrite newer state in memory`() {
        Registry.inMemory().use(::lateAndForeign)
    }

    private fun lateAndForeign(registry: Registry) {
        val id = "2021000000000101"
        val now = System.currentTimeMillis()
        val first = Registries.authorisation("n1", id, "token-first-0001", now - 5_000)
        assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(first))
        assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(first))
        assertEquals(listOf(IngestOutcome.APPLIED), registry.ingestTokens(listOf(Registries.token(id, "token-second-0002"))))
        // The same older authorisation, re-sent under another notify_id: stale.
        val late = Registries.authorisation("n2", id, "token-first-0001", now - 5_000)
        assertEquals(IngestOutcome.STALE, registry.ingestNotification(late))
        assertEquals("token-second-0002", registry.tokenFor(id))
        // A cancellation sent before the current authorisation arrives late: stale, still active.
        assertEquals(IngestOutcome.STALE, registry.ingestNotification(Registries.cancellation("c1", id, now - 60_000)))
        assertEquals(AuthStatus.ACTIVE, assertNotNull(registry.get(id)).status)
        // A cancellation of a merchant the registry never saw, and other notifications: ignored.
        assertEquals(IngestOutcome.IGNORED, registry.ingestNotification(Registries.cancellation("c2", "2021000000000999", now)))
        assertEquals(IngestOutcome.IGNORED, registry.ingestNotification(Notification.Other(mapOf("trade_status" to "TRADE_SUCCESS"))))
        // A service-market order (the genuine EasySDK 2020 one) carries no token: stored as an order
        // (once), no authorisation.
        val orderCase = Vectors.realNotificationCases.single { it.getString("name") == "easysdk_2020_servicemarket_order_notify" }
        val order = NotificationVerifier(PublicKey.fromText(Vectors.keyText(orderCase.getString("alipay_public_key"))))
            .verifyBody(Vectors.body(orderCase))
        assertIs<Notification.ServiceMarketOrder>(order)
        assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(order))
        assertEquals(IngestOutcome.DUPLICATE, registry.ingestNotification(order))
        assertEquals(order.merchantPid, registry.order(order.commodityOrderId)?.merchantPid)
        assertEquals(emptyList(), registry.byMerchant(order.merchantPid))
        assertNull(registry.get("2021000000000999"))
        // A newer authorisation replaces the token.
        val newer = Registries.authorisation("n3", id, "token-third-0003", System.currentTimeMillis() + 1_000)
        assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(newer))
        assertEquals("token-third-0003", registry.tokenFor(id))
        assertEquals(Registries.PID, assertNotNull(registry.get(id)).merchantPid)
        assertEquals("applied", IngestOutcome.APPLIED.wireName())
        assertEquals("revoked", AuthStatus.REVOKED.wireName())
        // A token without authAppId is refused.
        assertThrows<AlipayException.Protocol> { registry.ingestTokens(listOf(Registries.token("", "token-orphan-0004"))) }
        assertEquals(1, registry.list().size)
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `without a client a due token is served until it expires, then a Config error, unknown merchants a Store error`(store: TestStore) {
        // Due for refresh (the margin exceeds the lifetime) but still valid: the refresh fails (no client), the token is served.
        Registry.open(store.fresh(dir, "noclient"), refreshMargin = Duration.ofDays(400)).use { registry ->
            val id = "2021000000000102"
            registry.ingestTokens(listOf(Registries.token(id, "token-due-0001", expiresIn = 3600)))
            assertEquals("token-due-0001", registry.tokenFor(id))
            assertNull(assertNotNull(registry.get(id)).refreshLease, "the failed attempt released its lease")
            // Expired: the refresh is needed and there is no client.
            val expired = "2021000000000105"
            registry.ingestTokens(listOf(Registries.token(expired, "token-expired-0001", expiresIn = 0)))
            assertThrows<AlipayException.Config> { registry.tokenFor(expired) }
            assertThrows<AlipayException.Config> { registry.executeFor(expired, VERSIONS) }
            assertEquals(Duration.ofDays(400), registry.refreshMargin())
            val unknown = assertThrows<AlipayException.Store> { registry.tokenFor("2021000000000103") }
            assertContains(unknown.reason, "2021000000000103")
            assertEquals("store", unknown.kind())
        }
    }

    @Test
    fun `an in-memory registry without a client serves tokens, has no file, and makes no call`() {
        Registry.inMemory().use { registry ->
            registry.ingestTokens(listOf(Registries.token("2021000000000104", "token-nocl-0001")))
            assertEquals("token-nocl-0001", registry.tokenFor("2021000000000104"))
            // A delegated call needs the client.
            assertThrows<AlipayException.Config> { registry.executeFor("2021000000000104", VERSIONS) }
            assertThrows<AlipayException.Config> { registry.executeFor("2021000000000104", VERSIONS, CallOptions(), RetryPolicy()) }
            assertEquals(Duration.ofMinutes(10), registry.refreshMargin())
            assertNull(registry.path())
            assertThrows<AlipayException.Config> { registry.integrityCheck() }
        }
    }
}
