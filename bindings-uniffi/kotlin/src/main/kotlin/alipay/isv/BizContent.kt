// Hand-written companion of the generated binding (package `alipay.isv`): `biz_content` from Kotlin
// maps and lists, and `Client.execute` taking such a map. The generated API takes `biz_content` as
// JSON text; this file only converts Kotlin values to that text (no protocol logic).
package alipay.isv

/**
 * Serialises a `biz_content` map to compact JSON text for [CallOptions.bizContent].
 *
 * Values may be `null`, [String], [Boolean], [Number] (finite), [Map] with string keys, [Iterable],
 * [Array] or any other object (its `toString()` as a JSON string). Insertion order is kept.
 *
 * @throws IllegalArgumentException for a non-finite number or a map key that is not a string.
 */
fun bizContentOf(map: Map<String, Any?>): String = StringBuilder().also { writeJson(map, it) }.toString()

/**
 * Calls any Alipay API with `biz_content` given as a map (serialised by [bizContentOf]) — blocking;
 * call from `Dispatchers.IO`. `options.bizContent` is replaced; the rest is as [Client.execute].
 *
 * @throws AlipayException as [Client.execute] does.
 */
fun Client.execute(
    method: String,
    bizContent: Map<String, Any?>,
    options: CallOptions = CallOptions(),
    retry: RetryPolicy? = null,
): VerifiedResponse = execute(method, options.copy(bizContent = bizContentOf(bizContent)), retry)

private fun writeJson(value: Any?, out: StringBuilder) {
    when (value) {
        null -> out.append("null")
        is String -> writeString(value, out)
        is Boolean -> out.append(value)
        is Double, is Float -> {
            val number = (value as Number).toDouble()
            require(number.isFinite()) { "biz_content cannot hold the number $number" }
            out.append(if (number == Math.floor(number) && Math.abs(number) < 1e15) number.toLong().toString() else number.toString())
        }
        is Number -> out.append(value.toString())
        is Map<*, *> -> {
            out.append('{')
            var first = true
            for ((key, item) in value) {
                require(key is String) { "biz_content map keys must be strings, not ${key?.javaClass?.name}" }
                if (!first) out.append(',')
                first = false
                writeString(key, out)
                out.append(':')
                writeJson(item, out)
            }
            out.append('}')
        }
        is Iterable<*> -> writeArray(value, out)
        is Array<*> -> writeArray(value.asIterable(), out)
        else -> writeString(value.toString(), out)
    }
}

private fun writeArray(items: Iterable<*>, out: StringBuilder) {
    out.append('[')
    var first = true
    for (item in items) {
        if (!first) out.append(',')
        first = false
        writeJson(item, out)
    }
    out.append(']')
}

private fun writeString(text: String, out: StringBuilder) {
    out.append('"')
    for (char in text) {
        when {
            char == '"' -> out.append("\\\"")
            char == '\\' -> out.append("\\\\")
            char == '\n' -> out.append("\\n")
            char == '\r' -> out.append("\\r")
            char == '\t' -> out.append("\\t")
            char < ' ' -> out.append(String.format("\\u%04x", char.code))
            else -> out.append(char)
        }
    }
    out.append('"')
}
