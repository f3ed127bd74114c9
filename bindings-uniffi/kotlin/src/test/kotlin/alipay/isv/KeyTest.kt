package alipay.isv

import java.util.Base64
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/** Key loading, export and representation: mirrors core `key` and runs every keys.json case. */
class KeyTest {
    private fun load(case: JSONObject, text: String): UInt = when (val role = case.getString("role")) {
        "private" -> PrivateKey.fromText(text).bits()
        "public" -> PublicKey.fromText(text).bits()
        else -> fail("unknown role $role")
    }

    @Test
    fun `every keys json case loads or fails as expected`() {
        val cases = Vectors.keyCases
        assertTrue(cases.size >= 20, "only ${cases.size} key cases")
        var ok = 0
        var failed = 0
        for (case in cases) {
            val name = case.getString("name")
            val text = Vectors.keyText(case.getString("file"))
            when (val expect = case.getString("expect")) {
                "ok" -> {
                    assertEquals(case.getInt("bits").toUInt(), load(case, text), name)
                    ok++
                }
                "config_error" -> {
                    val error = assertThrows<AlipayException.Config>(name) { load(case, text) }
                    assertEquals("config", error.kind(), name)
                    val expected = case.getString("reason_contains")
                    assertTrue(error.reason.lowercase().contains(expected), "$name: `${error.reason}` lacks `$expected`")
                    assertEquals(error.reason, error.reason(), name)
                    val body = Vectors.base64Body(text)
                    if (body.length > 16) {
                        assertFalse(error.reason.contains(body.substring(0, 16)), "$name: key echoed")
                        assertFalse(error.message.orEmpty().contains(body.substring(0, 16)), "$name: key echoed")
                    }
                    failed++
                }
                else -> fail("$name: unknown expectation $expect")
            }
        }
        assertEquals(cases.size, ok + failed)
        assertTrue(ok > 0 && failed > 0)
    }

    @Test
    fun `toString shows bits and fingerprint but never key material`() {
        val text = Vectors.keyText("keys/app_2048_pkcs8.pem")
        val key = PrivateKey.fromText(text)
        val shown = key.toString()
        assertTrue(shown.contains("2048"), shown)
        assertTrue(shown.contains(key.publicKey().fingerprint()), shown)
        val body = Vectors.base64Body(text)
        for (start in listOf(0, 40, 400, 1000)) {
            assertFalse(shown.contains(body.substring(start, start + 16)), shown)
        }
        assertFalse(shown.contains("MII"), shown)
        assertFalse(shown.contains(key.toPkcs1Base64().substring(0, 24)), shown)
        val public = key.publicKey().toString()
        assertTrue(public.contains("2048") && public.contains("SHA256:"), public)
        assertFalse(public.contains(key.publicKey().toBase64().substring(32, 56)), public)
    }

    @Test
    fun `every export format round-trips to the same key`() {
        val key = PrivateKey.fromText(Vectors.keyText("keys/app_2048_pkcs1.pem"))
        val pkcs8Pem = key.toPkcs8Pem()
        val pkcs1Pem = key.toPkcs1Pem()
        assertTrue(pkcs8Pem.startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM header")
        assertTrue(pkcs1Pem.startsWith("-----BEGIN RSA PRIVATE KEY-----"), "PKCS#1 PEM header")
        assertEquals(Vectors.base64Body(Vectors.keyText("keys/app_2048_pkcs1.pem")), key.toPkcs1Base64())
        assertEquals(Vectors.base64Body(Vectors.keyText("keys/app_2048_pkcs8.pem")), key.toPkcs8Base64())
        for (exported in listOf(pkcs8Pem, pkcs1Pem, key.toPkcs8Base64(), key.toPkcs1Base64())) {
            val again = PrivateKey.fromText(exported)
            assertEquals(key.publicKey(), again.publicKey())
            assertEquals(2048u, again.bits())
        }
        val fromDer = PrivateKey.fromDer(Base64.getDecoder().decode(key.toPkcs8Base64()))
        assertEquals(key.publicKey(), fromDer.publicKey())
        val fromPkcs1Der = PrivateKey.fromDer(Base64.getDecoder().decode(key.toPkcs1Base64()))
        assertEquals(key.publicKey(), fromPkcs1Der.publicKey())
    }

    @Test
    fun `every public key format is the same key`() {
        val expected = PrivateKey.fromText(Vectors.keyText("keys/app_2048_pkcs8.pem")).publicKey()
        val files = listOf(
            "keys/app_2048_public.pem", "keys/app_2048_public.txt", "keys/app_2048_public_pkcs1.pem",
            "keys/app_2048_cert.pem", "keys/app_2048_public_indented.pem",
        )
        for (file in files) {
            val key = PublicKey.fromText(Vectors.keyText(file))
            assertEquals(expected, key, file)
            assertTrue(expected.isSameKey(key), file)
            assertEquals(expected.hashCode(), key.hashCode(), file)
            assertEquals(expected.fingerprint(), key.fingerprint(), file)
        }
        val alipay = PublicKey.fromText(Vectors.keyText("keys/alipay_2048_public.pem"))
        assertNotEquals(expected, alipay)
        assertFalse(expected.isSameKey(alipay))
    }

    @Test
    fun `public key exports agree with each other`() {
        val key = PublicKey.fromText(Vectors.keyText("keys/app_2048_public.pem"))
        assertTrue(Regex("SHA256:[0-9a-f]{16}").matches(key.fingerprint()), key.fingerprint())
        assertEquals(Vectors.base64Body(Vectors.keyText("keys/app_2048_public.pem")), key.toBase64())
        assertTrue(key.toDer().contentEquals(Base64.getDecoder().decode(key.toBase64())))
        assertTrue(key.toPem().startsWith("-----BEGIN PUBLIC KEY-----"))
        assertEquals(key, PublicKey.fromText(key.toPem()))
        assertEquals(key, PublicKey.fromDer(key.toDer()))
        val certDer = Base64.getDecoder().decode(Vectors.base64Body(Vectors.keyText("keys/app_2048_cert.pem")))
        assertEquals(key, PublicKey.fromDer(certDer))
    }

    @Test
    fun `der parsing reports config errors`() {
        val garbage = byteArrayOf(0x30, 0x03, 0x02, 0x01, 0x05)
        assertThrows<AlipayException.Config> { PrivateKey.fromDer(garbage) }
        assertThrows<AlipayException.Config> { PublicKey.fromDer(garbage) }
        val publicDer = PublicKey.fromText(Vectors.keyText("keys/app_2048_public.pem")).toDer()
        val error = assertThrows<AlipayException.Config> { PrivateKey.fromDer(publicDer) }
        assertTrue(error.reason.contains("public key"), error.reason)
    }

    @Test
    fun `generated key pairs are 2048 bits by default and other sizes are refused`() {
        val pair = generateKeyPair()
        assertEquals(2048u, pair.privateKey.bits())
        assertEquals(pair.publicKey, pair.privateKey.publicKey())
        val reloaded = PrivateKey.fromText(pair.privateKey.toPkcs8Pem())
        assertEquals(pair.publicKey, reloaded.publicKey())
        for (bits in listOf(1024u, 2047u, 0u)) {
            val error = assertThrows<AlipayException.Config>("$bits") { generateKeyPair(bits) }
            assertTrue(error.reason.contains("$bits"), error.reason)
        }
        assertNotEquals(generateKeyPair().publicKey, pair.publicKey)
    }
}
