package alipay.isv.bench

import alipay.isv.FfiConverterMapStringString
import alipay.isv.FfiConverterTypeNotification
import alipay.isv.NotificationVerifier
import alipay.isv.RustBuffer
import alipay.isv.UniffiLib
import alipay.isv.UniffiRustCallStatus
import alipay.isv.successAck
import com.alipay.api.internal.util.AlipaySignature
import com.sun.jna.Memory
import java.nio.ByteBuffer
import kotlin.system.exitProcess
import alipay.isv.PublicKey as OurPublicKey
import alipay.isv.Verifier as OurVerifier

/*
 * The cost of one crossing of the uniffi/JNA boundary, taken apart (`bash benches/jvm/run.sh crossings`):
 * what the generated Kotlin pays per call (a call status, a returned `RustBuffer` structure, the
 * handle clone of a method call, the lowering of a map) next to the bare JNA pieces, in ns per
 * operation. One JVM, interleaved rounds (the order rotates every round), median over the rounds.
 * The raw cases call `UniffiLib` directly (internal to this module, which compiles the generated
 * sources) to separate JNA's structure work from the Rust work.
 */

/** One measured operation; [op] returns something so that nothing is dead code. */
private class Op(val name: String, val op: () -> Any)

fun main() {
    val slotMillis = (System.getProperty("bench.slot.seconds", "0.5").toDouble() * 1000).toLong()
    val warmupMillis = (System.getProperty("bench.warmup.seconds", "0.5").toDouble() * 1000).toLong()
    val rounds = System.getProperty("bench.rounds", "5").toInt()

    val alipayPublic = OurPublicKey.fromText(Fixtures.text("alipay_2048_public.pem"))
    val verifier = NotificationVerifier(alipayPublic)
    val rawVerifier = OurVerifier(alipayPublic)
    val notification = Fixtures.notificationParams
    val handle = verifier.uniffiCloneHandle()
    // One status reused for every raw call, JNA's automatic read/write of it switched off: the floor
    // of what a pooled status can cost (the code is read back by hand).
    val reused = UniffiRustCallStatus().apply { setAutoSynch(false) }
    fun clean(status: UniffiRustCallStatus): UniffiRustCallStatus {
        status.pointer.setByte(0, 0)
        return status
    }
    fun checked(status: UniffiRustCallStatus) {
        check(status.pointer.getByte(0) == 0.toByte()) { "a raw call failed" }
    }

    val verified = verifier.verifyParams(notification)
    val liftedBytes = ByteBuffer.allocate(FfiConverterTypeNotification.allocationSize(verified).toInt())
        .also { FfiConverterTypeNotification.write(verified, it) }.array()
    val mapBytes = FfiConverterMapStringString.allocationSize(notification).toInt()
    val content = canonical(notification, setOf("sign", "sign_type"))
    val sign = notification.getValue("sign")

    val calls = listOf(
        Op("raw: clone + free a handle, a new status each (2 crossings)") {
            val h = UniffiLib.uniffi_alipay_isv_uniffi_fn_clone_notificationverifier(handle, UniffiRustCallStatus())
            UniffiLib.uniffi_alipay_isv_uniffi_fn_free_notificationverifier(h, UniffiRustCallStatus())
            h
        },
        Op("raw: clone + free a handle, one reused status (2 crossings)") {
            val h = UniffiLib.uniffi_alipay_isv_uniffi_fn_clone_notificationverifier(handle, clean(reused))
            checked(reused)
            UniffiLib.uniffi_alipay_isv_uniffi_fn_free_notificationverifier(h, clean(reused))
            checked(reused)
            h
        },
        Op("raw: success_ack + rustbuffer_free, one reused status (2 crossings)") {
            val buf = UniffiLib.uniffi_alipay_isv_uniffi_fn_func_success_ack(clean(reused))
            checked(reused)
            UniffiLib.ffi_alipay_isv_uniffi_rustbuffer_free(buf, clean(reused))
            checked(reused)
            buf
        },
        Op("generated: uniffiCloneHandle() + free (2 crossings)") {
            val h = verifier.uniffiCloneHandle()
            UniffiLib.uniffi_alipay_isv_uniffi_fn_free_notificationverifier(h, clean(reused))
            h
        },
        Op("generated: RustBuffer.alloc(64) + RustBuffer.free (2 crossings)") {
            RustBuffer.free(RustBuffer.alloc(64UL))
        },
        Op("generated: successAck() (call + free: 2 crossings)") { successAck() },
        Op("generated: lower the 25-param map + free it (2 crossings)") {
            RustBuffer.free(FfiConverterMapStringString.lower(notification))
        },
        Op("generated: NotificationVerifier.verifyParams (4 crossings + RSA verify)") {
            verifier.verifyParams(notification)
        },
        Op("context: Verifier.verify of the same content (RSA verify; 1 call, 2 strings in: 5 crossings)") {
            rawVerifier.verify(content, sign)
            true
        },
        Op("context: raw JCA verify of the same content (cached key)") {
            ok(Jca.verify(content, sign), "JCA")
        },
        Op("context: the peer, Java SDK AlipaySignature.rsaCheckV1 (key parsed per call)") {
            ok(AlipaySignature.rsaCheckV1(HashMap(notification), Fixtures.alipayPublicB64, "UTF-8", "RSA2"), "SDK")
        },
        Op("Kotlin only: write the 25-param map into a heap buffer (no crossing)") {
            ByteBuffer.allocate(mapBytes).also { FfiConverterMapStringString.write(notification, it) }
        },
        Op("Kotlin only: read the verified Notification back from bytes (no crossing)") {
            FfiConverterTypeNotification.read(ByteBuffer.wrap(liftedBytes))
        },
    )
    // Allocation-heavy cases last, in a group of their own: the garbage of JNA's tracked Memory
    // (freed by JNA's cleaner thread) would otherwise weigh on the cases measured after them.
    val allocations = listOf(
        Op("JNA: new RustBuffer.ByValue()") { RustBuffer.ByValue() },
        Op("JNA: new UniffiRustCallStatus()") { UniffiRustCallStatus() },
        Op("JNA: new com.sun.jna.Memory(24)") { Memory(24) },
    )
    val groups = listOf(calls, allocations)
    val ops = groups.flatten()

    fun measure(op: Op, millis: Long): Double {
        var count = 0L
        var hash = 0
        val t0 = System.nanoTime()
        val end = t0 + millis * 1_000_000
        var now: Long
        do {
            repeat(16) { hash += System.identityHashCode(op.op()) }
            count += 16
            now = System.nanoTime()
        } while (now < end)
        sink = sink xor hash
        return (now - t0).toDouble() / count
    }

    System.err.println("crossings: warm-up ${warmupMillis} ms per case, then $rounds rounds of ${slotMillis} ms per case")
    val results = ops.associateWith { mutableListOf<Double>() }
    for (group in groups) {
        for (op in group) measure(op, warmupMillis)
        for (round in 0 until rounds) {
            for (i in group.indices) {
                val op = group[(i + round) % group.size]
                results.getValue(op) += measure(op, slotMillis)
            }
        }
    }
    UniffiLib.uniffi_alipay_isv_uniffi_fn_free_notificationverifier(handle, clean(reused))

    println("### Kotlin/JVM: the cost of one uniffi/JNA crossing, taken apart")
    println()
    println("command: `${System.getProperty("bench.command", "bash benches/jvm/run.sh crossings")}` — " +
        "median of $rounds interleaved rounds of $slotMillis ms per case; JNA ${com.sun.jna.Native.VERSION}")
    println()
    println("| operation | ns/op (median) | min | max |")
    println("|---|---:|---:|---:|")
    for (op in ops) {
        val values = results.getValue(op).sorted()
        println("| ${op.name} | %,.0f | %,.0f | %,.0f |".format(values[values.size / 2], values.first(), values.last()))
    }
    System.out.flush()
    exitProcess(0)
}
