package alipay.isv

import com.alipay.api.internal.util.AntCertificationUtil
import org.junit.jupiter.api.Test
import java.util.Base64
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Conformance of certificate SNs with the official Alipay Java SDK (`alipay-sdk-java`,
 * `AntCertificationUtil.getCertSN` / `getRootCertSN`): on every certificate of certs.json and on the
 * emulator's certificates, the SDK computes the same SNs as we do.
 */
class CertOfficialSdkTest {
    /** The SDK reads certificates from PEM text only: a DER file is handed to it as PEM (JDK Base64). */
    private fun pemForSdk(bytes: ByteArray): String = if (String(bytes, Charsets.ISO_8859_1).contains("-----BEGIN")) {
        String(bytes, Charsets.UTF_8)
    } else {
        "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(bytes) +
            "\n-----END CERTIFICATE-----\n"
    }

    private fun sdkCertSn(bytes: ByteArray): String =
        AntCertificationUtil.getCertSN(AntCertificationUtil.getCertFromContent(pemForSdk(bytes)))

    @Test
    fun `the sdk computes the same SN for every certificate of the sn cases`() {
        val cases = Vectors.certCases("sn_cases")
        for (case in cases) {
            val bytes = Vectors.bytes(case.getString("file"))
            assertEquals(case.getString("sn"), sdkCertSn(bytes), case.getString("file"))
            assertEquals(appCertSn(bytes), sdkCertSn(bytes), case.getString("file"))
        }
        assertEquals(CertVectorsTest.PRODUCTION_APP_CERT_SN, sdkCertSn(Vectors.bytes("certs/production/appCertPublicKey_2021001161683774.crt")))
    }

    /** Bundles the SDK cannot read as they are, with the reason; it gets them re-framed as plain PEM. */
    private val unreadableBundles = mapOf(
        "certs/root_bundle_crlf.crt" to
            "getRootCertSN reads neither CRLF line endings nor text outside the PEM blocks, and this bundle " +
            "has both (it logs 提取根证书失败 and returns null)",
    )

    @Test
    fun `the sdk computes the same root SN for every readable bundle`() {
        var compared = 0
        for (case in Vectors.certCases("root_cases")) {
            val file = case.getString("file")
            val bytes = Vectors.bytes(file)
            if (case.getString("expect") == "ok" && file in unreadableBundles) {
                assertEquals(null, AntCertificationUtil.getRootCertSN(pemForSdk(bytes)), "$file: the SDK reads it now, drop the skip")
                val reframed = parseCertificates(bytes).joinToString("") { it.toPem() }
                assertEquals(case.getString("sn"), AntCertificationUtil.getRootCertSN(reframed), "$file re-framed")
                compared++
            } else if (case.getString("expect") == "ok") {
                assertEquals(case.getString("sn"), AntCertificationUtil.getRootCertSN(pemForSdk(bytes)), file)
                compared++
            } else {
                // No skip: the SDK has no error for a bundle without RSA roots, it answers an empty SN,
                // which the gateway would refuse; we refuse it at configuration time (config error).
                assertEquals("", AntCertificationUtil.getRootCertSN(pemForSdk(bytes)) ?: "", file)
            }
        }
        assertEquals(4, compared)
        assertEquals(1, unreadableBundles.size, "known SDK limitations: ${unreadableBundles.keys}")
        assertEquals(
            CertVectorsTest.PRODUCTION_ROOT_SN,
            AntCertificationUtil.getRootCertSN(String(Vectors.bytes("certs/production/alipayRootCert.crt"))),
        )
    }

    @Test
    fun `the sdk computes the same SNs for the emulator's certificates`() {
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, certMode = true).use { emulator ->
            val bundle = emulator.rootCertBundlePem()
            assertEquals(emulator.alipayRootCertSn(), AntCertificationUtil.getRootCertSN(bundle))
            val appCert = emulator.issueAppCert(Apps.appPublic)
            assertEquals(appCertSn(appCert), sdkCertSn(appCert.toByteArray()))
            assertEquals(emulator.alipayCertSn(), sdkCertSn(emulator.alipayCertPem().toByteArray()))
            val rotated = emulator.rotateAlipayCert()
            assertEquals(rotated, sdkCertSn(emulator.alipayCertPem().toByteArray()))
            assertTrue(AntCertificationUtil.isTrusted(emulator.alipayCertPem(), bundle), "the SDK trusts the rotated certificate")
        }
    }
}
