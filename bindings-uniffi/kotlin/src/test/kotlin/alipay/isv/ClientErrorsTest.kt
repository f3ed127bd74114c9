package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.VERSIONS
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.ServerSocket
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Typed errors of the client against the emulator: gateway errors (used code, self-invoke), callback
 * checks (state, app id), a refused connection with and without retry — and no token in any string
 * representation. Every fault mode is in FaultsTest.
 */
class ClientErrorsTest {
    /** Milliseconds `body` took. */
    private inline fun millis(body: () -> Unit): Long {
        val start = System.nanoTime()
        body()
        return (System.nanoTime() - start) / 1_000_000
    }

    @Test
    fun `a used code is 40002 isv code-invalid, signed`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
            val code = parseAppAuthCallback(emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state)).appAuthCode
            client.exchangeAppAuthCode(code)
            val used = assertThrows<AlipayException.Api> { client.exchangeAppAuthCode(code) }
            assertEquals("40002", used.code)
            assertEquals("isv.code-invalid", used.subCode)
            assertTrue(used.signed)
            assertFalse(used.toString().contains(code), used.toString())
        }
    }

    @Test
    fun `a merchant method without app_auth_token is 40006 self-invoke-forbidden`() {
        Emulators.start().use { emulator ->
            val error = assertThrows<AlipayException.Api> { Emulators.client(emulator).execute(VERSIONS) }
            assertEquals("40006", error.code)
            assertEquals("isv.self-invoke-forbidden", error.subCode)
            assertTrue(error.signed)
        }
    }

    @Test
    fun `callbacks with a wrong state, no state or another app are refused`() {
        Emulators.start().use { emulator ->
            val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
            val callback = emulator.merchantAuthorizes(link.url)
            val forged = assertThrows<AlipayException.Signature> {
                parseAppAuthCallback(callback, Apps.APP_ID, StateCheck.Expect(generateState()))
            }
            assertContains(forged.reason(), "state")
            val stateless = callback.replace(Regex("&state=[^&]*"), "")
            assertThrows<AlipayException.Signature> {
                parseAppAuthCallback(stateless, Apps.APP_ID, StateCheck.Expect(link.state))
            }
            assertEquals(null, parseAppAuthCallback(stateless, Apps.APP_ID, StateCheck.AllowMissing(null)).state)
            assertThrows<AlipayException.Signature> {
                parseAppAuthCallback(callback, Apps.APP_ID, StateCheck.AllowMissing(generateState()))
            }
            val otherApp = assertThrows<AlipayException.Signature> {
                parseAppAuthCallback(callback, "2021999999999999", StateCheck.Expect(link.state))
            }
            assertContains(otherApp.reason(), "2021999999999999")
            assertThrows<AlipayException.Protocol> {
                parseAppAuthCallback("$REDIRECT?app_id=${Apps.APP_ID}&state=${link.state}", Apps.APP_ID, StateCheck.Expect(link.state))
            }
            assertThrows<AlipayException.Signature> {
                parseUserAuthCallback("$REDIRECT?app_id=1&auth_code=c&state=x", "2", StateCheck.AllowMissing(null))
            }
        }
    }

    @Test
    fun `a refused connection is a transport error with requestSent false, retried or not`() {
        val port = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = "http://127.0.0.1:$port/gateway.do")
        val client = Client(config, TransportOptions(connectTimeout = Duration.ofSeconds(1), readTimeout = Duration.ofSeconds(1)))
        val refused = assertThrows<AlipayException.Transport> { client.execute(VERSIONS) }
        assertFalse(refused.requestSent, refused.toString())
        assertEquals("transport", refused.kind())
        val elapsed = millis {
            val retried = assertThrows<AlipayException.Transport> {
                client.execute(VERSIONS, retry = RetryPolicy(attempts = 3u, backoff = Duration.ofMillis(20)))
            }
            assertFalse(retried.requestSent)
        }
        assertTrue(elapsed < 3000, "three refused attempts took $elapsed ms")
    }

    @Test
    fun `bad transport options are config errors`() {
        val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = "sandbox")
        assertThrows<AlipayException.Config> { Client(config, TransportOptions(readTimeout = Duration.ZERO)) }
        assertThrows<AlipayException.Config> { Client(config, TransportOptions(proxy = "not a url")) }
        assertThrows<AlipayException.Config> { Client(config).exchangeAppAuthCode("") }
    }

    @Test
    fun `no token in any string representation`() {
        val secret = "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21"
        val refresh = "202611BBf0e1d2c3b4a5968778695a4b3c2d1R21"
        val shown = listOf(
            AppAuthToken(secret, refresh, "2021000000000999", "2088102000000009", 1L, 2L).toString(),
            UserToken("2088102000000009", null, secret, 1L, refresh, 2L, null).toString(),
            AppAuthCallback(secret, Apps.APP_ID, "alipay_app_auth", "c3RhdGU").toString(),
            UserAuthCallback(secret, Apps.APP_ID, "auth_user", null).toString(),
            CallOptions(appAuthToken = secret, authToken = refresh).toString(),
            Client(Apps.config()).toString(),
        )
        for (text in shown) {
            assertFalse(text.contains("a1b2c3d4"), text)
            assertFalse(text.contains("f0e1d2c3"), text)
        }
        assertContains(shown[0], "2021000000000999")
        assertContains(shown.last(), Apps.APP_ID)
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val token = Emulators.authorise(emulator, client)
            for (text in listOf(token.toString(), client.toString(), emulator.toString())) {
                assertFalse(text.contains(token.appAuthToken), text)
                assertFalse(text.contains(token.appRefreshToken!!), text)
            }
            if (token.appAuthToken.length < 8) fail("implausibly short token")
        }
    }
}
