package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import alipay.isv.Emulators.VERSIONS
import alipay.isv.Emulators.step
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * The whole delegated-call flow against the emulator on loopback, step by step: merchant link →
 * authorisation → callback (state checked) → exchange → query → the app-auth notification arrives at
 * a stdlib HTTP server and verifies → user consent → user code exchanged on the merchant's behalf →
 * user info → refresh (the old token still works) → revoke → the cancellation arrives and verifies →
 * the revoked token fails with 20001.
 */
class ClientFlowTest {
    @Test
    fun `the whole flow, merchant and user`() {
        NotificationReceiver().use { receiver ->
            Emulators.start(receiver.url).use { emulator ->
                val config = Emulators.config(emulator)
                val client = Client(config)
                val verifier = config.notificationVerifier()

                val link = step("merchant link") { appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT) }
                assertTrue(link.url.startsWith("${emulator.baseUrl()}/oauth2/appToAppAuth.htm?"), link.url)
                assertEquals(32, link.state.length)

                val callbackUrl = step("merchant authorises") { emulator.merchantAuthorizes(link.url) }
                assertTrue(callbackUrl.startsWith("$REDIRECT?"), callbackUrl)
                val callback = step("callback") {
                    parseAppAuthCallback(callbackUrl, Apps.APP_ID, StateCheck.Expect(link.state))
                }
                assertEquals("alipay_app_auth", callback.source)
                assertEquals(link.state, callback.state)

                val tokens = step("exchange") { client.exchangeAppAuthCode(callback.appAuthCode) }
                assertEquals(1, tokens.size)
                val token = tokens.single()
                assertTrue(token.authAppId.isNotEmpty())
                assertNotNull(token.appRefreshToken)
                assertTrue((token.expiresIn ?: 0) > 0)
                assertFalse(token.toString().contains(token.appAuthToken), token.toString())

                val info = step("query") { client.queryAppAuthToken(token.appAuthToken) }
                assertTrue(info.isValid, info.toString())
                assertEquals("valid", info.status)
                assertEquals(token.authAppId, info.authAppId)
                assertEquals(token.userId, info.userId)

                val granted = step("app-auth notification") { verifier.verifyBody(receiver.next()) }
                assertIs<Notification.AppAuth>(granted)
                assertEquals(token.appAuthToken, granted.detail.appAuthToken)
                assertEquals(token.authAppId, granted.detail.authAppId)
                assertTrue(emulator.waitForDeliveries(1u, Duration.ofSeconds(10)))
                val first = emulator.deliveries().first()
                assertEquals("open_app_auth_notify", first.kind)
                assertTrue(first.acknowledged, first.toString())
                assertFalse(first.toString().contains(token.appAuthToken))

                val consent = step("consent link") {
                    userConsentLink(emulator.baseUrl(), token.authAppId, listOf(UserScope.AUTH_USER), USER_REDIRECT)
                }
                val userCallback = step("user consents") {
                    parseUserAuthCallback(emulator.userConsents(consent.url), token.authAppId, StateCheck.Expect(consent.state))
                }
                assertContains(userCallback.scope ?: "", "auth_user")
                val user = step("user code") { client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken) }
                assertTrue(user.accessToken.isNotEmpty())
                assertTrue(user.userId != null || user.openId != null, user.toString())
                assertFalse(user.toString().contains(user.accessToken))

                val profile = step("user info") { client.userInfoShare(user.accessToken, token.appAuthToken) }
                assertEquals("10000", profile.fields["code"])
                assertTrue(profile.userId != null || profile.openId != null, profile.toString())
                assertTrue(JSONObject(profile.fieldsJson).has("code"))

                val refreshedUser = step("user refresh") {
                    client.refreshUserToken(assertNotNull(user.refreshToken), token.appAuthToken)
                }
                assertNotEquals(user.accessToken, refreshedUser.accessToken)

                val refreshed = step("merchant refresh") { client.refreshAppAuthToken(token.appRefreshToken!!) }.single()
                assertNotEquals(token.appAuthToken, refreshed.appAuthToken)
                assertEquals(token.authAppId, refreshed.authAppId)
                for (current in listOf(token.appAuthToken, refreshed.appAuthToken)) {
                    val versions = step("delegated call") { client.execute(VERSIONS, CallOptions(appAuthToken = current)) }
                    assertEquals("10000", versions.fields["code"])
                    assertEquals(token.authAppId, versions.fields["auth_app_id"])
                }

                step("revoke") { emulator.revoke(token.authAppId) }
                val cancelled = step("cancellation notification") { verifier.verifyBody(receiver.next()) }
                assertIs<Notification.Message>(cancelled)
                assertTrue(cancelled.isAppAuthCancelled)
                assertEquals("alipay.open.auth.appauth.cancelled", cancelled.msgMethod)
                assertTrue(emulator.waitForDeliveries(2u, Duration.ofSeconds(10)))

                val revoked = assertThrows<AlipayException.Api> {
                    client.execute(VERSIONS, CallOptions(appAuthToken = refreshed.appAuthToken))
                }
                assertEquals("20001", revoked.code)
                assertEquals("aop.invalid-app-auth-token", revoked.subCode)
                assertTrue(revoked.signed)
                assertEquals("api", revoked.kind())
            }
        }
    }

    @Test
    fun `execute takes biz_content as a map or JSON text, and retries`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val token = Emulators.authorise(emulator, client)
            val byMap = client.execute(
                "alipay.open.auth.token.app.query",
                mapOf("app_auth_token" to token.appAuthToken),
            )
            val byText = client.execute(
                "alipay.open.auth.token.app.query",
                CallOptions(bizContent = """{"app_auth_token":"${token.appAuthToken}"}"""),
                RetryPolicy(attempts = 2u),
            )
            assertEquals("valid", byMap.fields["status"])
            assertEquals(byMap.fields["auth_app_id"], byText.fields["auth_app_id"])
            assertTrue(JSONObject(byText.fieldsJson).getJSONArray("auth_methods").length() > 0)
            assertEquals(2UL, emulator.callCount("alipay.open.auth.token.app.query"))
        }
    }

    @Test
    fun `a batch authorisation and a console link`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val batch = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT, listOf(ApplicationType.TINY_APP, ApplicationType.WEB_APP))
            assertContains(batch.url, "/oauth2/appToAppBatchAuth.htm?")
            assertContains(batch.url, "application_type=TINYAPP%2CWEBAPP")
            val callback = parseAppAuthCallback(emulator.merchantAuthorizes(batch.url), Apps.APP_ID, StateCheck.Expect(batch.state))
            val tokens = client.exchangeAppAuthCode(callback.appAuthCode)
            assertTrue(tokens.isNotEmpty())
            assertEquals(tokens.size, tokens.map { it.appAuthToken }.toSet().size)

            val console = consoleAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT, listOf(ApplicationType.TINY_APP))
            assertContains(console.url, "/page/message/tasksDetail?bizData=")
            val consoleCallback = parseAppAuthCallback(
                emulator.merchantAuthorizes(console.url),
                Apps.APP_ID,
                StateCheck.AllowMissing(console.state),
            )
            assertTrue(client.exchangeAppAuthCode(consoleCallback.appAuthCode).isNotEmpty())
        }
    }
}
