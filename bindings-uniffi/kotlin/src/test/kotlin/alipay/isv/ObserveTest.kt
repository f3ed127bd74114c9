package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.VERSIONS
import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.read.ListAppender
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.slf4j.LoggerFactory
import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Mirrors core `observe`: the events of a full flow against the emulator reach SLF4J through
 * [Slf4jEventListener] — merchant authorisation, a used code, a query, the authorisation push and a
 * tampered twin, a registry refresh, delegated calls (one retried after a reset), the cancellation
 * and the revocation it causes. Each record is on the logger of its kind, at the level of its outcome,
 * with the key-value pairs its kind promises (Alipay's trace id included), and no token, refresh token
 * or code appears in any message or value. The counters agree, as Prometheus text.
 */
class ObserveTest {
    private val expected = mapOf(
        "call" to setOf("kind", "app_id", "method", "outcome", "latency_ms", "retries"),
        "notification" to setOf("kind", "outcome", "latency_ms"),
        "refresh" to setOf("kind", "app_id", "auth_app_id", "method", "outcome", "latency_ms"),
        "revocation" to setOf("kind", "auth_app_id", "method", "outcome", "latency_ms"),
    )

    private fun fields(record: ILoggingEvent): Map<String, String> =
        record.keyValuePairs.orEmpty().associate { it.key to it.value.toString() }

    @Test
    fun `a full flow is logged through SLF4J with every field and no secret`() {
        val root = LoggerFactory.getLogger("alipay.isv") as Logger
        val appender = ListAppender<ILoggingEvent>().apply { start() }
        root.level = Level.INFO
        root.addAppender(appender)
        val listener = Slf4jEventListener.install()
        val secrets = mutableListOf<String>()
        var authAppId = ""
        try {
            NotificationReceiver().use { receiver ->
                Emulators.start(receiver.url).use { emulator ->
                    val config = Emulators.config(emulator)
                    val client = Client(config)
                    val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
                    val callback = parseAppAuthCallback(
                        emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state),
                    )
                    secrets += callback.appAuthCode
                    val token = client.exchangeAppAuthCode(callback.appAuthCode).single()
                    authAppId = token.authAppId
                    secrets += listOfNotNull(token.appAuthToken, token.appRefreshToken)
                    assertThrows<AlipayException.Api> { client.exchangeAppAuthCode(callback.appAuthCode) }
                    client.queryAppAuthToken(token.appAuthToken)

                    val verifier = config.notificationVerifier()
                    val body = receiver.next()
                    val notification = verifier.verifyBody(body)
                    val tampered = String(body).replaceFirst("notify_id=", "notify_id=0").toByteArray()
                    assertThrows<AlipayException.Signature> { verifier.verifyBody(tampered) }

                    Registry.inMemory(client, Duration.ofDays(400)).use { refreshing ->
                        refreshing.ingestNotification(notification)
                        secrets += refreshing.tokenFor(authAppId)
                        secrets += listOfNotNull(assertNotNull(refreshing.get(authAppId)).appRefreshToken)
                    }
                    Registry.inMemory(client).use { registry ->
                        registry.ingestNotification(notification)
                        registry.executeFor(authAppId, VERSIONS)
                        emulator.setFault(Fault.Reset, 1u)
                        registry.executeFor(authAppId, VERSIONS, retry = RetryPolicy(attempts = 3u, idempotent = true))
                        emulator.revoke(authAppId)
                        registry.ingestNotification(verifier.verifyBody(receiver.next()))
                    }
                }
            }
        } finally {
            removeEventListener(listener)
            root.detachAppender(appender)
        }

        val records = appender.list.toList()
        for (record in records) {
            val fields = fields(record)
            val kind = assertNotNull(fields["kind"], record.formattedMessage)
            assertEquals("alipay.isv.$kind", record.loggerName)
            assertEquals(if (fields["outcome"] == "success") Level.INFO else Level.WARN, record.level)
            assertTrue(fields.keys.containsAll(expected.getValue(kind)), "$kind: ${fields.keys}")
            val shown = record.formattedMessage + fields
            for (secret in secrets) assertFalse(shown.contains(secret), shown)
        }
        fun find(kind: String, method: String?, outcome: String) = records.map(::fields).filter {
            it["kind"] == kind && it["method"] == method && it["outcome"] == outcome
        }
        val exchanges = find("call", "alipay.open.auth.token.app", "success")
        assertEquals(2, exchanges.size, "the exchange and the registry's refresh: $exchanges")
        assertTrue(exchanges.all { it["trace_id"]!!.startsWith("7f000001") && it["code"] == "10000" })
        val used = find("call", "alipay.open.auth.token.app", "api").single()
        assertEquals("40002" to "isv.code-invalid", used["code"] to used["sub_code"])
        val delegated = find("call", VERSIONS, "success")
        assertEquals(listOf(authAppId, authAppId), delegated.map { it["auth_app_id"] })
        assertEquals("1", delegated[1]["retries"])
        assertEquals("0", find("call", VERSIONS, "transport").single()["retries"])
        val pushed = find("notification", "open_app_auth_notify", "success").single()
        assertEquals(authAppId, pushed["auth_app_id"])
        assertNotNull(pushed["notify_id"])
        assertNotNull(pushed["signed_form"])
        assertFalse("notify_id" in find("notification", null, "signature").single())
        assertEquals(1, find("notification", "alipay.open.auth.appauth.cancelled", "success").size)
        assertEquals(authAppId, find("refresh", "alipay.open.auth.token.app", "success").single()["auth_app_id"])
        assertEquals(authAppId, find("revocation", "alipay.open.auth.appauth.cancelled", "success").single()["auth_app_id"])

        val samples = metricsSnapshot().associateBy { Triple(it.kind, it.method, it.outcome) }
        assertTrue(assertNotNull(samples[Triple("refresh", "alipay.open.auth.token.app", "success")]).count >= 1uL)
        val text = prometheusMetrics()
        assertTrue(text.contains("# TYPE alipay_isv_calls_total counter"), text)
        assertTrue(text.contains("alipay_isv_calls_total{method=\"$VERSIONS\",outcome=\"success\"}"), text)
    }
}
