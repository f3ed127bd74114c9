package alipay.isv

import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Instant
import java.util.Base64
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Certificate mode (core `cert`): every case of tests/vectors/certs.json — `sn_cases`, `root_cases`,
 * `chain_cases`, `config_cases` — run as core/tests/cert.rs runs them, the typed refusals, and the
 * [Certificate] / [RootBundle] accessors.
 */
class CertVectorsTest {
    companion object {
        /** The public production root bundle's SN (docs/protocol.md, "Public-key certificate mode"). */
        const val PRODUCTION_ROOT_SN = "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"

        /** The SN of the official Node SDK's production app certificate fixture, as that SDK computes it. */
        const val PRODUCTION_APP_CERT_SN = "866efef280dec9137a87d047ac446315"

        const val SM2_SIGNATURE_OID = "1.2.156.10197.1.501"
    }

    private fun text(case: JSONObject, field: String): String = case.getString(field)

    /** Asserts a typed error of `T` whose lower-cased reason holds the case's `reason_contains`. */
    private inline fun <reified T : AlipayException> expectError(case: JSONObject, kind: String, body: () -> Any) {
        val error = try {
            body()
            fail("$case: expected a $kind error")
        } catch (error: AlipayException) {
            error
        }
        assertTrue(error is T, "$case: got ${error::class.simpleName}: $error")
        assertEquals(kind, error.kind(), "$case")
        assertContains(error.reason().lowercase(), text(case, "reason_contains"), message = "$case")
    }

    @Test
    fun `every sn case matches, from bytes, text and path`() {
        val cases = Vectors.certCases("sn_cases")
        assertTrue(cases.size >= 7, "${cases.size} sn cases")
        for (case in cases) {
            val file = text(case, "file")
            val bytes = Vectors.bytes(file)
            val certificate = Certificate(bytes)
            assertEquals(text(case, "issuer"), certificate.issuer(), file)
            assertEquals(text(case, "serial_number"), certificate.serialNumber(), file)
            assertEquals(text(case, "sn"), certificate.sn(), file)
            assertEquals(text(case, "sn"), appCertSn(bytes), file)
            assertEquals(text(case, "sn"), appCertSn(Vectors.file(file).toPath()), file)
            assertEquals(text(case, "sn"), appCertSn(Base64.getEncoder().encodeToString(bytes)), "$file as Base64")
            if (!file.endsWith(".der")) assertEquals(text(case, "sn"), appCertSn(String(bytes)), "$file as text")
        }
        val production = cases.single { text(it, "file").endsWith("appCertPublicKey_2021001161683774.crt") }
        assertEquals(PRODUCTION_APP_CERT_SN, text(production, "sn"))
        assertEquals(PRODUCTION_APP_CERT_SN, appCertSn(Vectors.bytes(text(production, "file"))))
    }

    @Test
    fun `every root case matches, production root first`() {
        val cases = Vectors.certCases("root_cases")
        assertEquals(PRODUCTION_ROOT_SN, text(cases[0], "sn"))
        assertEquals(PRODUCTION_ROOT_SN, alipayRootCertSn(Vectors.bytes(text(cases[0], "file"))))
        var refused = 0
        for (case in cases) {
            val bytes = Vectors.bytes(text(case, "file"))
            when (text(case, "expect")) {
                "ok" -> {
                    assertEquals(text(case, "sn"), alipayRootCertSn(bytes), "$case")
                    assertEquals(text(case, "sn"), alipayRootCertSn(String(bytes)), "$case as text")
                    assertEquals(text(case, "sn"), RootBundle(bytes).sn(), "$case")
                }
                else -> {
                    expectError<AlipayException.Config>(case, "config") { alipayRootCertSn(bytes) }
                    expectError<AlipayException.Config>(case, "config") { RootBundle(bytes) }
                    refused++
                }
            }
        }
        assertEquals(2, refused, "the two SM2/ECDSA-only bundles")
    }

    @Test
    fun `every chain case matches, at its time`() {
        val cases = Vectors.certCases("chain_cases")
        assertTrue(cases.size >= 10, "${cases.size} chain cases")
        for (case in cases) {
            val roots = RootBundle(Vectors.bytes(text(case, "root_bundle")))
            val at = if (case.isNull("at")) null else Instant.ofEpochSecond(case.getLong("at"))
            val cert = Vectors.bytes(text(case, "alipay_cert"))
            when (text(case, "expect")) {
                "ok" -> assertEquals(text(case, "sn"), roots.verifyChain(cert, at).sn(), "$case")
                else -> expectError<AlipayException.Signature>(case, "signature") { roots.verifyChain(cert, at) }
            }
        }
    }

    @Test
    fun `every config case matches, from bytes and from paths`() {
        val cases = Vectors.certCases("config_cases")
        assertTrue(cases.size >= 7, "${cases.size} config cases")
        for (case in cases) {
            val key = PrivateKey.fromText(Vectors.keyText(text(case, "private_key")))
            val build = {
                IsvConfig.fromCertificates(
                    text(case, "app_id"), key,
                    Vectors.bytes(text(case, "app_cert")),
                    Vectors.bytes(text(case, "alipay_cert")),
                    Vectors.bytes(text(case, "root_bundle")),
                )
            }
            when (text(case, "expect")) {
                "ok" -> {
                    val config = build()
                    assertEquals(text(case, "app_cert_sn"), config.appCertSn(), "$case")
                    assertEquals(text(case, "alipay_cert_sn"), config.alipayCertSn(), "$case")
                    assertEquals(text(case, "alipay_root_cert_sn"), config.alipayRootCertSn(), "$case")
                    assertEquals(listOf(text(case, "alipay_cert_sn")), config.trustedAlipayCertSns())
                    val fromPaths = IsvConfig.fromCertificates(
                        text(case, "app_id"), key,
                        Vectors.file(text(case, "app_cert")).toPath(),
                        Vectors.file(text(case, "alipay_cert")).toPath(),
                        Vectors.file(text(case, "root_bundle")).toPath(),
                    )
                    assertEquals(config.alipayCertSn(), fromPaths.alipayCertSn())
                    assertContains(config.toString(), "alipayRootCertSn=${config.alipayRootCertSn()}")
                }
                else -> expectError<AlipayException.Config>(case, "config") { build() }
            }
        }
    }

