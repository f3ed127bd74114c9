package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertContains
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The registry's SQLite file: persistence across reopening, encryption at rest, refusing foreign files, no secrets shown. */
class RegistryStorageTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun `records survive closing and reopening the file`() {
        val path = dir.resolve("persist.db")
        Registry.open(path.toString()).use { registry ->
            assertEquals(
                List(2) { IngestOutcome.APPLIED },
                registry.ingestTokens(
                    listOf(Registries.token("2021000000000201", "token-kept-0001"), Registries.token("2021000000000202", "token-gone-0002")),
                ),
            )
            registry.revoke("2021000000000202")
            assertEquals(path.toString(), registry.path())
            assertFalse(registry.isEncrypted())
        }
        assertTrue(Files.exists(path))
        Registry.open(path.toString()).use { reopened ->
            assertEquals(listOf("2021000000000201", "2021000000000202"), reopened.list().map { it.authAppId }.sorted())
            assertEquals("token-kept-0001", reopened.tokenFor("2021000000000201"))
            assertEquals(AuthStatus.REVOKED, assertNotNull(reopened.get("2021000000000202")).status)
            assertContains(assertThrows<AlipayException.Store> { reopened.tokenFor("2021000000000202") }.reason, "2021000000000202")
            assertEquals("ok", reopened.integrityCheck())
        }
    }

    @Test
    fun `tokens are encrypted at rest and the key is checked`() {
        val path = dir.resolve("encrypted.db")
        val keyText = generateTokenKey()
        assertEquals(44, keyText.length)
        val secret = "recognisable-token-value-0001"
        Registry.open(path.toString(), TokenKey.fromBase64(keyText)).use { registry ->
            assertTrue(registry.isEncrypted())
            registry.ingestTokens(listOf(Registries.token("2021000000000301", secret)))
        }
        val bytes = Registries.fileBytes(path)
        assertTrue(Registries.contains(bytes, "2021000000000301"), "the file is readable as such: the id is in clear")
        assertFalse(Registries.contains(bytes, secret), "the token is not in the file")
        assertFalse(Registries.contains(bytes, "$secret-refresh"), "the refresh token is not in the file")

        Registry.open(path.toString(), TokenKey.fromBase64(keyText)).use { reopened ->
            assertEquals(secret, reopened.tokenFor("2021000000000301"))
        }
        val before = Registries.fileBytes(path)
        val wrong = assertThrows<AlipayException.Store> { Registry.open(path.toString(), TokenKey.fromBytes(ByteArray(32) { 9 })) }
        assertContains(wrong.reason, "does not match")
        val missing = assertThrows<AlipayException.Store> { Registry.open(path.toString()) }
        assertContains(missing.reason, "encrypted")
        assertContentEquals(before, Registries.fileBytes(path))

        // A plain file does not open with a key either.
        val plain = dir.resolve("plain.db").toString()
        Registry.open(plain).close()
        assertThrows<AlipayException.Store> { Registry.open(plain, TokenKey.fromBase64(keyText)) }

        assertThrows<AlipayException.Config> { TokenKey.fromBytes(ByteArray(16)) }
        assertThrows<AlipayException.Config> { TokenKey.fromBase64("not base64!") }
        val key = TokenKey.fromBase64(keyText)
        assertFalse(key.toString().contains(keyText.substring(0, 8)), key.toString())
    }

    @Test
    fun `a garbage or truncated file is a Store error and is left untouched`() {
        val garbage = dir.resolve("garbage.db")
        Files.writeString(garbage, "this is not a database at all, just some text")
        val truncated = dir.resolve("truncated.db")
        Files.write(truncated, "SQLite format 3\u0000".toByteArray() + ByteArray(84) { 0xff.toByte() })
        for (path in listOf(garbage, truncated)) {
            val before = Files.readAllBytes(path)
            val error = assertThrows<AlipayException.Store> { Registry.open(path.toString()) }
            assertTrue(error.reason.isNotEmpty())
            assertContentEquals(before, Files.readAllBytes(path), "$path was modified")
            assertFalse(Files.exists(Path.of("$path-wal")))
        }
    }

    @Test
    fun `records, registries and errors never show a token`() {
        val token = "202611BBsecretTokenValue0123456789X21"
        Registry.open(dir.resolve("secrets.db").toString(), TokenKey.fromBase64(generateTokenKey())).use { registry ->
            registry.ingestTokens(listOf(Registries.token("2021000000000401", token)))
            val record = assertNotNull(registry.get("2021000000000401"))
            assertEquals(token, record.appAuthToken, "the field itself holds the token")
            for (shown in listOf(record.toString(), registry.list().toString(), registry.toString())) {
                assertFalse(shown.contains("secretTokenValue"), shown)
            }
            assertContains(record.toString(), "2021000000000401")
            assertContains(registry.toString(), "encrypted=true")
            registry.revoke("2021000000000401")
            val refused = assertThrows<AlipayException.Store> { registry.tokenFor("2021000000000401") }
            assertFalse(refused.toString().contains("secretTokenValue"), refused.toString())
        }
    }
}
