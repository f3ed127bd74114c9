package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import alipay.isv.Emulators.VERSIONS
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The emulator handle itself: start forms, keys, counters, deliveries, test hooks, stop. */
class EmulatorTest {
    @Test
    fun `start from PEM, keys, URLs and stop`() {
        val emulator = Emulator.fromPem(Apps.APP_ID, Apps.appPublic.toPem())
        assertTrue(emulator.baseUrl().matches(Regex("http://127\\.0\\.0\\.1:\\d+")), emulator.baseUrl())
        assertEquals(emulator.baseUrl() + "/gateway.do", emulator.gatewayUrl())
        assertEquals(emulator.alipayPublicKey(), PublicKey.fromText(emulator.alipayPublicKeyPem()))
        assertEquals(2048u, emulator.alipayPublicKey().bits())
        assertFalse(looksLikeOwnKey(Apps.appPrivate, emulator.alipayPublicKey()))
        assertContains(emulator.toString(), emulator.alipayPublicKey().fingerprint())
        assertTrue(emulator.isRunning())
        emulator.stop()
        emulator.stop()
        assertFalse(emulator.isRunning())
        assertThrows<AlipayException.Config> { emulator.totalCalls() }
        emulator.close()
    }

    @Test
    fun `bad options are typed errors`() {
        assertThrows<AlipayException.Config> { Emulator("not-digits", Apps.appPublic) }
        assertThrows<AlipayException.Config> { Emulator.fromPem(Apps.APP_ID, "not a key") }
        assertThrows<AlipayException.Config> { Emulator(Apps.APP_ID, Apps.appPublic, notifyUrl = "ftp://x") }
        Emulators.start().use { first ->
            val port = first.baseUrl().substringAfterLast(':').toInt().toUShort()
            val taken = assertThrows<AlipayException.Transport> { Emulator(Apps.APP_ID, Apps.appPublic, port = port) }
            assertFalse(taken.requestSent)
            assertThrows<AlipayException.Config> { first.merchantAuthorizes("https://elsewhere.example.com/oauth2/appToAppAuth.htm") }
            assertThrows<AlipayException.Config> { first.revoke("2021000000000999") }
            assertThrows<AlipayException.Config> { first.expireAppAuthToken("2021000000000999") }
        }
    }

    @Test
    fun `counters, deliveries without a notify URL, expiry and the clock`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            assertEquals(0UL, emulator.totalCalls())
            val token = Emulators.authorise(emulator, client)
            assertEquals(1UL, emulator.callCount("alipay.open.auth.token.app"))
            assertEquals(1UL, emulator.totalCalls())
            assertTrue(emulator.waitForDeliveries(1u, Duration.ofSeconds(5)))
            val delivery = emulator.deliveries().single()
            assertEquals(null, delivery.url)
            assertEquals(0u, delivery.attempts)
            assertTrue(delivery.finished)
            assertFalse(delivery.acknowledged)
            assertEquals(token.authAppId, delivery.authAppId)
            assertFalse(emulator.waitForDeliveries(2u, Duration.ofMillis(100)))

            emulator.expireAppAuthToken(token.authAppId)
            val expired = assertThrows<AlipayException.Api> { client.execute(VERSIONS, CallOptions(appAuthToken = token.appAuthToken)) }
            assertEquals("20001", expired.code)
            val fresh = client.refreshAppAuthToken(token.appRefreshToken!!).single()
            assertEquals("10000", client.execute(VERSIONS, CallOptions(appAuthToken = fresh.appAuthToken)).fields["code"])

            // A user code ages past its lifetime on the emulator's clock.
            val consent = userConsentLink(emulator.baseUrl(), token.authAppId, listOf(UserScope.AUTH_BASE), USER_REDIRECT)
            val code = parseUserAuthCallback(emulator.userConsents(consent.url), token.authAppId, StateCheck.Expect(consent.state)).authCode
            emulator.advanceClock(Duration.ofDays(2))
            assertThrows<AlipayException.Api> { client.exchangeUserAuthCode(code, fresh.appAuthToken) }

            emulator.setNotifyUrl(null)
            emulator.revoke(token.authAppId)
            assertTrue(emulator.waitForDeliveries(2u, Duration.ofSeconds(5)))
            assertEquals("alipay.open.auth.appauth.cancelled", emulator.deliveries().last().kind)
        }
    }

    @Test
    fun `the authorisation page refuses another app id`() {
        Emulators.start().use { emulator ->
            val link = appAuthLink(emulator.baseUrl(), "2021999999999999", REDIRECT)
            val refused = assertThrows<AlipayException.Transport> { emulator.merchantAuthorizes(link.url) }
            assertContains(refused.reason(), "HTTP")
        }
    }
}
