package alipay.isv

import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.io.File
import java.nio.charset.CharacterCodingException
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertIsNot
import kotlin.test.assertTrue

/**
 * The generated Kotlin is patched by our uniffi-bindgen (uniffi-bindgen/src/kotlin_patch.rs): pooled
 * call statuses, `RustBuffer` structures read and written by hand in memory from a per-thread ring,
 * strings encoded without a new CharsetEncoder. These pin the patch: it is in the file, errors still
 * arrive typed (the error path nests a call inside a call), on many threads at once, with the pool
 * back to empty after each call; a structure kept past its ring slot or moved to another thread is
 * still passed right; strings still encode the same, a lone surrogate still refused.
 */
class PatchedBindingTest {
    private val generated = File("target/generated-sources/uniffi/alipay/isv/alipay_isv_uniffi.kt")

    @Test
    fun `the generated file carries every patch`() {
        val text = generated.readText()
        assertContains(text, "alipay-isv patch (uniffi-bindgen/src/kotlin_patch.rs)")
        assertFalse(text.contains("var status = UniffiRustCallStatus()"), "a call still allocates its status")
        assertContains(text, "val status = pool.acquire()")
        assertContains(text, "override fun autoAllocate(size: Int): com.sun.jna.Memory = UniffiScratchRing.current().take(size)")
        assertContains(text, "return ByteBuffer.wrap(value.toByteArray(Charsets.UTF_8))")
    }

    @Test
    @Tag("debug-hooks")
    fun `errors arrive typed through pooled statuses and the pool is empty after every call`() {
        DebugHooks.require()
        val pool = UniffiCallStatusPool.current()
        repeat(3) {
            assertEquals("success", successAck())
            assertEquals(0, pool.depth())
            val config = assertFailsWith<AlipayException.Config> { DebugHooks.coreErrorForTests("config") }
            assertEquals("config", config.kind())
            assertEquals(0, pool.depth())
            assertIs<AlipayException.Api>(runCatching { DebugHooks.coreErrorForTests("api") }.exceptionOrNull())
            val panic = assertFailsWith<AlipayException.Internal> { DebugHooks.panicForTests("pooled panic 51c2") }
            assertContains(panic.reason(), "pooled panic 51c2")
            assertEquals(0, pool.depth())
            // A success right after a failure: the reused status was reset.
            assertEquals("a=1&b=2", signContent(mapOf("b" to "2", "a" to "1")))
        }
        // The error path frees the error buffer while the failed call's status is held: two deep.
        assertEquals(2, pool.size())
    }

    @Test
    @Tag("debug-hooks")
    fun `statuses are per thread, under load, failures and successes interleaved`() {
        DebugHooks.require()
        val threads = 8
        val pool = Executors.newFixedThreadPool(threads)
        try {
            val tasks = (0 until threads).map { worker ->
                Callable {
                    val statuses = UniffiCallStatusPool.current()
                    repeat(200) { round ->
                        val value = "w$worker-r$round"
                        assertEquals("k=$value", signContent(mapOf("k" to value)))
                        val kind = if ((worker + round) % 2 == 0) "signature" else "protocol"
                        val error = assertFailsWith<AlipayException> { DebugHooks.coreErrorForTests(kind) }
                        assertEquals(kind, error.kind())
                        assertEquals(0, statuses.depth())
                    }
                    statuses
                }
            }
            val pools = pool.invokeAll(tasks).map { it.get(60, TimeUnit.SECONDS) }
            assertEquals(threads, pools.toSet().size, "each thread has its own pool")
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun `a structure kept past its ring slot is moved before it is passed`() {
        val signer = Signer(Apps.appPrivate)
        val content = "a=1&b=kept"
        val sign = signer.sign(content)
        val verifier = Verifier(Apps.appPublic)
        // Lower the content, then make exactly one ring's worth of structures, so that lowering the
        // sign takes the very slot the content has: both are arguments of one call.
        val kept = FfiConverterString.lower(content)
        val keptSlot = kept.pointer
        assertIs<UniffiScratchMemory>(keptSlot)
        repeat((UniffiScratchRing.SLOTS - 1).toInt()) { RustBuffer.ByValue() }
        val fresh = FfiConverterString.lower(sign)
        assertEquals(com.sun.jna.Pointer.nativeValue(keptSlot), com.sun.jna.Pointer.nativeValue(fresh.pointer))
        uniffiRustCallWithErrorForTests {
            UniffiLib.uniffi_alipay_isv_uniffi_fn_method_verifier_verify(verifier.uniffiCloneHandle(), kept, fresh, it)
        }
        assertIsNot<UniffiScratchMemory>(kept.pointer, "the kept structure moved to memory of its own")
        assertIs<UniffiScratchMemory>(fresh.pointer)
    }

    @Test
    fun `a structure made on another thread is moved before it is passed`() {
        val content = "a=1&b=elsewhere"
        val sign = Signer(Apps.appPrivate).sign(content)
        val verifier = Verifier(Apps.appPublic)
        val executor = Executors.newSingleThreadExecutor()
        val elsewhere = try {
            executor.submit(Callable { FfiConverterString.lower(content) }).get(30, TimeUnit.SECONDS)
        } finally {
            executor.shutdownNow()
        }
        uniffiRustCallWithErrorForTests {
            UniffiLib.uniffi_alipay_isv_uniffi_fn_method_verifier_verify(
                verifier.uniffiCloneHandle(), elsewhere, FfiConverterString.lower(sign), it,
            )
        }
        assertIsNot<UniffiScratchMemory>(elsewhere.pointer)
    }

    @Test
    fun `strings encode as before and a lone surrogate is still refused`() {
        val values = listOf("ascii", "年货礼盒 Spring Festival", "emoji 🎁 pair", "ключ", "x".repeat(5000))
        assertEquals("", FfiConverterString.toUtf8("").limit().let { if (it == 0) "" else "$it" })
        for (value in values) {
            assertEquals("k=$value", signContent(mapOf("k" to value)))
            val bytes = FfiConverterString.toUtf8(value)
            val expected = value.toByteArray(Charsets.UTF_8)
            assertEquals(expected.size, bytes.limit())
            assertTrue(ByteArray(bytes.limit()).also { bytes.get(it) }.contentEquals(expected), value)
        }
        for (lone in listOf("\uD800", "a\uDC00b", "🎁\uD83C")) {
            assertFailsWith<CharacterCodingException> { signContent(mapOf("k" to lone)) }
        }
    }
}

/** Runs one raw call with a pooled status and throws what the call failed with (tests only). */
private fun uniffiRustCallWithErrorForTests(call: (UniffiRustCallStatus) -> Unit) {
    val pool = UniffiCallStatusPool.current()
    val status = pool.acquire()
    try {
        call(status)
        pool.readBack(status)
        check(status.isSuccess()) { "the raw call failed with code ${status.code}" }
    } finally {
        pool.release(status)
    }
}
