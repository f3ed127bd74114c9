package alipay.isv

import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.random.Random
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Nothing crosses into the JVM but `AlipayException`: the debug-only hooks of the binding (testing.rs)
 * raise every core error kind through the real FFI path and panic — with a message, without one,
 * while holding a lock, on eight JVM threads at once — and each panic arrives as
 * `AlipayException.Internal`, the library working normally afterwards. Random bytes fed to every parser
 * end in a typed error too.
 */
class BoundariesTest {
    /** What `body` threw; fails when it returned. */
    private fun thrown(what: String, body: () -> Unit): Throwable =
        runCatching(body).exceptionOrNull() ?: fail("$what did not throw")

    /** What `body` threw, which must be an `AlipayException` (never uniffi's own or a JNA error). */
    private fun alipayError(what: String, body: () -> Unit): AlipayException {
        val error = thrown(what, body)
        assertIs<AlipayException>(error, "$what threw ${error::class.qualifiedName}: $error")
        return error
    }

    /** Signing still works (the library survived whatever came before). */
    private fun stillWorks() {
        val verifier = Verifier(Apps.appPublic)
        verifier.verify("a=1", Signer(Apps.appPrivate).sign("a=1"))
    }

    @Test
    @Tag("debug-hooks")
    fun `a panic arrives as the internal kind of the base type`() {
        DebugHooks.require()
        val panic = alipayError("panicForTests") { DebugHooks.panicForTests("deliberate panic 7f3a") }
        assertIs<AlipayException.Internal>(panic)
        assertEquals("internal", panic.kind())
        assertContains(panic.reason(), "panicForTests")
        assertContains(panic.reason(), "deliberate panic 7f3a")
        assertContains(panic.reason(), "bug")
        assertContains(panic.message.orEmpty(), "deliberate panic 7f3a")

        val silent = alipayError("panicWithoutMessageForTests") { DebugHooks.panicWithoutMessageForTests() }
        assertIs<AlipayException.Internal>(silent)
        assertContains(silent.reason(), "no message")
        stillWorks()
    }

    @Test
    @Tag("debug-hooks")
    fun `a panic while holding a lock poisons nothing`() {
        DebugHooks.require()
        val first = DebugHooks.lockedCounterForTests(false)
        assertIs<AlipayException.Internal>(alipayError("locked panic") { DebugHooks.lockedCounterForTests(true) })
        assertIs<AlipayException.Internal>(alipayError("locked panic again") { DebugHooks.lockedCounterForTests(true) })
        assertEquals(first + 3UL, DebugHooks.lockedCounterForTests(false), "the poisoned lock was recovered")
        stillWorks()
    }

    @Test
    @Tag("debug-hooks")
    fun `panics on eight JVM threads at once are eight internal errors`() {
        DebugHooks.require()
        val pool = Executors.newFixedThreadPool(8)
        try {
            val futures = (1..64).map { index ->
                pool.submit(
                    Callable {
                        runCatching { DebugHooks.panicForTests("panic $index") }.exceptionOrNull()
                    },
                )
            }
            for ((index, future) in futures.withIndex()) {
                val error = future.get(60, TimeUnit.SECONDS)
                assertIs<AlipayException.Internal>(error, "call ${index + 1} gave $error")
                assertContains(error.reason(), "panic ${index + 1}")
            }
        } finally {
            pool.shutdown()
            pool.awaitTermination(10, TimeUnit.SECONDS)
        }
        stillWorks()
    }

