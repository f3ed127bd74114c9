package alipay.isv

import org.junit.jupiter.api.Assumptions.assumeTrue
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Method

/**
 * The debug-only test hooks of the binding (bindings-uniffi/src/testing.rs: sample core errors,
 * deliberate panics, a deliberate leak), looked up at run time instead of called by name: a release
 * library does not have them, so neither has the Kotlin generated from it, and the suite must still
 * compile and run against a release build (`scripts/test-kotlin.sh --release`).
 *
 * Every test that needs them carries `@Tag("debug-hooks")` and starts with [require]: against a debug
 * build it runs; against a release build it is skipped — a visible JUnit skip saying why — unless the
 * system property `debug.hooks` is `required` (scripts/test-kotlin.sh sets it for the debug suite), in
 * which case their absence fails the test.
 */
object DebugHooks {
    /** The generated file's top-level functions, by Kotlin name (the JVM name without its mangling). */
    private val functions: Map<String, Method> by lazy {
        Class.forName("alipay.isv.Alipay_isv_uniffiKt").methods
            .filter { it.name.substringBefore('-').endsWith("ForTests") }
            .associateBy { it.name.substringBefore('-') }
    }

    /** Why a test is skipped without the hooks. */
    private const val ABSENT = "needs the debug-only hooks of bindings-uniffi/src/testing.rs, " +
        "which this (release) build of the native library does not have"

    /**
     * Whether the loaded binding has the hooks (a debug build); throws when they are absent although
     * the system property `debug.hooks` is `required`.
     */
    fun available(): Boolean {
        val present = "coreErrorForTests" in functions
        if (System.getProperty("debug.hooks") == "required") {
            check(present) { "debug.hooks=required but the binding has no hooks: it $ABSENT" }
        }
        return present
    }

    /** Skips the calling test when the hooks are absent (fails instead when they are required). */
    fun require() {
        assumeTrue(available(), "skipped: $ABSENT")
    }

    private fun call(name: String, vararg args: Any?): Any? {
        val method = checkNotNull(functions[name]) { "$name: the debug-only hooks are absent (call DebugHooks.require() first)" }
        return try {
            method.invoke(null, *args)
        } catch (thrown: InvocationTargetException) {
            throw thrown.targetException
        }
    }

    /** testing.rs `core_error_for_tests`: throws the `AlipayException` of a sample core error of `kind`. */
    fun coreErrorForTests(kind: String) {
        call("coreErrorForTests", kind)
    }

    /** testing.rs `panic_for_tests`: panics with `message` inside a guarded export. */
    fun panicForTests(message: String) {
        call("panicForTests", message)
    }

    /** testing.rs `panic_without_message_for_tests`: panics with a payload that is not a string. */
    fun panicWithoutMessageForTests() {
        call("panicWithoutMessageForTests")
    }

    /** testing.rs `locked_counter_for_tests`: counts under a lock, panicking while holding it when `panic`. */
    fun lockedCounterForTests(panic: Boolean): ULong = (call("lockedCounterForTests", panic) as Long).toULong()

    /** testing.rs `leak_for_tests`: allocates `bytes` bytes and never frees them. */
    fun leakForTests(bytes: UInt) {
        call("leakForTests", bytes.toInt())
    }
}
