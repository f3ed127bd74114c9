package alipay.isv

import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertDoesNotThrow
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail

/** Canonical content, signing and verification: mirrors core `sign` and runs every sign.json case. */
class SignTest {
    private val appPrivate by lazy { PrivateKey.fromText(Vectors.keyText("keys/app_2048_pkcs1.pem")) }
    private val appPublic by lazy { PublicKey.fromText(Vectors.keyText("keys/app_2048_public.pem")) }

    @Test
    fun `every sign case gives the expected content and signature`() {
        val cases = Vectors.signCases
        assertTrue(cases.size >= 30, "only ${cases.size} sign cases")
        for (case in cases) {
            val name = case.getString("name")
            val params = Vectors.params(case)
            val expectedContent = case.getString("content")
            val expectedSign = case.getString("sign")
            assertEquals(expectedContent, signContent(params), name)
            val signer = Signer(Vectors.privateKey(case), Vectors.signType(case), Vectors.charset(case))
            assertEquals(expectedSign, signer.sign(expectedContent), name)
            assertEquals(SignedContent(expectedContent, expectedSign), signer.signParams(params), name)
            val verifier = Verifier(Vectors.publicKey(case), Vectors.signType(case), Vectors.charset(case))
            assertDoesNotThrow(name) { verifier.verify(expectedContent, expectedSign) }
        }
    }

    @Test
    fun `every verify case gives the expected verdict`() {
        val cases = Vectors.verifyCases
        assertTrue(cases.size >= 12, "only ${cases.size} verify cases")
        var valid = 0
        for (case in cases) {
            val name = case.getString("name")
            val verifier = Verifier(Vectors.publicKey(case), Vectors.signType(case), Vectors.charset(case))
            val content = case.getString("content")
            val sign = case.getString("sign")
            if (case.getBoolean("valid")) {
                assertDoesNotThrow(name) { verifier.verify(content, sign) }
                valid++
            } else {
                val error = assertThrows<AlipayException.Signature>(name) { verifier.verify(content, sign) }
                assertEquals("signature", error.kind(), name)
            }
        }
        assertTrue(valid in 1 until cases.size)
    }

    @Test
    fun `rsa2 with a 1024-bit key is a config error`() {
        val legacy = PrivateKey.fromText(Vectors.keyText("keys/app_1024_pkcs1.pem"))
        val error = assertThrows<AlipayException.Config> { Signer(legacy, SignType.RSA2, Charset.UTF8) }
        assertTrue(error.reason.contains("2048"), error.reason)
        assertThrows<AlipayException.Config> { Signer(legacy) }
        assertEquals(SignType.RSA, Signer(legacy, SignType.RSA).signType())
        val legacyPublic = PublicKey.fromText(Vectors.keyText("keys/app_1024_public.pem"))
        assertThrows<AlipayException.Config> { Verifier(legacyPublic, SignType.RSA2, Charset.UTF8) }
    }

    @Test
    fun `gbk cannot encode an emoji and says so`() {
        val signer = Signer(appPrivate, SignType.RSA2, Charset.GBK)
        val error = assertThrows<AlipayException.Config> { signer.sign("subject=pay 😀") }
        assertTrue(error.reason.contains("U+1F600"), error.reason)
        val verifier = Verifier(appPublic, SignType.RSA2, Charset.GBK)
        assertThrows<AlipayException.Config> { verifier.verify("subject=pay 😀", "AAAA") }
    }

    @Test
    fun `garbage signatures are signature errors`() {
        val verifier = Verifier(appPublic)
        for (sign in listOf("not base64 !!!", "", "AAAA", "////")) {
            val error = assertThrows<AlipayException.Signature>(sign) { verifier.verify("a=1", sign) }
            assertEquals("signature", error.kind())
        }
    }

    @Test
    fun `defaults are rsa2 and utf8`() {
        val signer = Signer(appPrivate)
        assertEquals(SignType.RSA2, signer.signType())
        assertEquals(Charset.UTF8, signer.charset())
        val verifier = Verifier(appPublic)
        assertEquals(SignType.RSA2, verifier.signType())
        assertEquals(Charset.UTF8, verifier.charset())
        val explicit = Signer(appPrivate, SignType.RSA2, Charset.UTF8)
        assertEquals(explicit.sign("a=1"), signer.sign("a=1"))
    }