    @Test
    @Tag("debug-hooks")
    fun `every core error kind crosses the FFI as its own subclass`() {
        DebugHooks.require()
        val expected = mapOf(
            "config" to AlipayException.Config::class,
            "signature" to AlipayException.Signature::class,
            "api" to AlipayException.Api::class,
            "api_v3" to AlipayException.Api::class,
            "transport" to AlipayException.Transport::class,
            "transport_unsent" to AlipayException.Transport::class,
            "protocol" to AlipayException.Protocol::class,
            "store" to AlipayException.Store::class,
        )
        for ((kind, type) in expected) {
            val error = alipayError(kind) { DebugHooks.coreErrorForTests(kind) }
            assertTrue(type.isInstance(error), "$kind gave $error")
            assertEquals(kind.removeSuffix("_unsent").removeSuffix("_v3"), error.kind())
            if (!kind.startsWith("api")) assertEquals("sample $kind error", error.reason())
        }
        val api = alipayError("api") { DebugHooks.coreErrorForTests("api") } as AlipayException.Api
        assertEquals("40004", api.code)
        assertEquals("isv.code-invalid", api.subCode)
        assertEquals("授权码code无效", api.subMsg)
        assertTrue(api.signed)
        assertContains(api.reason(), "40004")
        val v3 = alipayError("api_v3") { DebugHooks.coreErrorForTests("api_v3") } as AlipayException.Api
        assertEquals(401.toUShort(), v3.httpStatus)
        assertEquals("invalid-app-auth-token", v3.code)
        assertTrue(v3.links.single().contains(assertNotNull(v3.traceId)))
        val sent = alipayError("transport") { DebugHooks.coreErrorForTests("transport") } as AlipayException.Transport
        assertTrue(sent.requestSent)
        val unsent = alipayError("transport_unsent") { DebugHooks.coreErrorForTests("transport_unsent") } as AlipayException.Transport
        assertFalse(unsent.requestSent)
        // An unknown kind panics inside the hook: the base type again.
        assertIs<AlipayException.Internal>(alipayError("unknown kind") { DebugHooks.coreErrorForTests("nonsense") })
    }

    @Test
    fun `random bytes into every parser end in a typed error`() {
        val random = Random(20261121)
        val verifier = NotificationVerifier(Apps.alipayPublic)
        val responses = ResponseVerifier(Apps.alipayPublic)
        val signatureCheck = Verifier(Apps.appPublic)
        val parsers: List<Pair<String, (ByteArray) -> Unit>> = listOf(
            "PrivateKey.fromDer" to { bytes -> PrivateKey.fromDer(bytes) },
            "PrivateKey.fromText" to { bytes -> PrivateKey.fromText(String(bytes, Charsets.ISO_8859_1)) },
            "PublicKey.fromDer" to { bytes -> PublicKey.fromDer(bytes) },
            "PublicKey.fromText" to { bytes -> PublicKey.fromText(String(bytes, Charsets.ISO_8859_1)) },
            "NotificationVerifier.verifyBody" to { bytes -> verifier.verifyBody(bytes) },
            "ResponseVerifier.verify" to { bytes ->
                responses.verify("alipay.open.mini.version.list.query", bytes)
            },
            "Verifier.verify" to { bytes -> signatureCheck.verify("a=1", String(bytes, Charsets.ISO_8859_1)) },
            "parseAppAuthCallback" to { bytes ->
                parseAppAuthCallback(
                    "https://isv.example.com/cb?" + String(bytes, Charsets.ISO_8859_1),
                    Apps.APP_ID,
                    StateCheck.AllowMissing(null),
                )
            },
            "parseCertificates" to { bytes -> parseCertificates(bytes) },
            "RootBundle" to { bytes -> RootBundle(bytes) },
        )
        var failures = 0
        for ((name, parse) in parsers) {
            repeat(60) { round ->
                val bytes = random.nextBytes(random.nextInt(0, if (round % 10 == 0) 70_000 else 600))
                val error = runCatching { parse(bytes) }.exceptionOrNull() ?: return@repeat
                assertIs<AlipayException>(error, "$name, round $round: ${error::class.qualifiedName}: $error")
                failures++
            }
        }
        assertTrue(failures > parsers.size * 50, "most random inputs fail: $failures")
        stillWorks()
    }
}
