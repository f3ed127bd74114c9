package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertContains
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The registry's store — a SQLite file, a PostgreSQL database, a MySQL database (each test on each,
 * [TestStore]) — persistence across reopening, encryption at rest and the key checked, no secrets
 * shown; opening by path or URL (`sqlite://`, `memory:`, a scheme refused); refusing foreign SQLite
 * files (SQLite only).
 */
class RegistryStorageTest {
    @TempDir
    lateinit var dir: Path

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `records survive closing and reopening`(store: TestStore) {
        val location = store.fresh(dir, "persist")
        Registry.open(location).use { registry ->
            assertEquals(
                List(2) { IngestOutcome.APPLIED },
                registry.ingestTokens(
                    listOf(Registries.token("2021000000000201", "token-kept-0001"), Registries.token("2021000000000202", "token-gone-0002")),
                ),
            )
            registry.revoke("2021000000000202")
            assertEquals(store.kind, registry.storeKind())
            if (store.isServer) {
                assertNull(registry.path())
                assertEquals(location.replace(":${Stores.password(location)}@", "@"), registry.location())
            } else {
                assertEquals(location, registry.path())
                assertEquals(location, registry.location())
            }
            assertFalse(registry.isEncrypted())
        }
        if (!store.isServer) assertTrue(Files.exists(Path.of(location)))
        Registry.open(location).use { reopened ->
            assertEquals(listOf("2021000000000201", "2021000000000202"), reopened.list().map { it.authAppId }.sorted())
            assertEquals("token-kept-0001", reopened.tokenFor("2021000000000201"))
            assertEquals(AuthStatus.REVOKED, assertNotNull(reopened.get("2021000000000202")).status)
            assertContains(assertThrows<AlipayException.Store> { reopened.tokenFor("2021000000000202") }.reason, "2021000000000202")
            if (store.isServer) {
                // SQLite's check only: a server's database is checked with the server's tools.
                assertContains(assertThrows<AlipayException.Config> { reopened.integrityCheck() }.reason, "SQLite")
            } else {
                assertEquals("ok", reopened.integrityCheck())
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `tokens are encrypted at rest and the key is checked`(store: TestStore) {
        val location = store.fresh(dir, "encrypted")
        val keyText = generateTokenKey()
        val secret = "recognisable-token-value-0001"
        Registry.open(location, TokenKey.fromBase64(keyText)).use { registry ->
            assertTrue(registry.isEncrypted())
            assertContains(registry.toString(), "encrypted=true")
            registry.ingestTokens(listOf(Registries.token("2021000000000301", secret)))
        }
        val file = Path.of(location)
        if (!store.isServer) {
            val bytes = Registries.fileBytes(file)
            assertTrue(Registries.contains(bytes, "2021000000000301"), "the file is readable as such: the id is in clear")
            assertFalse(Registries.contains(bytes, secret), "the token is not in the file")
            assertFalse(Registries.contains(bytes, "$secret-refresh"), "the refresh token is not in the file")
        }

        Registry.open(location, TokenKey.fromBase64(keyText)).use { reopened ->
            assertEquals(secret, reopened.tokenFor("2021000000000301"))
            assertEquals("$secret-refresh", assertNotNull(reopened.get("2021000000000301")).appRefreshToken)
        }
        val before = if (store.isServer) null else Registries.fileBytes(file)
        val wrong = assertThrows<AlipayException.Store> { Registry.open(location, TokenKey.fromBytes(ByteArray(32) { 9 })) }
        assertContains(wrong.reason, "does not match")
        val missing = assertThrows<AlipayException.Store> { Registry.open(location) }
        assertContains(missing.reason, "encrypt")
        if (before != null) assertContentEquals(before, Registries.fileBytes(file))
        // Still readable with its key after the refusals.
        Registry.open(location, TokenKey.fromBase64(keyText)).use { reopened ->
            assertEquals(listOf("2021000000000301"), reopened.list().map { it.authAppId })
        }

        // A plain registry does not open with a key either.
        val plain = store.fresh(dir, "plain")
        Registry.open(plain).close()
        assertThrows<AlipayException.Store> { Registry.open(plain, TokenKey.fromBase64(keyText)) }
    }

    @Test
    fun `token keys are checked and never shown`() {
        val keyText = generateTokenKey()
        assertEquals(44, keyText.length)
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

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `records, registries and errors never show a token or a password`(store: TestStore) {
        val token = "202611BBsecretTokenValue0123456789X21"
        val location = store.fresh(dir, "secrets")
        val password = if (store.isServer) Stores.password(location) else null
        Registry.open(location, TokenKey.fromBase64(generateTokenKey())).use { registry ->
            registry.ingestTokens(listOf(Registries.token("2021000000000401", token)))
            val record = assertNotNull(registry.get("2021000000000401"))
            assertEquals(token, record.appAuthToken, "the field itself holds the token")
            val shown = listOf(record.toString(), registry.list().toString(), registry.toString(), registry.location())
            for (text in shown) {
                assertFalse(text.contains("secretTokenValue"), text)
                if (password != null) assertFalse(text.contains(password), "the password is shown")
            }
            assertContains(record.toString(), "2021000000000401")
            assertContains(registry.toString(), "encrypted=true")
            assertContains(registry.toString(), "store=${registry.location()}")
            registry.revoke("2021000000000401")
            val refused = assertThrows<AlipayException.Store> { registry.tokenFor("2021000000000401") }
            assertFalse(refused.toString().contains("secretTokenValue"), refused.toString())
        }
    }

    @Test
    fun `a path or a sqlite URL opens SQLite, the memory URL opens memory, other schemes are refused`() {
        val path = dir.resolve("by-url.db").toString()
        Registry.open("sqlite://$path").use { registry ->
            assertEquals(StoreKind.SQLITE, registry.storeKind())
            assertEquals(path, registry.path())
            registry.ingestTokens(listOf(Registries.token("2021000000000501", "token-by-url-0001")))
        }
        // The same file, by its plain path and as sqlite:PATH.
        for (same in listOf(path, "sqlite:$path")) {
            Registry.open(same).use { assertEquals("token-by-url-0001", it.tokenFor("2021000000000501")) }
        }
        Registry.open("memory:").use { memory ->
            assertEquals(StoreKind.MEMORY, memory.storeKind())
            assertNull(memory.path())
            assertEquals("memory", memory.location())
            assertTrue(memory.list().isEmpty())
            assertThrows<AlipayException.Config> { memory.integrityCheck() }
        }
        assertEquals(StoreKind.MEMORY, Registry.inMemory().storeKind())
        for (refused in listOf("redis://isv:pa55word-refused@127.0.0.1:6379/0", "sqlite://", "")) {
            val error = assertThrows<AlipayException.Config> { Registry.open(refused) }
            assertFalse(error.toString().contains("pa55word-refused"), error.toString())
        }
    }
}
