package alipay.isv

import alipay.isv.Emulators.VERSIONS
import alipay.isv.Registries.TOKEN_METHOD
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Path
import java.time.Duration
import kotlin.concurrent.thread
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Hostile peers: every fault mode of the emulator (delay beyond the read timeout, reset, truncated
 * body, 502, unsigned, hang, trickle, oversized) ends in the right typed error within connect + read
 * timeout; a registry whose refresh meets each of them keeps serving the stored (still valid) token
 * and writes nothing; and a raw loopback server that accepts and closes is a transport error.
 */
class FaultsTest {
    @TempDir
    lateinit var dir: Path

    /** The fault modes, with the error each must end in: `Signature` for unsigned, `Transport` otherwise. */
    private val faults: List<Pair<Fault, String>> = listOf(
        Fault.Delay(Duration.ofSeconds(3)) to "transport",
        Fault.Reset to "transport",
        Fault.TruncatedBody to "transport",
        Fault.BadGateway to "transport",
        Fault.Unsigned to "signature",
        Fault.Hang to "transport",
        Fault.Trickle(Duration.ofMillis(50)) to "transport",
        Fault.Oversized(TEN_MIB) to "transport",
    )

    /** A client on `emulator` with the short timeouts and the 1 MiB answer limit of these tests. */
    private fun client(emulator: Emulator): Client = Client(
        Emulators.config(emulator),
        TransportOptions(connectTimeout = CONNECT, readTimeout = READ, maxResponseBytes = ONE_MIB),
    )

    /** Runs `body`, failing when it takes `BOUND` or longer; returns what it returned. */
    private fun <T> withinBound(what: String, body: () -> T): T {
        val start = System.nanoTime()
        val result = body()
        val elapsed = Duration.ofNanos(System.nanoTime() - start)
        assertTrue(elapsed < BOUND, "$what took ${elapsed.toMillis()} ms; the bound is ${BOUND.toMillis()} ms")
        return result
    }

    @Test
    fun `every fault mode is the right typed error within connect plus read timeout`() {
        Emulators.start().use { emulator ->
            val client = client(emulator)
            val token = Emulators.authorise(emulator, client).appAuthToken
            val call = { client.execute(VERSIONS, CallOptions(appAuthToken = token)) }
            for ((fault, kind) in faults) {
                emulator.setFault(fault, 1u)
                val error = withinBound("$fault") {
                    runCatching { call() }.exceptionOrNull() ?: fail("$fault: the call succeeded")
                }
                assertIs<AlipayException>(error, "$fault gave $error")
                assertEquals(kind, error.kind(), "$fault gave $error")
                if (error is AlipayException.Transport) assertTrue(error.requestSent, "$fault: $error")
                when (fault) {
                    is Fault.BadGateway -> assertContains(error.reason(), "502")
                    is Fault.Oversized -> assertContains(error.reason(), "limit")
                    else -> {}
                }
            }
            assertEquals("10000", call().fields["code"], "after the faults, calls work again")
        }
    }

    @Test
    fun `an oversized fault beyond 256 MiB is refused, not allocated`() {
        Emulators.start().use { emulator ->
            val refused = runCatching { emulator.setFault(Fault.Oversized(1UL shl 40)) }.exceptionOrNull()
            assertIs<AlipayException.Config>(refused)
            assertContains(refused.reason(), "256 MiB")
        }
    }

    @Test
    fun `a refresh that meets any fault writes nothing and serves the valid token`() {
        Registries.emulator(Duration.ofSeconds(60)).use { emulator ->
            val client = client(emulator)
            val path = dir.resolve("faults.db").toString()
            val token = Registries.authoriseAll(emulator, client).single()
            val id = token.authAppId
            val control = Registries.authoriseAll(emulator, client).single()
            assertNotEquals(id, control.authAppId)
            Registry.open(path).use { it.ingestTokens(listOf(token, control)) }
            for ((fault, _) in faults) {
                // A fresh registry each time (no back-off memory); the margin (120 s) is longer than
                // the token's remaining life (60 s): every tokenFor is a refresh, the token still valid.
                Registry.open(path, client = client, refreshMargin = Duration.ofSeconds(120)).use { registry ->
                    val before = assertNotNull(registry.get(id))
                    val attempts = emulator.callCount(TOKEN_METHOD)
                    emulator.setFault(fault, 1u)
                    val served = withinBound("tokenFor meeting $fault") { registry.tokenFor(id) }
                    assertEquals(token.appAuthToken, served, "$fault")
                    assertEquals(attempts + 1UL, emulator.callCount(TOKEN_METHOD), "$fault: one refresh attempt")
                    val after = assertNotNull(registry.get(id))
                    assertEquals(before.appAuthToken, after.appAuthToken, "$fault")
                    assertEquals(before.appRefreshToken, after.appRefreshToken, "$fault")
                    assertEquals(before.expiresAtMs, after.expiresAtMs, "$fault")
                    assertNull(after.refreshLease, "$fault: the lease is released")
                    // Apart from the lease's bookkeeping (version, updatedAtMs), the record is unchanged.
                    assertEquals(before.copy(version = 0, updatedAtMs = 0), after.copy(version = 0, updatedAtMs = 0), "$fault")
                }
            }
            // The control merchant, without a fault: the same refresh goes through.
            Registry.open(path, client = client, refreshMargin = Duration.ofSeconds(120)).use { registry ->
                assertNotEquals(control.appAuthToken, registry.tokenFor(control.authAppId))
            }
        }
    }

    @Test
    fun `a raw loopback server that accepts and closes at once is a transport error`() {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val acceptor = thread(isDaemon = true, name = "accept-and-close") {
                while (!server.isClosed) {
                    runCatching { server.accept().close() }
                }
            }
            val gateway = "http://127.0.0.1:${server.localPort}/gateway.do"
            val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = gateway)
            val client = Client(config, TransportOptions(connectTimeout = CONNECT, readTimeout = READ))
            for (attempt in 1..3) {
                val error = withinBound("accept-and-close #$attempt") {
                    runCatching { client.execute(VERSIONS) }.exceptionOrNull()
                }
                assertIs<AlipayException.Transport>(error, "attempt $attempt gave $error")
                assertEquals("transport", error.kind())
            }
            server.close()
            acceptor.join(2_000)
        }
    }

    private companion object {
        val CONNECT: Duration = Duration.ofSeconds(1)
        val READ: Duration = Duration.ofMillis(800)

        /** connect + read timeout, plus a small margin for a loaded machine. */
        val BOUND: Duration = CONNECT.plus(READ).plusMillis(700)
        val ONE_MIB: ULong = 1024UL * 1024UL
        val TEN_MIB: ULong = 10UL * ONE_MIB
    }
}
