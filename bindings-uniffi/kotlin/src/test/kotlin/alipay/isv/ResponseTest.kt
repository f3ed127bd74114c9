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

/** Gateway response verification (core `response`): every responses.json case, and the result types. */
class ResponseTest {
    private fun verifierFor(case: JSONObject): ResponseVerifier = ResponseVerifier(
        PublicKey.fromText(Vectors.keyText(case.getString("alipay_public_key"))),
        parseSignType(case.getString("sign_type")),
        parseCharset(case.getString("charset")),
        Vectors.optText(case, "aes_key")?.let { AesKey(it) },
        if (case.isNull("max_body_bytes")) null else case.getLong("max_body_bytes").toULong(),
    )

    @Test
    fun `every responses json case`() {
        val seen = mutableMapOf<String, Int>()
        for (case in Vectors.responseCases) {
            val name = case.getString("name")
            val expect = case.getString("expect")
            seen.merge(expect, 1, Int::plus)
            val outcome = runCatching { verifierFor(case).verify(case.getString("method"), Vectors.body(case)) }
            val error = outcome.exceptionOrNull()
            when (expect) {
                "ok" -> {
                    val response = outcome.getOrElse { fail("$name: ${it.message}") }
                    val fields = JSONObject(response.fieldsJson)
                    assertTrue(Vectors.containsJson(fields, case.getJSONObject("fields")), "$name: $fields")
                    for ((key, value) in response.fields) assertEquals(fields.get(key).toString(), value, "$name.$key")
                }
                "api_error" -> {
                    assertIs<AlipayException.Api>(error, "$name: $error")
                    assertEquals(case.getString("code"), error.code, name)
                    assertEquals(Vectors.optText(case, "sub_code"), error.subCode, name)
                    assertEquals(case.getBoolean("signed"), error.signed, name)
                    assertEquals("api", error.kind())
                }
                "signature_error" -> assertIs<AlipayException.Signature>(error, "$name: $error")
                "protocol_error" -> assertIs<AlipayException.Protocol>(error, "$name: $error")
                "config_error" -> assertIs<AlipayException.Config>(error, "$name: $error")
                else -> fail("$name: unknown expectation $expect")
            }
        }
        assertEquals(Vectors.responseCases.size, seen.values.sum())
        assertEquals(setOf("ok", "api_error", "signature_error", "protocol_error", "config_error"), seen.keys)
    }

    /** A success body signed with the vector Alipay key by our Signer, as the gateway would send it. */
    private fun signedBody(node: String): ByteArray {
        val sign = Signer(Apps.alipayPrivate).sign(node)
        return """{"alipay_system_oauth_token_response":$node,"sign":"$sign"}""".toByteArray()
    }

    @Test
    fun `the config's verifier knows the method and gives scalars as text`() {
        val node = """{"user_id":"2088102000000001","access_token":"authusrB2e8f4c6a1d3b5e7f9a0c2e4b6d8f1a3c5X21",""" +
            """"expires_in":1296000,"ok":true,"nested":{"a":[1,2]},"none":null}"""
        val response = Apps.config().responseVerifier().verify("alipay.system.oauth.token", signedBody(node))
        assertEquals("1296000", response.fields["expires_in"])
        assertEquals("true", response.fields["ok"])
        assertFalse("nested" in response.fields || "none" in response.fields)
        assertEquals(listOf<Any>(1, 2), JSONObject(response.fieldsJson).getJSONObject("nested").getJSONArray("a").toList())
        assertNull(response.alipayCertSn)
        val shown = response.toString()
        assertFalse(shown.contains("authusrB2e8"), shown)
        assertContains(shown, "access_token")
    }

    @Test
    fun `alipay_cert_sn is returned`() {
        val node = """{"code":"10000","msg":"Success"}"""
        val sign = Signer(Apps.alipayPrivate).sign(node)
        val body = """{"alipay_trade_query_response":$node,"alipay_cert_sn":"5f3a","sign":"$sign"}"""
        val response = ResponseVerifier(Apps.alipayPublic).verify("alipay.trade.query", body.toByteArray())
        assertEquals("5f3a", response.alipayCertSn)
        assertEquals(mapOf("code" to "10000", "msg" to "Success"), response.fields)
    }

    @Test
    fun `api errors carry the hint and the body limit is configurable`() {
        val node = """{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.self-invoke-forbidden","sub_msg":"此用户不允许自调用"}"""
        val sign = Signer(Apps.alipayPrivate).sign(node)
        val body = """{"alipay_trade_query_response":$node,"sign":"$sign"}""".toByteArray()
        val error = assertThrows<AlipayException.Api> { Apps.config().responseVerifier().verify("alipay.trade.query", body) }
        assertEquals("此用户不允许自调用", error.subMsg)
        assertTrue(error.signed)
        assertContains(error.hint.orEmpty(), "app_auth_token")
        val small = ResponseVerifier(Apps.alipayPublic, maxBodyBytes = 10uL)
        assertThrows<AlipayException.Protocol> { small.verify("alipay.trade.query", body) }
        assertThrows<AlipayException.Config> { ResponseVerifier(Apps.alipayPublic, maxBodyBytes = 0uL) }
        val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, maxBodyBytes = 10uL)
        assertThrows<AlipayException.Protocol> { config.responseVerifier().verify("alipay.trade.query", body) }
    }

    @Test
    fun `binary and random input never crashes`() {
        val verifier = Apps.config().responseVerifier()
        val random = java.util.Random(7)
        repeat(200) {
            val bytes = ByteArray(random.nextInt(64)) { random.nextInt(256).toByte() }
            val error = runCatching { verifier.verify("a.b", bytes) }.exceptionOrNull()
            assertIs<AlipayException>(error)
            assertFalse(error is AlipayException.Internal, "$error")
        }
    }
}