    @Test
    fun `signParams builds the canonical content and signs it`() {
        val signer = Signer(appPrivate)
        val signed = signer.signParams(mapOf("b" to "2", "a" to "1", "sign" to "old", "empty" to "", "zero" to "0"))
        assertEquals("a=1&b=2&zero=0", signed.content)
        assertEquals(signer.sign(signed.content), signed.sign)
        Verifier(appPublic).verify(signed.content, signed.sign)
        assertEquals("", signContent(mapOf("sign" to "x", "a" to "")))
    }

    @Test
    fun `signBytes and verifyBytes work on encoded bytes`() {
        val content = "subject=年货大礼包&total_amount=88.88"
        for (charset in listOf(Charset.UTF8, Charset.GBK)) {
            val javaCharset = java.nio.charset.Charset.forName(charset.toString())
            val bytes = content.toByteArray(javaCharset)
            for (signType in listOf(SignType.RSA2, SignType.RSA)) {
                val signer = Signer(appPrivate, signType, charset)
                val sign = signer.signBytes(bytes)
                assertEquals(signer.sign(content), sign, "$signType $charset")
                val verifier = Verifier(appPublic, signType, charset)
                verifier.verifyBytes(bytes, sign)
                verifier.verify(content, sign)
                assertThrows<AlipayException.Signature> { verifier.verifyBytes(bytes + byteArrayOf(0), sign) }
            }
        }
    }

    @Test
    fun `names parse case-insensitively and print as on the wire`() {
        assertEquals(SignType.RSA2, parseSignType("rsa2"))
        assertEquals(SignType.RSA, parseSignType("RSA"))
        assertEquals(Charset.UTF8, parseCharset("utf-8"))
        assertEquals(Charset.UTF8, parseCharset("UTF8"))
        assertEquals(Charset.GBK, parseCharset("gbk"))
        assertEquals("RSA2", SignType.RSA2.toString())
        assertEquals("UTF-8", Charset.UTF8.toString())
        assertEquals("GBK", Charset.GBK.toString())
        assertThrows<AlipayException.Config> { parseSignType("SM2") }
        val error = assertThrows<AlipayException.Config> { parseCharset("latin1") }
        assertTrue(error.reason.contains("UTF-8"), error.reason)
    }

    @Test
    fun `looksLikeOwnKey spots the app public key in place of the alipay key`() {
        val alipayPublic = PublicKey.fromText(Vectors.keyText("keys/alipay_2048_public.pem"))
        assertTrue(looksLikeOwnKey(appPrivate, appPublic))
        assertTrue(looksLikeOwnKey(appPrivate, PublicKey.fromText(Vectors.keyText("keys/app_2048_cert.pem"))))
        assertFalse(looksLikeOwnKey(appPrivate, alipayPublic))
    }

    @Test
    fun `a generated key pair signs and verifies`() {
        val pair = generateKeyPair(2048u)
        val signed = Signer(pair.privateKey).signParams(mapOf("method" to "alipay.open.auth.token.app"))
        Verifier(pair.publicKey).verify(signed.content, signed.sign)
        assertThrows<AlipayException.Signature> { Verifier(appPublic).verify(signed.content, signed.sign) }
    }

    @Test
    fun `one signer is shared by two threads`() {
        val signer = Signer(appPrivate)
        val verifier = Verifier(appPublic)
        val cases = Vectors.signCases.filter {
            it.getString("sign_type") == "RSA2" && it.getString("charset") == "UTF-8" &&
                it.getString("private_key").startsWith("keys/app_2048") &&
                it.getString("public_key") == "keys/app_2048_public.pem"
        }
        assertTrue(cases.size >= 10, "only ${cases.size} shared-key cases")
        val pool = Executors.newFixedThreadPool(2)
        try {
            val tasks = (0 until 2).map { thread ->
                Callable {
                    repeat(3) { round ->
                        for ((index, case) in cases.withIndex()) {
                            if ((index + round + thread) % 2 != 0) continue
                            val content = case.getString("content")
                            val sign = signer.sign(content)
                            if (sign != case.getString("sign")) fail("${case.getString("name")}: signature differs")
                            verifier.verify(content, sign)
                        }
                    }
                    thread
                }
            }
            val results = pool.invokeAll(tasks, 5, TimeUnit.MINUTES).map { it.get() }
            assertEquals(listOf(0, 1), results)
        } finally {
            pool.shutdownNow()
        }
    }
}