    @Test
    fun `expired, unchained, SM2-only and tampered certificates are refused with typed errors`() {
        val key = Apps.appPrivate
        val app = Vectors.bytes("certs/app_cert.crt")
        val roots = Vectors.bytes("certs/root_bundle.crt")
        val bundle = RootBundle(roots)
        val expired = assertThrows<AlipayException.Signature> {
            bundle.verifyChain(Vectors.bytes("certs/alipay_cert_expired.crt"))
        }
        assertContains(expired.reason(), "expired")
        assertThrows<AlipayException.Config> {
            IsvConfig.fromCertificates(Apps.APP_ID, key, app, Vectors.bytes("certs/alipay_cert_expired.crt"), roots)
        }
        val unchained = assertThrows<AlipayException.Signature> {
            bundle.verifyChain(Vectors.bytes("certs/alipay_cert_not_chained.crt"))
        }
        assertContains(unchained.reason(), "not chained")
        val sm2 = assertThrows<AlipayException.Config> { RootBundle(Vectors.bytes("certs/root_bundle_only_sm2.crt")) }
        assertContains(sm2.reason().lowercase(), "no rsa-signed certificate")
        assertThrows<AlipayException.Config> {
            IsvConfig.fromCertificates(
                Apps.APP_ID, key, app, Vectors.bytes("certs/alipay_cert.crt"),
                Vectors.bytes("certs/root_bundle_only_sm2_ec.crt"),
            )
        }
        val tampered = assertThrows<AlipayException.Signature> {
            bundle.verifyChain(Vectors.bytes("certs/alipay_cert_tampered.crt"))
        }
        assertContains(tampered.reason(), "does not verify")
        val garbage = assertThrows<AlipayException.Config> { Certificate("not a certificate".toByteArray()) }
        assertEquals("config", garbage.kind())
        assertThrows<AlipayException.Config> { parseCertificates(ByteArray(0)) }
    }

    @Test
    fun `certificates expose their fields and never more`() {
        val pem = Vectors.bytes("certs/alipay_cert.crt")
        val certificate = Certificate(pem)
        assertEquals("1.2.840.113549.1.1.11", certificate.signatureAlgorithm())
        assertTrue(certificate.isRsaSigned())
        assertTrue(certificate.notBefore() < Instant.now() && Instant.now() < certificate.notAfter())
        assertEquals(Apps.alipayPublic, certificate.publicKey())
        assertContains(certificate.subject(), "CN=")
        assertEquals(certificate, Certificate.fromDer(Vectors.bytes("certs/alipay_cert.der")))
        assertEquals(certificate.hashCode(), Certificate.fromDer(certificate.der()).hashCode())
        assertEquals(certificate, Certificate.fromText(certificate.toPem()))
        assertEquals(certificate, Certificate.fromPath(Vectors.file("certs/alipay_cert.der").toPath()))
        assertTrue(certificate.toPem().startsWith("-----BEGIN CERTIFICATE-----\n"))
        assertTrue(Regex("SHA256:[0-9a-f]{16}").matches(certificate.fingerprint()), certificate.fingerprint())
        assertEquals(
            "Certificate(sn=${certificate.sn()}, subject=${certificate.subject()}, " +
                "issuer=${certificate.issuer()}, serialNumber=${certificate.serialNumber()})",
            certificate.toString(),
        )
        assertNotEquals(certificate, Certificate(Vectors.bytes("certs/app_cert.crt")))

        val production = parseCertificates(Vectors.bytes("certs/production/alipayRootCert.crt"))
        assertEquals(4, production.size)
        assertEquals(SM2_SIGNATURE_OID, production[0].signatureAlgorithm())
        assertFalse(production[0].isRsaSigned())
        assertThrows<AlipayException.Config> { production[0].publicKey() }
        assertEquals(2, production.count { it.isRsaSigned() })
        val bundle = RootBundle.fromPath(Vectors.file("certs/production/alipayRootCert.crt").toPath())
        assertEquals(production.filter { it.isRsaSigned() }, bundle.roots())
        assertEquals(PRODUCTION_ROOT_SN, bundle.roots().joinToString("_") { it.sn() })
        assertEquals("RootBundle(sn=$PRODUCTION_ROOT_SN, roots=2)", bundle.toString())
        val crlf = RootBundle.fromText(String(Vectors.bytes("certs/root_bundle_crlf.crt")))
        assertEquals(
            "82e4322aac7b95e8fe9d953de61069ad",
            crlf.verifyChain(String(Vectors.bytes("certs/alipay_cert_via_intermediate.crt"))).sn(),
        )
        assertEquals("alipay.open.app.alipaycert.download", alipayCertDownloadMethod())
    }

    @Test
    fun `public-key mode has no SNs`() {
        val config = Apps.config()
        assertNull(config.appCertSn())
        assertNull(config.alipayCertSn())
        assertNull(config.alipayRootCertSn())
        assertTrue(config.trustedAlipayCertSns().isEmpty())
        assertFalse(config.toString().contains("CertSn"))
    }
}
