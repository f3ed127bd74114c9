package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.URLEncoder
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * Certificate mode without a network (the vector certificates): both SNs are signed request
 * parameters, answers and notifications are verified with the certificate they name, and an unknown
 * one is reported by [ResponseVerifier.check] as [ResponseCheck.NeedsCertificate].
 */
class CertProtocolTest {
    private val config = IsvConfig.fromCertificates(
        Apps.APP_ID, Apps.appPrivate,
        Vectors.bytes("certs/app_cert.crt"),
        Vectors.bytes("certs/alipay_cert.crt"),
        Vectors.bytes("certs/root_bundle.crt"),
        gateway = "sandbox",
    )
    private val alipay = Signer(Apps.alipayPrivate)
    private val method = "alipay.user.info.share"
    private val success = """{"code":"10000","msg":"Success","user_id":"2088"}"""

    private fun body(raw: String, sn: String?, signer: Signer = alipay): ByteArray {
        val named = sn?.let { ""","alipay_cert_sn":"$it"""" } ?: ""
        return """{"alipay_user_info_share_response":$raw$named,"sign":"${signer.sign(raw)}"}""".toByteArray()
    }

    @Test
    fun `both SNs are signed parameters of every request`() {
        val request = config.signRequest(method)
        assertEquals("18feac943e0e73ebd5ded952d45a1f7f", request.param("app_cert_sn"))
        assertEquals("4e55c2c7c04602a6e83a8fcb1357a1e9", request.param("alipay_root_cert_sn"))
        assertContains(request.signContent(), "app_cert_sn=18feac943e0e73ebd5ded952d45a1f7f")
        assertContains(request.signContent(), "alipay_root_cert_sn=4e55c2c7c04602a6e83a8fcb1357a1e9")
        assertContains(request.httpRequest().url, "alipay_root_cert_sn=")
        assertEquals(Apps.alipayPublic, config.alipayPublicKey())
    }

    @Test
    fun `answers are verified with the certificate they name`() {
        val verifier = config.responseVerifier()
        val sn = config.alipayCertSn()!!
        val verified = verifier.verify(method, body(success, sn))
        assertEquals(sn, verified.alipayCertSn)
        assertEquals("2088", verified.fields["user_id"])
        val checked = assertIs<ResponseCheck.Verified>(verifier.check(method, body(success, sn)))
        assertEquals(verified, checked.response)

        val missing = assertThrows<AlipayException.Signature> { verifier.verify(method, body(success, null)) }
        assertContains(missing.reason(), "names no alipay_cert_sn")

        val unknownSn = "0123456789abcdef0123456789abcdef"
        val needs = assertIs<ResponseCheck.NeedsCertificate>(verifier.check(method, body(success, unknownSn)))
        assertEquals(unknownSn, needs.alipayCertSn)
        val refused = assertThrows<AlipayException.Signature> { verifier.verify(method, body(success, unknownSn)) }
        assertContains(refused.reason(), alipayCertDownloadMethod())

        val forged = body(success, sn, Signer(Apps.appPrivate))
        assertThrows<AlipayException.Signature> { verifier.check(method, forged) }
        val error = """{"code":"40004","msg":"Business Failed","sub_code":"x"}"""
        val api = assertThrows<AlipayException.Api> { verifier.check(method, body(error, null)) }
        assertTrue(api.signed)
    }

    private fun notification(sn: String?): ByteArray {
        val params = linkedMapOf("notify_id" to "n1", "notify_type" to "trade_status_sync", "charset" to "utf-8")
        val sign = alipay.sign(signContent(params))
        val all = params + mapOf("sign_type" to "RSA2", "sign" to sign) + (sn?.let { mapOf("alipay_cert_sn" to it) } ?: mapOf())
        return all.entries.joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, Charsets.UTF_8)}" }.toByteArray()
    }

    @Test
    fun `notifications pick the key by alipay_cert_sn`() {
        val verifier = config.notificationVerifier()
        assertIs<Notification.Other>(verifier.verifyBody(notification(config.alipayCertSn())))
        assertIs<Notification.Other>(verifier.verifyBody(notification(null)))
        val unknown = assertThrows<AlipayException.Signature> { verifier.verifyBody(notification("ffff")) }
        assertContains(unknown.reason(), "ffff")
    }

    @Test
    fun `fetching a certificate outside certificate mode is a config error`() {
        val client = Client(Apps.config())
        assertThrows<AlipayException.Config> { client.fetchAlipayCert("0123456789abcdef0123456789abcdef") }
        val inCertMode = Client(config)
        assertThrows<AlipayException.Config> { inCertMode.fetchAlipayCert("  ") }
        assertEquals(false, inCertMode.fetchAlipayCert(config.alipayCertSn()!!), "already trusted: no download")
    }
}
