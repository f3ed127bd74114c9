package alipay.isv

import com.sun.jna.Library
import com.sun.jna.Native
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.lang.management.ManagementFactory
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertTrue

/**
 * Memory stays flat across the FFI: the resident set (VmRSS, native memory included, not just the
 * heap) after a warm-up of 10,000 calls and after 120,000 more — 100,000 verifications (one in ten
 * failing, so an `AlipayException` crosses every time) and 20,000 signatures (one in ten through
 * `signParams`, a map crossing) with a 2048-bit key — grows by less than 20 MiB: a leak of 200 bytes
 * per call would be 24 MB.
 *
 * Runs in its own surefire execution (see the pom), in a JVM whose heap is fixed and pre-touched
 * (`-Xms256m -Xmx256m -XX:+AlwaysPreTouch`), so heap growth cannot hide or fake a native leak. Each
 * reading follows a full collection and glibc's `malloc_trim(0)`: memory the allocator merely kept
 * after the JIT compiler threads freed it (a one-time step of 10-20 MiB otherwise) is not counted,
 * memory still allocated is.
 */
class MemoryTest {
    /** glibc's `malloc_trim`: gives the free memory of every arena back to the system. */
    private interface Malloc : Library {
        fun malloc_trim(pad: Long): Int
    }

    private val malloc: Malloc = Native.load("c", Malloc::class.java)

    /** Fails unless this JVM runs as the `memory` execution of the pom starts it. */
    private fun requireFixedHeap() {
        val arguments = ManagementFactory.getRuntimeMXBean().inputArguments
        assertTrue(
            "-XX:+AlwaysPreTouch" in arguments && "-Xms256m" in arguments && "-Xmx256m" in arguments,
            "MemoryTest must run in the `memory` surefire execution (mvn test), with a fixed, pre-touched heap; got $arguments",
        )
    }

    /** VmRSS of this process, in bytes, from /proc/self/status. */
    private fun rss(): Long {
        val line = Files.readAllLines(Path.of("/proc/self/status")).first { it.startsWith("VmRSS:") }
        return line.removePrefix("VmRSS:").trim().removeSuffix("kB").trim().toLong() * 1024
    }

    /** `verifies` verifications (every tenth with a wrong signature) and `signs` signatures. */
    private fun calls(signer: Signer, verifier: Verifier, verifies: Int, signs: Int) {
        val content = "app_id=2021000000000001&biz_content={\"k\":\"v\"}&method=alipay.trade.query"
        val good = signer.sign(content)
        val bad = signer.sign("$content&x=1")
        var failed = 0
        for (i in 0 until verifies) {
            if (i % 10 == 0) {
                try {
                    verifier.verify(content, bad)
                } catch (expected: AlipayException.Signature) {
                    failed++
                }
            } else {
                verifier.verify(content, good)
            }
        }
        check(failed == (verifies + 9) / 10) { "$failed wrong signatures refused" }
        val params = mapOf("app_id" to "2021000000000001", "method" to "alipay.trade.query", "biz_content" to "{}")
        for (i in 0 until signs) {
            val sign = if (i % 10 == 0) signer.signParams(params).sign else signer.sign(content)
            check(sign.length == good.length)
        }
    }

    /** The resident set after a full collection and a trim of the allocator's free memory. */
    private fun settledRss(): Long {
        repeat(3) {
            System.gc()
            Thread.sleep(100)
        }
        malloc.malloc_trim(0)
        return rss()
    }

    @Test
    fun `rss stays flat over 100,000 verifications and 20,000 signatures`() {
        requireFixedHeap()
        val pair = generateKeyPair(2048u)
        val signer = Signer(pair.privateKey)
        val verifier = Verifier(pair.publicKey)

        val warmUp = System.nanoTime()
        calls(signer, verifier, verifies = 8_000, signs = 2_000)
        val before = settledRss()
        val start = System.nanoTime()
        calls(signer, verifier, verifies = 100_000, signs = 20_000)
        val seconds = (System.nanoTime() - start) / 1e9
        val after = settledRss()

        val growth = after - before
        val mib = 1024.0 * 1024.0
        println(
            "MemoryTest: VmRSS %.1f MiB after the 10,000-call warm-up (%.1f s), %.1f MiB after 120,000 more (%.1f s): %+.2f MiB"
                .format(before / mib, (start - warmUp) / 1e9, after / mib, seconds, growth / mib),
        )
        assertTrue(growth < 20 * 1024 * 1024, "VmRSS grew by ${growth / 1024} KiB over 120,000 calls")
    }

    @Test
    @Tag("debug-hooks")
    fun `the measurement sees a deliberate leak of 400 bytes per call`() {
        DebugHooks.require()
        requireFixedHeap()
        repeat(10_000) { DebugHooks.leakForTests(0u) }
        val before = settledRss()
        repeat(100_000) { DebugHooks.leakForTests(400u) }
        val growth = settledRss() - before
        println("MemoryTest: a 400-byte leak over 100,000 calls grew VmRSS by %.1f MiB".format(growth / (1024.0 * 1024.0)))
        assertTrue(growth > 20 * 1024 * 1024, "a 40 MB leak grew VmRSS by ${growth / 1024} KiB only")
    }
}
