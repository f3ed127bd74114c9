package alipay.isv

import alipay.isv.Emulators.VERSIONS
import alipay.isv.Registries.TOKEN_METHOD
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Expiry-driven refresh against the emulator, on SQLite, PostgreSQL and MySQL: an 8-thread pool across
 * the refresh point makes exactly one refresh.
 */
class RegistryRefreshTest {
    @TempDir
    lateinit var dir: Path

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `8 threads across an expiry boundary refresh exactly once`(store: TestStore) {
        // Tokens live 6 s; the registry refreshes 3 s before expiry, so the refresh point is ~3 s after ingestion.
        Registries.emulator(Duration.ofSeconds(6)).use { emulator ->
            val client = Emulators.client(emulator)
            val path = store.fresh(dir, "refresh")
            val refreshed = Registry.open(path, client = client, refreshMargin = Duration.ofSeconds(3)).use { registry ->
                val token = Registries.authoriseAll(emulator, client).single()
                val id = token.authAppId
                val ingestedAt = System.nanoTime()
                registry.ingestTokens(listOf(token))
                val before = emulator.callCount(TOKEN_METHOD)
                val versionBefore = assertNotNull(registry.get(id)).version
                assertEquals(token.appAuthToken, registry.tokenFor(id), "not due yet: the stored token")
                assertEquals(before, emulator.callCount(TOKEN_METHOD))

                // Every thread asks from 2.5 s to 4.5 s after ingestion: across the refresh point.
                val start = ingestedAt + Duration.ofMillis(2_500).toNanos()
                val end = ingestedAt + Duration.ofMillis(4_500).toNanos()
                val seen = ConcurrentHashMap.newKeySet<String>()
                val threads = ConcurrentHashMap.newKeySet<String>()
                val calls = AtomicLong()
                val pool = Executors.newFixedThreadPool(8)
                try {
                    val futures = (1..8).map {
                        pool.submit(
                            Callable {
                                threads.add(Thread.currentThread().name)
                                while (System.nanoTime() < start) Thread.sleep(1)
                                while (System.nanoTime() < end) {
                                    seen.add(registry.tokenFor(id))
                                    calls.incrementAndGet()
                                }
                            },
                        )
                    }
                    futures.forEach { it.get(60, TimeUnit.SECONDS) }
                } finally {
                    pool.shutdown()
                    pool.awaitTermination(10, TimeUnit.SECONDS)
                }
                assertEquals(8, threads.size)
                assertEquals(1UL, emulator.callCount(TOKEN_METHOD) - before, "exactly one refresh reached the emulator")
                val record = assertNotNull(registry.get(id))
                val fresh = record.appAuthToken
                assertNotEquals(token.appAuthToken, fresh)
                assertTrue(seen.contains(fresh), "the new token was handed out")
                assertTrue(seen.all { it == fresh || it == token.appAuthToken }, "only the old and the new token: ${seen.size}")
                assertTrue(calls.get() > 8, "${calls.get()} calls")
                assertTrue(record.version > versionBefore)
                assertNull(record.refreshLease)
                assertTrue(assertNotNull(record.expiresAtMs) > System.currentTimeMillis() + 2_000)

                // The delegated call goes out with the new token, and needs no further refresh.
                val answer = registry.executeFor(id, VERSIONS)
                assertEquals("10000", answer.fields["code"])
                assertEquals(id, answer.fields["auth_app_id"])
                assertEquals(1UL, emulator.callCount(TOKEN_METHOD) - before)
                assertEquals(fresh, registry.tokenFor(id))
                fresh
            }
            // Another registry on the same file or database sees the refreshed token.
            Registry.open(path).use { reopened ->
                assertEquals(refreshed, reopened.list().single().appAuthToken)
                if (!store.isServer) assertEquals("ok", reopened.integrityCheck())
            }
        }
    }
}
