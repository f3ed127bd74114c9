package alipay.isv

import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/** Application-gateway notifications (core `notify`): every notifications.json case, typed results, the answers. */
class NotifyTest {
    private fun verifierFor(case: JSONObject) =
        NotificationVerifier(PublicKey.fromText(Vectors.keyText(case.getString("alipay_public_key"))))

    /** The body decoded by the JDK in the charset it names (what a servlet container hands over). */
    private fun decodedParams(body: ByteArray): Map<String, String> {
        val latin = Apps.decodeForm(body.toString(Charsets.ISO_8859_1), "ISO-8859-1")
        val charset = if (latin["charset"].equals("GBK", ignoreCase = true)) "GBK" else "UTF-8"
        return Apps.decodeForm(body.toString(Charsets.ISO_8859_1), charset)
    }

    private fun assertCase(name: String, case: JSONObject, notification: Notification) {
        assertEquals(case.getString("kind"), notification.kind(), name)
        val params = when (notification) {
            is Notification.AppAuth -> notification.params
            is Notification.Message -> notification.params
            is Notification.Other -> notification.params
        }
        val expected = case.getJSONObject("params")
        for (key in expected.keySet()) assertEquals(expected.getString(key), params[key], "$name.$key")
        when (notification) {
            is Notification.AppAuth -> {
                val detail = case.getJSONObject("detail")
                val got = notification.detail
                assertEquals(detail.getString("app_auth_token"), got.appAuthToken, name)
                assertEquals(detail.getString("app_refresh_token"), got.appRefreshToken, name)
                assertEquals(detail.getString("user_id"), got.userId, name)
                assertEquals(detail.getString("auth_app_id"), got.authAppId, name)
                assertEquals(detail.getLong("expires_in"), got.expiresIn, name)
                assertEquals(detail.getLong("re_expires_in"), got.reExpiresIn, name)
                assertEquals(detail.getLong("auth_time"), got.authTime, name)
                assertEquals(detail.getString("app_auth_code"), got.appAuthCode, name)
                assertEquals(params["notify_id"], notification.notifyId, name)
            }
            is Notification.Message -> {
                assertEquals(case.getString("msg_method"), notification.msgMethod, name)
                assertEquals(notification.msgMethod == "alipay.open.auth.appauth.cancelled", notification.isAppAuthCancelled)
                val biz = params["biz_content"]
                if (biz != null) assertTrue(JSONObject(biz).similar(JSONObject(notification.bizContentJson!!)), name)
            }
            is Notification.Other -> {}
        }
    }

    /** Genuine notifications published in the official SDKs' test suites, with the form each was signed in. */
    @Test
    fun `every real signed notification verifies in its form and every tampered twin fails`() {
        val cases = Vectors.realNotificationCases
        assertTrue(cases.count { it.getString("expect") == "ok" } >= 5, "genuine samples")
        assertTrue(cases.count { it.getString("expect") == "signature_error" } >= 5, "tampered twins")
        for (case in cases) {
            val name = case.getString("name")
            val body = Vectors.body(case)
            val outcome = runCatching { verifierFor(case).verifyBodyWithForm(body) }
            when (val expect = case.getString("expect")) {
                "ok" -> {
                    val verified = outcome.getOrElse { fail("$name: ${it.message}") }
                    assertEquals(case.getString("signed_form"), verified.signedForm, name)
                    assertCase(name, case, verified.notification)
                    val byParams = verifierFor(case).verifyParamsWithForm(decodedParams(body))
                    assertEquals(case.getString("signed_form"), byParams.signedForm, "$name (params)")
                }
                "signature_error" -> assertIs<AlipayException.Signature>(outcome.exceptionOrNull(), name)
                else -> fail("$name: unknown expectation $expect")
            }
        }
    }

    @Test
    fun `every notifications json case, by body and by decoded params`() {
        val seen = mutableMapOf<String, Int>()
        for (case in Vectors.notificationCases) {
            val name = case.getString("name")
            val expect = case.getString("expect")
            val body = Vectors.body(case)
            val outcome = runCatching { verifierFor(case).verifyBody(body) }
            val error = outcome.exceptionOrNull()
            when (expect) {
                "ok" -> {
                    val notification = outcome.getOrElse { fail("$name: ${it.message}") }
                    seen.merge(notification.kind(), 1, Int::plus)
                    assertCase(name, case, notification)
                    // A web framework's decoded parameters verify the same way.
                    assertCase("$name (params)", case, verifierFor(case).verifyParams(decodedParams(body)))
                }
                "signature_error" -> assertIs<AlipayException.Signature>(error, "$name: $error")
                "protocol_error" -> assertIs<AlipayException.Protocol>(error, "$name: $error")
                else -> fail("$name: unknown expectation $expect")
            }
            seen.merge(expect, 1, Int::plus)
        }
        assertEquals(Vectors.notificationCases.size, listOf("ok", "signature_error", "protocol_error").sumOf { seen[it] ?: 0 })
        assertTrue(listOf("app_auth", "message", "other").all { (seen[it] ?: 0) > 0 }, "$seen")
    }

