package alipay.isv

import java.io.ByteArrayInputStream
import java.security.KeyFactory
import java.security.cert.CertificateFactory
import java.security.spec.PKCS8EncodedKeySpec
import java.security.spec.X509EncodedKeySpec
import java.util.Base64

/**
 * Converts the vector key files to the only forms the official Java SDK loads (PKCS#8 and SPKI as
 * bare Base64), with the JDK alone, so that the conformance tests never feed the SDK our own output.
 */
object JdkKeys {
    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    private val RSA_ALGORITHM = byteArrayOf(
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86.toByte(), 0x48, 0x86.toByte(), 0xf7.toByte(), 0x0d, 0x01, 0x01, 0x01,
        0x05, 0x00,
    )
    private val rsa = KeyFactory.getInstance("RSA")

    /** The private key of a vector file as PKCS#8 Base64 (a PKCS#1 key is wrapped into PKCS#8). */
    fun pkcs8Base64(text: String): String {
        val der = Base64.getDecoder().decode(Vectors.base64Body(text))
        val pkcs8 = if (parses { rsa.generatePrivate(PKCS8EncodedKeySpec(der)) }) {
            der
        } else {
            tlv(0x30, byteArrayOf(0x02, 0x01, 0x00) + RSA_ALGORITHM + tlv(0x04, der))
        }
        rsa.generatePrivate(PKCS8EncodedKeySpec(pkcs8))
        return Base64.getEncoder().encodeToString(pkcs8)
    }

    /** The public key of a vector file as SPKI Base64 (PKCS#1 is wrapped, a certificate is opened). */
    fun spkiBase64(text: String): String {
        val spki = if (text.contains("BEGIN CERTIFICATE")) {
            CertificateFactory.getInstance("X.509")
                .generateCertificate(ByteArrayInputStream(text.toByteArray()))
                .publicKey.encoded
        } else {
            val der = Base64.getDecoder().decode(Vectors.base64Body(text))
            if (parses { rsa.generatePublic(X509EncodedKeySpec(der)) }) {
                der
            } else {
                tlv(0x30, RSA_ALGORITHM + tlv(0x03, byteArrayOf(0x00) + der))
            }
        }
        rsa.generatePublic(X509EncodedKeySpec(spki))
        return Base64.getEncoder().encodeToString(spki)
    }

    private fun parses(block: () -> Unit): Boolean = runCatching(block).isSuccess

    /** A DER tag-length-value. */
    private fun tlv(tag: Int, content: ByteArray): ByteArray = byteArrayOf(tag.toByte()) + length(content.size) + content

    private fun length(size: Int): ByteArray = when {
        size < 0x80 -> byteArrayOf(size.toByte())
        size < 0x100 -> byteArrayOf(0x81.toByte(), size.toByte())
        size < 0x10000 -> byteArrayOf(0x82.toByte(), (size shr 8).toByte(), size.toByte())
        else -> error("key too large: $size bytes")
    }
}
