package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import com.alipay.api.DefaultAlipayClient
import com.alipay.api.internal.util.AlipayLogger
import com.alipay.api.request.AlipayOpenAuthTokenAppRequest
import com.alipay.api.request.AlipaySystemOauthTokenRequest
import org.json.JSONObject
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * The official Java SDK (`com.alipay.sdk:alipay-sdk-java`, pinned in pom.xml) against the emulator,
 * with response signature validation on (it is given the emulator's Alipay public key): it exchanges a
 * merchant code minted through `merchantAuthorizes` on `alipay.open.auth.token.app`, then a user code
 * on `alipay.system.oauth.token` on the merchant's behalf (`app_auth_token`). The SDK stamps its
 * timestamps in GMT+8 whatever the JVM time zone (this suite runs in Los Angeles time), so the
 * emulator's ±15 min window accepts them.
 */
class OfficialSdkEmulatorTest {
    init {
        AlipayLogger.setNeedEnableLogger(false)
    }

    @Test
    fun `the official SDK completes the token calls against the emulator`() {
        Emulators.start().use { emulator ->
            val sdk = DefaultAlipayClient(
                emulator.gatewayUrl(),
                Apps.APP_ID,
                JdkKeys.pkcs8Base64(Vectors.keyText("keys/app_2048_pkcs8.pem")),
                "json",
                "UTF-8",
                emulator.alipayPublicKey().toBase64(),
                "RSA2",
            )
            val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
            val callback = parseAppAuthCallback(emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state))

            val exchange = AlipayOpenAuthTokenAppRequest().apply {
                bizContent = JSONObject(mapOf("grant_type" to "authorization_code", "code" to callback.appAuthCode)).toString()
            }
            val merchant = sdk.execute(exchange)
            assertTrue(merchant.isSuccess, "${merchant.code} ${merchant.subCode} ${merchant.subMsg}")
            val appAuthToken = merchant.appAuthToken ?: merchant.tokens.first().appAuthToken
            val authAppId = merchant.authAppId ?: merchant.tokens.first().authAppId
            assertTrue(appAuthToken.isNotEmpty())
            assertEquals(1UL, emulator.callCount("alipay.open.auth.token.app"))

            // The same code a second time: a signed business error the SDK verifies and reports.
            val again = sdk.execute(exchange)
            assertFalse(again.isSuccess)
            assertEquals("isv.code-invalid", again.subCode)

            val consent = userConsentLink(emulator.baseUrl(), authAppId, listOf(UserScope.AUTH_USER), USER_REDIRECT)
            val userCallback = parseUserAuthCallback(emulator.userConsents(consent.url), authAppId, StateCheck.Expect(consent.state))
            val oauth = AlipaySystemOauthTokenRequest().apply {
                grantType = "authorization_code"
                code = userCallback.authCode
            }
            val user = sdk.execute(oauth, null, appAuthToken)
            assertTrue(user.isSuccess, "${user.code} ${user.subCode} ${user.subMsg}")
            assertTrue(user.accessToken.isNotEmpty())
            assertTrue(user.userId != null || user.openId != null)

            // Our client reads the token the official SDK obtained.
            val info = Emulators.client(emulator).userInfoShare(user.accessToken, appAuthToken)
            assertEquals("10000", info.fields["code"])
        }
    }
}
