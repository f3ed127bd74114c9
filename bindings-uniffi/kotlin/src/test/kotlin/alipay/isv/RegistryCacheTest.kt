package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * The per-instance token cache (`tokenCacheTtlMs`): two registries on one SQLite file stand for two
 * hosts. A token read once is served from memory; a revocation written by the other instance is seen
 * within the cache's bound, never after; a revocation through the cached registry itself at once; a
 * bound of 0 is refused. The clients are never called: the tokens are not due.
 */
class RegistryCacheTest {
    @TempDir
    lateinit var dir: Path

    private companion object {
        const val MERCHANT_APP = "2021000000000777"
        const val BOUND_MS = 400L

        /** A client of the test app; its gateway is never called. */
        fun client(): Client = Client(Apps.config())
    }

    /** Two hosts on one registry file: `writer` without a cache, `reader` with one of [BOUND_MS]. */
    private fun <T> twoHosts(name: String, body: (writer: Registry, reader: Registry) -> T): T {
        val path = dir.resolve("$name.db").toString()
        return Registry.open(path, client = client()).use { writer ->
            Registry.open(path, client = client(), tokenCacheTtlMs = BOUND_MS.toULong()).use { reader ->
                assertNull(writer.tokenCacheTtlMs())
                assertEquals(BOUND_MS.toULong(), reader.tokenCacheTtlMs())
                assertContains(reader.toString(), "tokenCacheTtl=0.4s")
                body(writer, reader)
            }
        }
    }

    @Test
    fun `another host's revocation is refused within the bound`() = twoHosts("revoked") { writer, reader ->
        val token = "202612BBfirst0000000000000000000000000001"
        writer.ingestTokens(listOf(Registries.token(MERCHANT_APP, token)))
        assertEquals(token, reader.tokenFor(MERCHANT_APP))
        val revokedAt = System.nanoTime()
        writer.revoke(MERCHANT_APP)
        // Until the bound, the other host may still serve its cached token; from the bound on, never.
        while (true) {
            // When the lookup was asked (the thread may be descheduled after it returns).
            val askedMs = (System.nanoTime() - revokedAt) / 1_000_000
            try {
                assertEquals(token, reader.tokenFor(MERCHANT_APP))
                assertTrue(askedMs < BOUND_MS, "served when asked $askedMs ms after the revocation")
            } catch (refused: AlipayException.Store) {
                assertContains(refused.reason, "revoked")
                break
            }
            if (askedMs >= 600) fail("still served when asked $askedMs ms after the revocation")
            Thread.sleep(20)
        }
    }

    @Test
    fun `a revocation through the cached registry is refused at once`() = twoHosts("local") { writer, reader ->
        writer.ingestTokens(listOf(Registries.token(MERCHANT_APP, "202612BBlocal0000000000000000000000000001")))
        assertEquals("202612BBlocal0000000000000000000000000001", reader.tokenFor(MERCHANT_APP))
        reader.revoke(MERCHANT_APP)
        assertContains(assertThrows<AlipayException.Store> { reader.tokenFor(MERCHANT_APP) }.reason, "revoked")
        // Re-authorised through this host: the new token at once.
        reader.ingestTokens(listOf(Registries.token(MERCHANT_APP, "202612BBlocal0000000000000000000000000002")))
        assertEquals("202612BBlocal0000000000000000000000000002", reader.tokenFor(MERCHANT_APP))
    }

    @Test
    fun `a bound of zero is a config error`() {
        val path = dir.resolve("zero.db")
        val opened = assertThrows<AlipayException.Config> { Registry.open(path.toString(), tokenCacheTtlMs = 0uL) }
        assertContains(opened.reason, "tokenCacheTtlMs")
        assertTrue(!path.toFile().exists(), "nothing is opened")
        val inMemory = assertThrows<AlipayException.Config> { Registry.inMemory(client(), tokenCacheTtlMs = 0uL) }
        assertContains(inMemory.reason, "tokenCacheTtlMs")
        Registry.inMemory(client(), tokenCacheTtlMs = 1000uL).use { assertEquals(1000uL, it.tokenCacheTtlMs()) }
        Registry.inMemory().use { assertNull(it.tokenCacheTtlMs()) }
    }
}
