package alipay.isv

import alipay.isv.Registries.TOKEN_METHOD
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.net.ServerSocket
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.Callable
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * What only a database server has, on PostgreSQL and MySQL (MariaDB): a wrong password and an unreachable
 * port are typed `Store` errors that never hold the password; two registries on one database — two
 * instances of a backend — see each other's records, share the notification journal, lose no concurrent
 * write and refresh a token exactly once between them; TLS verifying the server's certificate; the URL's
 * aliases and pool options, and a URL that is not valid a `Config` error without the password.
 */
class RegistryServerStoresTest {
    @TempDir
    lateinit var dir: Path

    /** Every text an exception shows: its message, `reason`, `toString()` and stack trace. */
    private fun texts(error: AlipayException): List<String> =
        listOf(error.message.orEmpty(), error.reason(), error.toString(), error.stackTraceToString())

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `a wrong password is a Store error naming the user, never the password`(store: TestStore) {
        val url = store.baseUrl()
        val password = Stores.password(url)
        val user = Stores.user(url)
        val wrongPassword = "wrong-Passw0rd-xyz"
        val wrong = url.replaceFirst(":$password@", ":$wrongPassword@")
        val error = assertThrows<AlipayException.Store> { Registry.open(wrong, client = null) }
        assertEquals("store", error.kind())
        assertContains(error.reason(), "user `$user`")
        for (text in texts(error)) {
            assertFalse(text.contains(wrongPassword), "the wrong password is shown: $text")
            assertFalse(text.contains(password), "the password is shown")
        }
        // Percent-encoded in the URL, and given as the `password` parameter: still never shown.
        val encoded = "s%40cret-Passw0rd%3Aone"
        for (other in listOf(url.replaceFirst(":$password@", ":$encoded@"), Stores.withParam(url.replaceFirst(":$password@", "@"), "password=$encoded"))) {
            val refused = assertThrows<AlipayException> { Registry.open(other) }
            for (text in texts(refused)) {
                assertFalse(text.contains("s@cret-Passw0rd:one") || text.contains(encoded), "the password is shown: $text")
                assertFalse(text.contains(password), "the password is shown")
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `an unreachable port is a Store error within a few seconds`(store: TestStore) {
        val url = store.baseUrl()
        val password = Stores.password(url)
        val port = ServerSocket(0).use { it.localPort }
        val hostPort = url.substringAfter('@').substringBefore('/')
        val unreachable = url.replaceFirst("@$hostPort/", "@127.0.0.1:$port/")
        val started = System.nanoTime()
        val error = assertThrows<AlipayException.Store> { Registry.open(unreachable) }
        val elapsed = Duration.ofNanos(System.nanoTime() - started)
        assertTrue(elapsed < Duration.ofSeconds(5), "$elapsed")
        assertContains(error.reason(), "127.0.0.1:$port")
        for (text in texts(error)) assertFalse(text.contains(password), "the password is shown")
        // A database that does not exist names it.
        val database = url.substringAfterLast('/').substringBefore('?')
        val missing = "${database}_nosuch"
        val absent = assertThrows<AlipayException.Store> { Registry.open(url.replaceFirst("/$database", "/$missing")) }
        assertContains(absent.reason(), missing)
        for (text in texts(absent)) assertFalse(text.contains(password), "the password is shown")
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `two registries on one database see each other's records`(store: TestStore) {
        val url = store.fresh(dir, "shared")
        val key = generateTokenKey()
        Registry.open(url, TokenKey.fromBase64(key)).use { a ->
            Registry.open(url, TokenKey.fromBase64(key)).use { b ->
                val id = "2021000000000601"
                assertEquals(listOf(IngestOutcome.APPLIED), a.ingestTokens(listOf(Registries.token(id, "token-shared-0001"))))
                assertEquals("token-shared-0001", b.tokenFor(id))
                assertEquals(a.list(), b.list())
                // A notification ingested by one is a duplicate for the other (one journal).
                val now = System.currentTimeMillis()
                val newer = Registries.authorisation("n-shared-1", id, "token-shared-0002", now)
                assertEquals(IngestOutcome.APPLIED, b.ingestNotification(newer))
                assertEquals(IngestOutcome.DUPLICATE, a.ingestNotification(newer))
                assertEquals("token-shared-0002", a.tokenFor(id))
                // A revocation seen by one instance is refused by the other.
                val cancelled = Registries.cancellation("c-shared-1", id, System.currentTimeMillis() + 1_000)
                assertEquals(IngestOutcome.APPLIED, a.ingestNotification(cancelled))
                assertEquals(IngestOutcome.DUPLICATE, b.ingestNotification(cancelled))
                assertContains(assertThrows<AlipayException.Store> { b.tokenFor(id) }.reason(), id)
                assertEquals(AuthStatus.REVOKED, assertNotNull(b.get(id)).status)
                // Orders too.
                val verifier = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic).notificationVerifier()
                val order = verifier.verifyBody(Gateways.order("n-shared-order", "20261121000000000601", "2088000000000601"))
                assertEquals(IngestOutcome.APPLIED, b.ingestNotification(order))
                assertEquals(IngestOutcome.DUPLICATE, a.ingestNotification(order))
                assertEquals(b.order("20261121000000000601"), a.order("20261121000000000601"))
                assertEquals(a.orders(), b.orders())

                // 8 threads, 4 on each instance, 25 merchants each: no write is lost.
                val pool = Executors.newFixedThreadPool(8)
                try {
                    val futures = (0 until 8).map { thread ->
                        pool.submit(
                            Callable {
                                val registry = if (thread % 2 == 0) a else b
                                for (n in 0 until 25) {
                                    val merchant = "20210000%05d%03d".format(thread, n)
                                    registry.ingestTokens(listOf(Registries.token(merchant, "token-$thread-$n-000000000")))
                                    registry.ingestNotification(Registries.authorisation("n-$thread-$n", merchant, "token-$thread-$n-notified", System.currentTimeMillis()))
                                }
                            },
                        )
                    }
                    futures.forEach { it.get(120, TimeUnit.SECONDS) }
                } finally {
                    pool.shutdown()
                    pool.awaitTermination(10, TimeUnit.SECONDS)
                }
                assertEquals(201, a.list().size)
                assertEquals(a.list(), b.list())
                assertEquals("token-7-24-notified", a.tokenFor("2021000000007024"))
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `two registries on one database refresh a token exactly once between them`(store: TestStore) {
        // Tokens live 6 s; both registries refresh 3 s before expiry: the refresh point is ~3 s after ingestion.
        Registries.emulator(Duration.ofSeconds(6)).use { emulator ->
            val url = store.fresh(dir, "hosts")
            val margin = Duration.ofSeconds(3)
            Registry.open(url, client = Emulators.client(emulator), refreshMargin = margin).use { a ->
                Registry.open(url, client = Emulators.client(emulator), refreshMargin = margin).use { b ->
                    val token = Registries.authoriseAll(emulator, Emulators.client(emulator)).single()
                    val id = token.authAppId
                    val ingestedAt = System.nanoTime()
                    a.ingestTokens(listOf(token))
                    val before = emulator.callCount(TOKEN_METHOD)
                    val start = ingestedAt + Duration.ofMillis(2_500).toNanos()
                    val end = ingestedAt + Duration.ofMillis(4_500).toNanos()
                    val seen = ConcurrentHashMap.newKeySet<String>()
                    val calls = AtomicLong()
                    val pool = Executors.newFixedThreadPool(8)
                    try {
                        val futures = (0 until 8).map { thread ->
                            pool.submit(
                                Callable {
                                    val registry = if (thread % 2 == 0) a else b
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
                    assertEquals(1UL, emulator.callCount(TOKEN_METHOD) - before, "exactly one refresh reached the emulator")
                    val record = assertNotNull(b.get(id))
                    val fresh = record.appAuthToken
                    assertNotEquals(token.appAuthToken, fresh)
                    assertTrue(seen.contains(fresh), "the new token was handed out")
                    assertTrue(seen.all { it == fresh || it == token.appAuthToken }, "only the old and the new token: ${seen.size}")
                    assertTrue(calls.get() > 8, "${calls.get()} calls")
                    assertNull(record.refreshLease)
                    assertEquals(fresh, a.tokenFor(id))
                    assertEquals(fresh, b.tokenFor(id))
                }
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `TLS verifies the server's certificate`(store: TestStore) {
        val url = store.fresh(dir, "tls")
        val password = Stores.password(url)
        val ca = store.caFile()
        val (verified, unverifiable) = when (store) {
            TestStore.POSTGRES -> "sslmode=verify-full&sslrootcert=$ca" to "sslmode=verify-full"
            else -> "ssl-mode=VERIFY_IDENTITY&ssl-ca=$ca" to "ssl-mode=VERIFY_IDENTITY"
        }
        Registry.open(Stores.withParam(url, verified)).use { registry ->
            registry.ingestTokens(listOf(Registries.token("2021000000000701", "token-over-tls-0001")))
            assertEquals("token-over-tls-0001", registry.tokenFor("2021000000000701"))
            assertFalse(registry.toString().contains(password), "the password is shown")
        }
        // The system's roots do not know the test CA: the handshake fails, saying so.
        val refused = assertThrows<AlipayException.Store> { Registry.open(Stores.withParam(url, unverifiable)) }
        assertContains(refused.reason(), "TLS")
        for (text in texts(refused)) assertFalse(text.contains(password), "the password is shown")
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(value = TestStore::class, names = ["POSTGRES", "MYSQL"])
    fun `the URL's aliases and pool options, and a URL that is not valid`(store: TestStore) {
        val url = store.fresh(dir, "options")
        val password = Stores.password(url)
        val alias = when (store) {
            TestStore.POSTGRES -> url.replaceFirst("postgres://", "postgresql://")
            else -> url.replaceFirst("mysql://", "mariadb://")
        }
        Registry.open(Stores.withParam(url, "pool_max_size=2&pool_timeout=1.5&connect_timeout=3")).use { registry ->
            assertEquals(store.kind, registry.storeKind())
            registry.ingestTokens(listOf(Registries.token("2021000000000801", "token-pooled-0001")))
        }
        Registry.open(alias).use { registry ->
            assertEquals(store.kind, registry.storeKind())
            assertEquals("token-pooled-0001", registry.tokenFor("2021000000000801"))
        }
        val notValid = listOf(
            "pool_max_size=0",
            "pool_max_size=1001",
            "pool_timeout=0",
            "pool_timeout=soon",
            if (store == TestStore.POSTGRES) "sslmode=sometimes" else "ssl-mode=sometimes",
            if (store == TestStore.POSTGRES) "sslcert=/tmp/client.pem" else "no_such_parameter=1",
        )
        for (parameter in notValid) {
            val error = assertThrows<AlipayException.Config>(parameter) { Registry.open(Stores.withParam(url, parameter)) }
            for (text in texts(error)) assertFalse(text.contains(password), "the password is shown")
        }
    }
}