    @Test
    fun `a notification we sign verifies, tampering does not, and toString masks the tokens`() {
        val signer = Signer(Apps.alipayPrivate)
        val biz = """{"notify_context":{},"detail":{"app_auth_token":"202611BBsecret0000000000000000000X21",""" +
            """"app_refresh_token":"202611BBrefresh000000000000000000R21","user_id":"2088102000000009",""" +
            """"auth_app_id":"2021000000000999","expires_in":"31536000","re_expires_in":32140800,"auth_time":1763700000000},"error":{}}"""
        val params = mutableMapOf(
            "notify_type" to "open_app_auth_notify",
            "notify_id" to "n-1",
            "notify_time" to "2026-11-21 15:04:05",
            "status" to "execute_auth",
            "app_id" to Apps.APP_ID,
            "biz_content" to biz,
            "charset" to "UTF-8",
            "version" to "1.0",
        )
        params["sign"] = signer.signParams(params).sign
        params["sign_type"] = "RSA2"
        val verifier = Apps.config().notificationVerifier()
        val notification = verifier.verifyParams(params)
        assertIs<Notification.AppAuth>(notification)
        assertEquals(31_536_000L, notification.detail.expiresIn)
        assertEquals("execute_auth", notification.status)
        for (shown in listOf(notification.toString(), notification.detail.toString())) {
            assertFalse(shown.contains("secret") || shown.contains("refresh0"), shown)
            assertContains(shown, "2026…(")
        }
        assertContains(notification.toString(), "\"biz_content\"")
        assertThrows<AlipayException.Signature> { verifier.verifyParams(params + ("status" to "cancelled")) }
        assertThrows<AlipayException.Signature> { verifier.verifyParams(params - "sign") }
        assertThrows<AlipayException.Signature> {
            NotificationVerifier(Apps.appPublic).verifyParams(params)
        }
    }

    @Test
    fun `the default sign type and the body limit are options`() {
        val params = mutableMapOf("notify_id" to "1", "trade_status" to "TRADE_SUCCESS")
        params["sign"] = Signer(Apps.alipayPrivate, SignType.RSA).signParams(params).sign
        assertThrows<AlipayException.Signature> { NotificationVerifier(Apps.alipayPublic).verifyParams(params) }
        val legacy = NotificationVerifier(Apps.alipayPublic, defaultSignType = SignType.RSA)
        assertIs<Notification.Other>(legacy.verifyParams(params))
        val small = NotificationVerifier(Apps.alipayPublic, maxBodyBytes = 8uL)
        assertThrows<AlipayException.Protocol> { small.verifyBody("notify_id=123456789".toByteArray()) }
        assertThrows<AlipayException.Config> { NotificationVerifier(Apps.alipayPublic, maxBodyBytes = 0uL) }
    }

    @Test
    fun `the acknowledgement and the gateway check answer`() {
        assertEquals("success", successAck())
        assertEquals("alipay.service.check", serviceCheckName())
        val config = Apps.config()
        val xml = config.serviceCheckAnswer()
        val response = xml.substringAfter("<response>").substringBefore("</response>")
        val sign = xml.substringAfter("<sign>").substringBefore("</sign>")
        assertEquals("<success>true</success><biz_content>${Apps.appPublic.toBase64()}</biz_content>", response)
        Verifier(Apps.appPublic).verify(response, sign)
        assertContains(xml, "<sign_type>RSA2</sign_type>")
        assertContains(config.serviceCheckAnswer(verified = false), "VERIFY_FAILED")
    }

    @Test
    fun `binary and random input never crashes`() {
        val verifier = Apps.config().notificationVerifier()
        val random = java.util.Random(11)
        repeat(200) {
            val bytes = ByteArray(random.nextInt(64)) { random.nextInt(256).toByte() }
            val error = runCatching { verifier.verifyBody(bytes) }.exceptionOrNull()
            assertIs<AlipayException>(error)
            assertFalse(error is AlipayException.Internal, "$error")
        }
        assertNull(runCatching { verifier.verifyBody(ByteArray(0)) }.getOrNull())
    }
}
