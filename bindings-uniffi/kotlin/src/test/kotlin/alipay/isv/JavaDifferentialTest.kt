package alipay.isv

import com.alipay.api.AlipayApiException
import com.alipay.api.internal.util.AlipayLogger
import com.alipay.api.internal.util.AlipaySignature
import java.net.URLEncoder
import java.nio.ByteBuffer
import java.nio.charset.CodingErrorAction
import java.security.KeyFactory
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64
import java.util.Random
import org.junit.jupiter.api.Test
import kotlin.test.assertTrue
import kotlin.test.fail
import java.nio.charset.Charset as JavaCharset

/**
 * Randomized differential test against the official Java SDK (`AlipaySignature`), whose rules are the
 * gateway's own: for random parameter maps drawn from hostile alphabets (Chinese, 4-byte UTF-8, the
 * private-use area and U+FFE5, `&=+%`, every kind of whitespace, empty values, `"0"`, keys that are
 * prefixes of each other, keys with an emoji and a ≥U+E000 character at the same position) under RSA2
 * and RSA, UTF-8 and GBK, it checks that
 *
 * - a. our canonical content is `getSignContent`'s;
 * - b. our signatures are byte-identical to `rsaSign`'s (on its content, and end to end from the map);
 * - c. notifications we sign as the gateway does (V1 and V2) pass `rsaCheckV1`/`rsaCheckV2`;
 * - d. notifications the SDK signs (V1 and V2) pass our `NotificationVerifier`;
 * - e. one changed character in one signed value is refused by both sides;
 *
 * and, when a content is empty (every value blank), that both sides refuse to sign it and neither
 * accepts a notification whose signed content is empty.
 *
 * The seed is fixed and printed (`-Ddifferential.seed=N` overrides it, `-Ddifferential.cases=N` the
 * number of cases, at least 500). A mismatch is shrunk (parameters dropped, then keys and values
 * shortened code point by code point while the same mismatch persists) and printed as a Kotlin and a
 * JSON literal with `\u` escapes.
 *
 * The second test compares the GBK tables: every BMP code point the JDK's GBK encoder can encode is
 * encoded to the JDK's bytes by us (compared through signatures: `Signer.sign` over the text against
 * `Signer.signBytes` over the JDK's bytes), every other one is refused by us, and every 2-byte GBK
 * sequence the JDK decodes is decoded to the same text by us (`NotificationVerifier.verifyBody` of a
 * GBK form body).
 */
class JavaDifferentialTest {
    init {
        AlipayLogger.setNeedEnableLogger(false)
    }

    // ---------------------------------------------------------------------------------------------
    // Keys: the vector keys the other tests load (2048-bit), in our forms and in the SDK's.

    private val javaAppPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/app_2048_pkcs8.pem"))
    private val javaAlipayPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/alipay_2048_pkcs8.pem"))
    private val javaAlipayPublic = JdkKeys.spkiBase64(Vectors.keyText("keys/alipay_2048_public.pem"))
    private val jdkAlipayPrivate = KeyFactory.getInstance("RSA")
        .generatePrivate(PKCS8EncodedKeySpec(Base64.getDecoder().decode(javaAlipayPrivate)))

    private val appSigners = HashMap<Pair<SignType, Charset>, Signer>()
    private val alipaySigners = HashMap<Pair<SignType, Charset>, Signer>()
    private val notificationVerifier by lazy { NotificationVerifier(Apps.alipayPublic) }

    private fun appSigner(case: Case) =
        appSigners.getOrPut(case.signType to case.charset) { Signer(Apps.appPrivate, case.signType, case.charset) }

    private fun alipaySigner(case: Case) =
        alipaySigners.getOrPut(case.signType to case.charset) { Signer(Apps.alipayPrivate, case.signType, case.charset) }

    // ---------------------------------------------------------------------------------------------
    // Cases.

    /**
     * One case: the random parameters (never `sign`, `sign_type`, `charset` or `alipay_cert_sn`),
     * whether the request also carries `sign_type`, whether the notifications declare `charset`
     * (always for GBK), and the seed choosing the character to change.
     */
    private data class Case(
        val signType: SignType,
        val charset: Charset,
        val params: List<Pair<String, String>>,
        val withSignType: Boolean,
        val declareCharset: Boolean,
        val tamperSeed: Int,
    ) {
        /** The request parameters: a and b. */
        fun request(): LinkedHashMap<String, String> = LinkedHashMap<String, String>().apply {
            putAll(params)
            if (withSignType) put("sign_type", signType.toString())
        }

        /** The signed parameters of a notification, `sign_type` aside (V1). */
        fun notification(): LinkedHashMap<String, String> = LinkedHashMap<String, String>().apply {
            putAll(params)
            if (declareCharset) put("charset", charset.toString())
        }

        fun kotlin(): String = "Case(SignType.$signType, Charset.${if (charset == Charset.GBK) "GBK" else "UTF8"}, " +
            "withSignType = $withSignType, declareCharset = $declareCharset, tamperSeed = $tamperSeed, params = " +
            (if (params.isEmpty()) "emptyMap()" else params.joinToString(", ", "mapOf(", ")") { (k, v) -> "${lit(k)} to ${lit(v)}" }) + ")"

        fun json(): String = "{\"sign_type\":\"$signType\",\"charset\":\"$charset\",\"with_sign_type\":$withSignType," +
            "\"declare_charset\":$declareCharset,\"tamper_seed\":$tamperSeed,\"params\":" +
            params.joinToString(",", "{", "}") { (k, v) -> "${lit(k)}:${lit(v)}" } + "}"
    }

    /** Whether Java's `StringUtils.isEmpty` counts the text as empty (empty or all `Character.isWhitespace`). */
    private fun javaBlank(text: String) = text.all { Character.isWhitespace(it) }

    private fun encodable(codePoint: Int, charset: Charset): Boolean = when (charset) {
        Charset.UTF8 -> true
        Charset.GBK -> codePoint < 0x10000 && codePoint !in 0xD800..0xDFFF && GBK_ENCODER.canEncode(codePoint.toChar())
    }

    private fun Random.pick(values: IntArray) = values[nextInt(values.size)]

    private fun Random.emoji(): Int = when (nextInt(5)) {
        0 -> 0x1F600 + nextInt(0x50) // emoticons, U+1F600 …
        1 -> 0x1F300 + nextInt(0x300)
        2 -> 0x20000 + nextInt(0xA6E0) // CJK extension B: 4 bytes too
        else -> pick(intArrayOf(0x10000, 0x1D11E, 0x1F4B0, 0x1F9E7, 0xE0041, 0x10FFFF))
    }

    private fun Random.high(): Int = when (nextInt(3)) {
        0 -> pick(HIGH)
        1 -> 0xE000 + nextInt(0x1900) // private use
        else -> 0xF900 + nextInt(0xFFFF - 0xF900 + 1)
    }

    private fun Random.anyBmp(): Int {
        val codePoint = nextInt(0x10000 - 0x800)
        return if (codePoint >= 0xD800) codePoint + 0x800 else codePoint
    }

    /** One code point from the hostile alphabets, encodable in the charset. */
    private fun Random.codePoint(charset: Charset): Int {
        repeat(64) {
            val codePoint = when (nextInt(100)) {
                in 0 until 34 -> WORD[nextInt(WORD.length)].code
                in 34 until 48 -> 0x4E00 + nextInt(0x9FA6 - 0x4E00)
                in 48 until 58 -> emoji()
                in 58 until 68 -> high()
                in 68 until 75 -> pick(SPECIAL)
                in 75 until 84 -> pick(WHITESPACE)
                in 84 until 90 -> pick(GBK_EXTRA)
                in 90 until 96 -> pick(GBK_ENCODABLE)
                else -> anyBmp()
            }
            if (encodable(codePoint, charset)) return codePoint
        }
        return 'x'.code
    }

    private fun Random.text(charset: Charset, length: Int): String = buildString {
        repeat(length) { appendCodePoint(codePoint(charset)) }
    }

    private fun Random.whitespace(charset: Charset): String = buildString {
        repeat(1 + nextInt(3)) {
            var codePoint: Int
            do codePoint = pick(JAVA_WHITESPACE) while (!encodable(codePoint, charset))
            appendCodePoint(codePoint)
        }
    }

    private fun Random.key(charset: Charset, existing: List<String>): String = when (nextInt(100)) {
        in 0 until 18 -> if (existing.isEmpty()) text(charset, 1 + nextInt(6)) else {
            // a prefix of another key, or another key with a tail
            val other = existing[nextInt(existing.size)]
            val points = other.codePoints().toArray()
            if (points.size > 1 && nextBoolean()) String(points, 0, 1 + nextInt(points.size - 1))
            else other + text(charset, 1 + nextInt(2))
        }
        in 18 until 21 -> listOf("", " ", "\t", "\u3000", "\n ")[nextInt(5)]
        in 21 until 25 -> listOf("sign_", "signs", "sign ", " sign", "Sign", "SIGN", "sign_typ", "sign_type_", "charsets", "sig")[nextInt(10)]
        in 25 until 55 -> buildString { repeat(1 + nextInt(8)) { append(WORD[nextInt(WORD.length)]) } }
        else -> text(charset, 1 + nextInt(6))
    }

    private fun Random.value(charset: Charset, blank: Boolean): String {
        if (blank) return if (nextBoolean()) "" else whitespace(charset)
        return when (nextInt(100)) {
            in 0 until 10 -> ""
            in 10 until 15 -> "0"
            in 15 until 22 -> whitespace(charset)
            in 22 until 27 -> whitespace(charset) + text(charset, 1 + nextInt(3)) + whitespace(charset)
            in 27 until 30 -> "0" + whitespace(charset)
            else -> text(charset, 1 + nextInt(10))
        }
    }

    private fun Random.case(signType: SignType, charset: Charset): Case {
        val allBlank = nextInt(100) < 5
        val target = 1 + nextInt(12)
        val keys = ArrayList<String>()
        // Two keys alike but for one position: an emoji (a surrogate pair in UTF-16) against a
        // character at or above U+E000 (U+FFE5, private use…); in GBK, Chinese against private use.
        if (nextInt(100) < 25 && target >= 2) {
            val prefix = if (nextBoolean()) "" else text(charset, nextInt(3))
            val (first, second) = if (charset == Charset.UTF8) emoji() to high() else {
                var high: Int
                do high = high() while (!encodable(high, charset))
                (0x4E00 + nextInt(0x9FA6 - 0x4E00)) to high
            }
            val tail = if (nextBoolean()) "" else text(charset, 1 + nextInt(2))
            keys += prefix + String(Character.toChars(first)) + tail
            keys += prefix + String(Character.toChars(second)) + if (nextBoolean()) tail else text(charset, nextInt(2))
        }
        var attempts = 0
        while (keys.size < target && attempts++ < 100) {
            val key = key(charset, keys)
            if (key !in keys && key !in RESERVED) keys += key
        }
        keys.shuffle(this)
        val params = keys.filter { it !in RESERVED }.distinct().map { it to value(charset, allBlank) }
        return Case(
            signType = signType,
            charset = charset,
            params = params,
            withSignType = nextInt(100) < 30,
            declareCharset = charset == Charset.GBK || nextBoolean(),
            tamperSeed = nextInt(Int.MAX_VALUE),
        )
    }

    // ---------------------------------------------------------------------------------------------
    // Evaluation.

    private sealed interface Signed {
        data class Ok(val sign: String) : Signed
        data class Refused(val config: Boolean, val why: String) : Signed
    }

    private fun Signed.show(): String = when (this) {
        is Signed.Ok -> "signed ${sign.take(16)}…"
        is Signed.Refused -> "refused ($why)"
    }

    /** Both signed the same bytes, or both refused (ours with a Config error). */
    private fun agree(java: Signed, ours: Signed): Boolean = when {
        java is Signed.Ok && ours is Signed.Ok -> java.sign == ours.sign
        java is Signed.Refused && ours is Signed.Refused -> ours.config
        else -> false
    }

    private fun javaSign(content: String, key: String, case: Case): Signed = try {
        Signed.Ok(AlipaySignature.rsaSign(content, key, case.charset.toString(), case.signType.toString()))
    } catch (refused: AlipayApiException) {
        Signed.Refused(false, "AlipayApiException: ${refused.message?.take(80)}")
    }

    private fun ourSign(block: () -> String): Signed = try {
        Signed.Ok(block())
    } catch (refused: AlipayException) {
        Signed.Refused(refused is AlipayException.Config, "${refused::class.simpleName}: ${refused.message?.take(80)}")
    }

    /** `true`, `false` or `threw …`: the SDK's rsaCheckV1 (`v1`) or rsaCheckV2 (`v2`) on a copy. */
    private fun javaCheck(version: String, params: Map<String, String>, case: Case): String = try {
        val copy = HashMap(params)
        val charset = case.charset.toString()
        val signType = case.signType.toString()
        val verdict = if (version == "v1") {
            AlipaySignature.rsaCheckV1(copy, javaAlipayPublic, charset, signType)
        } else {
            AlipaySignature.rsaCheckV2(copy, javaAlipayPublic, charset, signType)
        }
        verdict.toString()
    } catch (refused: AlipayApiException) {
        "threw AlipayApiException: ${refused.message?.take(80)}"
    }

    /** `accepted`, or the kind of the AlipayException our NotificationVerifier throws. */
    private fun ourCheck(params: Map<String, String>): String = try {
        notificationVerifier.verifyParams(params)
        "accepted"
    } catch (refused: AlipayException) {
        "${refused.kind()}: ${refused.reason().take(100)}"
    }

    /** A signature made by the JDK alone (neither the SDK nor us), for contents both refuse to sign. */
    private fun jdkSign(bytes: ByteArray, signType: SignType): String {
        val signature = Signature.getInstance(if (signType == SignType.RSA2) "SHA256withRSA" else "SHA1withRSA")
        signature.initSign(jdkAlipayPrivate)
        signature.update(bytes)
        return Base64.getEncoder().encodeToString(signature.sign())
    }

    private class Found : RuntimeException(null, null, false, false)

    /** What one case gave: the mismatches (label to detail) and what passed. */
    private class Outcome(val target: String?) {
        val mismatches = LinkedHashMap<String, String>()
        var contentEqual = false
        var signEqual = false
        var v1Cross = false
        var v2Cross = false
        var tamperDetected = false
        var noTamperTarget = false
        var empty = false

        fun mismatch(label: String, detail: String) {
            mismatches.putIfAbsent(label, detail)
            if (label == target) throw Found()
        }
    }

    /** The first notes on what the SDK does with an empty content, printed with the table. */
    private val javaOnEmpty = LinkedHashMap<String, String>()

    /** Runs every check on [case]; with a [target] label, stops as soon as that mismatch shows. */
    private fun evaluate(case: Case, target: String? = null): Outcome {
        val outcome = Outcome(target)
        try {
            check(case, outcome)
        } catch (found: Found) {
            // the target mismatch persists
        }
        return outcome
    }

    private fun check(case: Case, outcome: Outcome) {
        // a. The canonical content.
        val request = case.request()
        val javaContent = AlipaySignature.getSignContent(HashMap(request))
        val ourContent = signContent(request)
        outcome.contentEqual = ourContent == javaContent
        if (!outcome.contentEqual) outcome.mismatch("content", "ours ${lit(ourContent)}, Java ${lit(javaContent)}")

        // b. The request signature: on the SDK's content (the charset encoding alone), and end to end.
        val empty = javaContent.isEmpty()
        if (empty) outcome.empty = true
        val suffix = if (empty) "-empty" else ""
        val signer = appSigner(case)
        val javaRequest = javaSign(javaContent, javaAppPrivate, case)
        if (empty) javaOnEmpty.putIfAbsent("rsaSign(\"\")", javaRequest.show())
        val oursSame = ourSign { signer.sign(javaContent) }
        val oursParams = ourSign { signer.signParams(request).sign }
        val sameOk = agree(javaRequest, oursSame)
        if (!sameOk) outcome.mismatch("sign-content$suffix", "content ${lit(javaContent)}: Java ${javaRequest.show()}, ours ${oursSame.show()}")
        val paramsOk = agree(javaRequest, oursParams)
        if (!paramsOk) outcome.mismatch("sign-params$suffix", "Java ${javaRequest.show()} over ${lit(javaContent)}, ours ${oursParams.show()} over ${lit(ourContent)}")
        outcome.signEqual = sameOk && paramsOk

        // c, d. Notifications: V1 (sign_type not signed) and V2 (sign_type signed), each way.
        val base = case.notification()
        val v2Signed = LinkedHashMap(base).apply { put("sign_type", case.signType.toString()) }
        val (v1Ours, v1Java) = cross("v1", base, case, outcome)
        val (v2Ours, v2Java) = cross("v2", v2Signed, case, outcome)

        // e. One character of one non-empty signed value changed.
        val tamper = tamper(case)
        if (tamper == null) {
            outcome.noTamperTarget = true
            return
        }
        val (key, changed) = tamper
        var detected = true
        for ((version, signed) in listOf("v1" to (v1Ours to v1Java), "v2" to (v2Ours to v2Java))) {
            signed.first?.let { ours ->
                val verdict = javaCheck(version, ours + (key to changed), case)
                if (verdict == "true") {
                    detected = false
                    outcome.mismatch("tamper-$version-java-accepts", "${lit(key)}: ${lit(ours.getValue(key))} -> ${lit(changed)}")
                }
            }
            signed.second?.let { java ->
                val verdict = ourCheck(java + (key to changed))
                if (!verdict.startsWith("signature")) {
                    detected = false
                    outcome.mismatch("tamper-$version-ours-${verdict.substringBefore(':')}", "${lit(key)}: ${lit(java.getValue(key))} -> ${lit(changed)}: $verdict")
                }
            }
        }
        outcome.tamperDetected = detected
    }

    /**
     * Signs [signed] as the gateway does on both sides and checks each side accepts the other's
     * notification; returns the full notifications (ours, the SDK's), null where one was not signed.
     */
    private fun cross(
        version: String,
        signed: LinkedHashMap<String, String>,
        case: Case,
        outcome: Outcome,
    ): Pair<Map<String, String>?, Map<String, String>?> {
        val signType = case.signType.toString()
        fun full(sign: String): Map<String, String> =
            LinkedHashMap(signed).apply { put("sign", sign); put("sign_type", signType) }
        val javaContent = AlipaySignature.getSignContent(HashMap(signed))
        val ours = ourSign { alipaySigner(case).signParams(signed).sign }
        val theirs = javaSign(javaContent, javaAlipayPrivate, case)
        if (javaContent.isEmpty()) {
            // Both must refuse to sign, and neither may accept a signature over the empty content.
            outcome.empty = true
            if (!agree(theirs, ours)) outcome.mismatch("$version-empty-sign", "Java ${theirs.show()}, ours ${ours.show()}")
            val forged = full(jdkSign(ByteArray(0), case.signType))
            val java = javaCheck(version, forged, case)
            javaOnEmpty.putIfAbsent("rsaCheck${version.uppercase()} of an empty content", java)
            val mine = ourCheck(forged)
            if (java == "true") outcome.mismatch("$version-empty-java-accepts", "Java $java, ours $mine")
            if (!mine.startsWith("signature")) outcome.mismatch("$version-empty-ours-accepts", "ours $mine, Java $java")
            return null to null
        }
        var ok = true
        var oursFull: Map<String, String>? = null
        var javaFull: Map<String, String>? = null
        when (ours) {
            is Signed.Ok -> {
                oursFull = full(ours.sign)
                val verdict = javaCheck(version, oursFull, case)
                if (verdict != "true") {
                    ok = false
                    outcome.mismatch("$version-ours->java", "rsaCheck${version.uppercase()} $verdict on our notification over ${lit(javaContent)}")
                }
            }
            is Signed.Refused -> {
                ok = false
                outcome.mismatch("$version-ours-refused", "ours ${ours.show()} over ${lit(javaContent)}")
            }
        }
        when (theirs) {
            is Signed.Ok -> {
                javaFull = full(theirs.sign)
                val verdict = ourCheck(javaFull)
                if (verdict != "accepted") {
                    ok = false
                    outcome.mismatch("$version-java->ours", "ours $verdict on the SDK's notification over ${lit(javaContent)}")
                }
            }
            is Signed.Refused -> {
                ok = false
                outcome.mismatch("$version-java-refused", "Java ${theirs.show()} over ${lit(javaContent)}")
            }
        }
        if (version == "v1") outcome.v1Cross = ok else outcome.v2Cross = ok
        return oursFull to javaFull
    }

    /** The key and changed value of the tamper check: one code point of one non-blank value replaced. */
    private fun tamper(case: Case): Pair<String, String>? {
        val candidates = case.params.filter { (key, value) -> !javaBlank(key) && !javaBlank(value) }
        if (candidates.isEmpty()) return null
        val (key, value) = candidates[case.tamperSeed % candidates.size]
        val points = value.codePoints().toArray()
        val at = (case.tamperSeed / candidates.size) % points.size
        val javaCharset = JavaCharset.forName(case.charset.toString())
        val before = value.toByteArray(javaCharset)
        val replacements = REPLACEMENTS.codePoints().toArray()
        for (step in replacements.indices) {
            val replacement = replacements[(case.tamperSeed + step) % replacements.size]
            if (replacement == points[at] || !encodable(replacement, case.charset)) continue
            val changed = points.copyOf().also { it[at] = replacement }
            val text = String(changed, 0, changed.size)
            if (!text.toByteArray(javaCharset).contentEquals(before)) return key to text
        }
        error("no replacement for ${lit(value)}")
    }

    // ---------------------------------------------------------------------------------------------
    // Shrinking.

    private fun valid(case: Case): Boolean {
        val keys = case.params.map { it.first }
        return keys.size == keys.toSet().size && keys.none { it in RESERVED }
    }

    /** Shrinks [case] while the [label] mismatch persists: flags, parameters, then code points. */
    private fun shrink(case: Case, label: String): Case {
        var budget = 1500
        fun persists(candidate: Case): Boolean =
            valid(candidate) && budget-- > 0 && label in evaluate(candidate, label).mismatches
        var current = case
        if (current.withSignType) current.copy(withSignType = false).let { if (persists(it)) current = it }
        if (current.charset == Charset.UTF8 && current.declareCharset) {
            current.copy(declareCharset = false).let { if (persists(it)) current = it }
        }
        do {
            var changed = false
            for (index in current.params.indices.reversed()) {
                if (index >= current.params.size) continue
                val candidate = current.copy(params = current.params.filterIndexed { at, _ -> at != index })
                if (persists(candidate)) {
                    current = candidate
                    changed = true
                }
            }
        } while (changed && budget > 0)
        do {
            var changed = false
            for (index in current.params.indices) {
                for (side in 0..1) {
                    var at = current.params[index].let { if (side == 0) it.first else it.second }.codePointCount()
                    while (--at >= 0) {
                        val (key, value) = current.params[index]
                        val text = if (side == 0) key else value
                        val points = text.codePoints().toArray()
                        if (at >= points.size) continue
                        val shorter = points.filterIndexed { i, _ -> i != at }.let { String(it.toIntArray(), 0, it.size) }
                        val pair = if (side == 0) shorter to value else key to shorter
                        val candidate = current.copy(params = current.params.toMutableList().also { it[index] = pair })
                        if (persists(candidate)) {
                            current = candidate
                            changed = true
                        }
                    }
                }
            }
        } while (changed && budget > 0)
        return current
    }

    private fun String.codePointCount(): Int = codePointCount(0, length)

    // ---------------------------------------------------------------------------------------------
    // The tests.

    @Test
    fun `random parameter maps - content, signatures, V1 and V2 notifications agree with the official Java SDK`() {
        val seed = System.getProperty("differential.seed")?.takeIf { it.isNotBlank() }?.toLong() ?: DEFAULT_SEED
        val total = System.getProperty("differential.cases")?.takeIf { it.isNotBlank() }?.toInt() ?: DEFAULT_CASES
        println("JavaDifferentialTest: seed $seed (-Ddifferential.seed=N to change), $total cases (-Ddifferential.cases=N)")
        val random = Random(seed)
        val flavors = listOf(
            SignType.RSA2 to Charset.UTF8, SignType.RSA2 to Charset.GBK,
            SignType.RSA to Charset.UTF8, SignType.RSA to Charset.GBK,
        )
        class Row {
            var cases = 0; var content = 0; var signs = 0; var v1 = 0; var v2 = 0
            var tamper = 0; var noTamper = 0; var empty = 0; var mismatched = 0
        }
        val rows = flavors.associateWith { Row() }
        val firstByLabel = LinkedHashMap<String, Case>()
        val countByLabel = LinkedHashMap<String, Int>()
        val started = System.nanoTime()
        for (index in 0 until total) {
            val flavor = flavors[index % flavors.size]
            val case = random.case(flavor.first, flavor.second)
            val outcome = evaluate(case)
            val row = rows.getValue(flavor)
            row.cases++
            if (outcome.contentEqual) row.content++
            if (outcome.signEqual) row.signs++
            if (outcome.v1Cross) row.v1++
            if (outcome.v2Cross) row.v2++
            if (outcome.tamperDetected) row.tamper++
            if (outcome.noTamperTarget) row.noTamper++
            if (outcome.empty) row.empty++
            if (outcome.mismatches.isNotEmpty()) row.mismatched++
            for (label in outcome.mismatches.keys) {
                firstByLabel.putIfAbsent(label, case)
                countByLabel.merge(label, 1, Int::plus)
            }
        }
        val seconds = (System.nanoTime() - started) / 1e9

        val table = StringBuilder()
        val header = listOf(
            "sign type", "charset", "cases", "content=", "signature=", "V1 x-accepted", "V2 x-accepted",
            "tamper detected", "no tamper target", "empty content", "mismatched",
        )
        val lines = rows.map { (flavor, row) ->
            listOf(
                flavor.first.toString(), flavor.second.toString(), row.cases, row.content, row.signs, row.v1, row.v2,
                row.tamper, row.noTamper, row.empty, row.mismatched,
            ).map { it.toString() }
        }
        val totals = listOf("all", "", rows.values.sumOf { it.cases }, rows.values.sumOf { it.content },
            rows.values.sumOf { it.signs }, rows.values.sumOf { it.v1 }, rows.values.sumOf { it.v2 },
            rows.values.sumOf { it.tamper }, rows.values.sumOf { it.noTamper }, rows.values.sumOf { it.empty },
            rows.values.sumOf { it.mismatched }).map { it.toString() }
        val widths = header.indices.map { column -> (lines + listOf(header, totals)).maxOf { it[column].length } }
        fun line(cells: List<String>) = cells.mapIndexed { column, cell ->
            if (column < 2) cell.padEnd(widths[column]) else cell.padStart(widths[column])
        }.joinToString(" | ", "| ", " |")
        table.appendLine(line(header))
        table.appendLine(widths.joinToString("-|-", "|-", "-|") { "-".repeat(it) })
        lines.forEach { table.appendLine(line(it)) }
        table.appendLine(line(totals))
        table.appendLine("(${"%.1f".format(seconds)} s; the SDK on an empty content: " +
            (if (javaOnEmpty.isEmpty()) "not seen" else javaOnEmpty.entries.joinToString("; ") { "${it.key} ${it.value}" }) + ")")
        println(table)

        val report = StringBuilder()
        if (countByLabel.isNotEmpty()) {
            report.appendLine("mismatches with the official Java SDK (seed $seed), by kind, each shrunk:")
            for ((label, count) in countByLabel) {
                val shrunk = shrink(firstByLabel.getValue(label), label)
                val detail = evaluate(shrunk, label).mismatches[label] ?: "(no longer reproduces after shrinking?)"
                report.appendLine("- $label: $count case(s)")
                report.appendLine("    $detail")
                report.appendLine("    Kotlin: ${shrunk.kotlin()}")
                report.appendLine("    JSON:   ${shrunk.json()}")
            }
            println(report)
        }
        assertTrue(total >= 500, "only $total cases: at least 500 are needed")
        assertTrue(rows.values.all { it.cases >= total / flavors.size }, "every flavour runs")
        if (countByLabel.isNotEmpty()) fail("$table\n$report")
    }

    @Test
    fun `gbk - every code point the JDK encodes and every 2-byte sequence it decodes agree with us`() {
        val started = System.nanoTime()
        val signer = Signer(Apps.alipayPrivate, SignType.RSA2, Charset.GBK)
        val problems = ArrayList<String>()
        fun hex(bytes: ByteArray) = bytes.joinToString("") { "%02X".format(it) }
        fun codePoints(text: String) = text.codePoints().toArray().joinToString(" ") { "U+%04X".format(it) }

        // Decoding: GBK form bodies holding the 2-byte sequences the JDK decodes, signed over their
        // raw bytes; what our verifier accepts must be the JDK's text.
        val decoder = GBK.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
        fun jdkDecode(bytes: ByteArray): String? = try {
            decoder.reset().decode(ByteBuffer.wrap(bytes)).toString()
        } catch (refused: java.nio.charset.CharacterCodingException) {
            null
        }
        val sequences = ArrayList<ByteArray>()
        for (lead in 0x81..0xFE) for (trail in 0x40..0xFE) {
            val bytes = byteArrayOf(lead.toByte(), trail.toByte())
            if (jdkDecode(bytes)?.length == 1) sequences += bytes
        }
        fun percent(bytes: ByteArray) = bytes.joinToString("") { "%%%02X".format(it) }
        fun signed(prefix: String, raw: ByteArray) = URLEncoder.encode(signer.signBytes(prefix.toByteArray() + raw), Charsets.UTF_8)
        /** Our decoding of `v`, through a verified notification. */
        fun oursDecode(raw: ByteArray): Result<String?> = runCatching {
            val body = "charset=GBK&v=${percent(raw)}&sign=${signed("charset=GBK&v=", raw)}&sign_type=RSA2"
            (notificationVerifier.verifyBody(body.toByteArray()) as Notification.Other).params["v"]
        }
        /**
         * Our decoding without our encoder in the way, for the diagnostics only: in a parameter no
         * signature covers (`alipay_cert_sn` outside certificate mode), when the verified notification
         * still carries it; else as the unknown `sign_type` our refusal names. Null when neither shows it.
         */
        fun oursDecodeUnsigned(raw: ByteArray): Result<String?> {
            val unsigned = runCatching {
                val body = "alipay_cert_sn=${percent(raw)}&charset=GBK&x=1&sign=${signed("charset=GBK&x=1", ByteArray(0))}&sign_type=RSA2"
                (notificationVerifier.verifyBody(body.toByteArray()) as Notification.Other).params["alipay_cert_sn"]
            }
            if (unsigned.isFailure || unsigned.getOrNull() != null) return unsigned
            return try {
                notificationVerifier.verifyBody("sign_type=${percent(raw)}&charset=GBK&sign=AAAA".toByteArray())
                Result.success(null)
            } catch (refused: AlipayException) {
                val reason = refused.reason()
                val named = reason.substringAfter("sign_type `", "").substringBeforeLast("` is unknown", "")
                if (refused is AlipayException.Protocol && named.isNotEmpty()) Result.success(named)
                else if (refused is AlipayException.Protocol) Result.failure(refused)
                else Result.success(null)
            }
        }
        fun show(decoded: Result<String?>): String = decoded.fold(
            { text -> text?.let { "${lit(it)} (${codePoints(it)})" } ?: "nothing" },
            { "refused (${it::class.simpleName}: ${it.message?.take(60)})" },
        )
        /** The sequences we decode otherwise than the JDK, by our text: where our encoder may put it. */
        val oursDecodes = HashMap<String, ByteArray>()
        var decodeMismatches = 0
        var roundTripMismatches = 0
        fun bisectDecode(batch: List<ByteArray>) {
            val raw = byteArrayOf('<'.code.toByte()) + batch.reduce(ByteArray::plus) + byteArrayOf('>'.code.toByte())
            if (oursDecode(raw).getOrNull() == jdkDecode(raw)) return
            if (batch.size == 1) {
                val jdk = jdkDecode(batch[0])!!
                val unsigned = oursDecodeUnsigned(batch[0])
                val verdict = oursDecode(raw).fold({ "accepts it as ${lit(it ?: "")}" }, { "refuses it (${it::class.simpleName})" })
                if (unsigned.isSuccess && unsigned.getOrNull() == null) {
                    if (++decodeMismatches <= 40) {
                        problems += "decode or round trip: ${hex(batch[0])}: the JDK decodes ${codePoints(jdk)} ${lit(jdk)}; " +
                            "our verifier $verdict (our own decoding is not visible)"
                    }
                } else if (unsigned.getOrNull() == jdk) {
                    // The same text, but our encoder does not give the JDK's bytes back: a notification
                    // the gateway signs with it is refused.
                    if (++roundTripMismatches <= 40) {
                        problems += "decode round trip: ${hex(batch[0])}: both decode ${codePoints(jdk)} ${lit(jdk)}, " +
                            "but our verifier $verdict (our GBK encoding of it differs)"
                    }
                } else {
                    unsigned.getOrNull()?.let { oursDecodes.putIfAbsent(it, batch[0]) }
                    if (++decodeMismatches <= 40) {
                        problems += "decode: ${hex(batch[0])}: the JDK decodes ${codePoints(jdk)} ${lit(jdk)}, ours " +
                            "${show(unsigned)}; signed, our verifier $verdict"
                    }
                }
                return
            }
            bisectDecode(batch.subList(0, batch.size / 2))
            bisectDecode(batch.subList(batch.size / 2, batch.size))
        }
        sequences.chunked(200).forEach { bisectDecode(it) }

        // Encoding: our signature over the text equals our signature over the JDK's bytes.
        val singleBytes by lazy { (0x80..0xFF).associateBy { signer.signBytes(byteArrayOf(it.toByte())) } }
        /** Our bytes for one code point, when a probe finds them: a single byte, or a sequence we decode to it. */
        fun oursBytes(text: String, sign: String): String {
            singleBytes[sign]?.let { return "%02X".format(it) }
            oursDecodes[text]?.takeIf { signer.signBytes(it) == sign }?.let { return hex(it) }
            return "other bytes"
        }
        fun explainEncoding(codePoint: Int, jdkEncodes: Boolean): String {
            val text = String(Character.toChars(codePoint))
            val jdk = if (jdkEncodes) "encodes ${hex(text.toByteArray(GBK))}" else "cannot encode it (String.getBytes writes 3F, '?')"
            val ours = try {
                "encodes " + oursBytes(text, signer.sign(text))
            } catch (refused: AlipayException) {
                "refuses it (${refused::class.simpleName}: ${refused.message?.take(60)})"
            }
            return "U+%04X %s: the JDK %s, ours %s".format(codePoint, lit(text), jdk, ours)
        }
        fun agrees(points: IntArray): Boolean {
            val text = String(points, 0, points.size)
            val ours = try {
                signer.sign(text)
            } catch (refused: AlipayException) {
                return false
            }
            return ours == signer.signBytes(text.toByteArray(GBK))
        }
        var encodeMismatches = 0
        fun bisectEncode(points: IntArray) {
            if (agrees(points)) return
            if (points.size == 1) {
                if (++encodeMismatches <= 40) problems += "encode: " + explainEncoding(points[0], jdkEncodes = true)
                return
            }
            bisectEncode(points.copyOfRange(0, points.size / 2))
            bisectEncode(points.copyOfRange(points.size / 2, points.size))
        }
        GBK_ENCODABLE.toList().chunked(256).forEach { bisectEncode(it.toIntArray()) }

        // Everything else the JDK cannot encode: we refuse it too (a Config error, never a `?`).
        var oursEncodesMore = 0
        for (codePoint in 0 until 0x10000) {
            if (codePoint in 0xD800..0xDFFF || GBK_ENCODER.canEncode(codePoint.toChar())) continue
            val refused = try {
                signer.sign(String(Character.toChars(codePoint)))
                false
            } catch (refused: AlipayException.Config) {
                true
            }
            if (!refused && ++oursEncodesMore <= 40) problems += "encode: " + explainEncoding(codePoint, jdkEncodes = false)
        }

        val seconds = (System.nanoTime() - started) / 1e9
        println(
            "JavaDifferentialTest GBK: ${GBK_ENCODABLE.size} BMP code points the JDK encodes ($encodeMismatches differ), " +
                "${0x10000 - 0x800 - GBK_ENCODABLE.size} it cannot ($oursEncodesMore encoded by us), " +
                "${sequences.size} 2-byte sequences it decodes ($decodeMismatches decode differently, " +
                "$roundTripMismatches decode the same but do not survive our re-encoding), ${"%.1f".format(seconds)} s",
        )
        // For the record only (the gateway never sends it): the lone byte 0x80, which the JDK refuses.
        // The diagnostics' own check: a sequence every table agrees on.
        println("  info: the diagnostics read D6D0 as ${show(oursDecodeUnsigned(byteArrayOf(0xD6.toByte(), 0xD0.toByte())))}")
        println("  info: 0x80 alone: the JDK ${jdkDecode(byteArrayOf(0x80.toByte())) ?: "refuses it"}, ours ${show(oursDecodeUnsigned(byteArrayOf(0x80.toByte())))}")
        problems.forEach { println("  $it") }
        assertTrue(GBK_ENCODABLE.size > 20_000 && sequences.size > 20_000)
        if (problems.isNotEmpty()) {
            fail(
                "GBK differs from the JDK: $encodeMismatches code points the JDK encodes, $oursEncodesMore it cannot, " +
                    "$decodeMismatches + $roundTripMismatches 2-byte sequences (at most 40 of each listed):\n" +
                    problems.joinToString("\n"),
            )
        }
    }

    companion object {
        private const val DEFAULT_SEED = 20261121L
        private const val DEFAULT_CASES = 600

        private val GBK: JavaCharset = JavaCharset.forName("GBK")
        private val GBK_ENCODER = GBK.newEncoder()

        /** Every BMP code point the JDK's GBK encoder can encode. */
        private val GBK_ENCODABLE: IntArray = (0 until 0x10000)
            .filter { it !in 0xD800..0xDFFF && GBK_ENCODER.canEncode(it.toChar()) }
            .toIntArray()

        private const val WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
        private val SPECIAL = "&=+%&=+%?#\"'<>\\/.,:;-|{}[]\$".codePoints().toArray()

        /** Whitespace of every kind: Java's (dropped when a value is only that) and the non-breaking rest. */
        private val WHITESPACE = intArrayOf(
            0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x85, 0xA0, 0x1680, 0x180E,
            0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x200B,
            0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
        )

        /** The characters `Character.isWhitespace` accepts, for values that must be blank. */
        private val JAVA_WHITESPACE = WHITESPACE.filter { Character.isWhitespace(it) }.toIntArray()

        /** At and above U+E000: private use, compatibility ideographs, fullwidth forms, U+FFE5, U+FFFF. */
        private val HIGH = intArrayOf(
            0xE000, 0xE5E5, 0xE7C7, 0xF8FF, 0xF900, 0xFA29, 0xFE10, 0xFF01, 0xFF5E, 0xFFE0, 0xFFE1, 0xFFE5,
            0xFFFD, 0xFFFF,
        )

        /** Where GBK tables are known to differ: €, middle dot, dashes, ￥, GB18030 additions, … */
        private val GBK_EXTRA = intArrayOf(
            0x20AC, 0xB7, 0xA4, 0xA7, 0xA8, 0xB0, 0xB1, 0xD7, 0xF7, 0x1E3F, 0x1F9, 0x2014, 0x2015, 0x2016,
            0x2026, 0x2030, 0x2032, 0x2033, 0x203B, 0x2103, 0x2116, 0x2160, 0x2E81, 0x3001, 0x3002, 0x3007,
            0x3013, 0x30FB, 0x32A3, 0x4DAE, 0xE5E5, 0xFE10, 0xFE19, 0xFF5E, 0xFFE5, 0xA5, 0x2225,
        )

        /** Replacement characters of the tamper check: never whitespace, always GBK. */
        private const val REPLACEMENTS = "qZ7xA0_中文款项"

        /** Keys the random maps never use: the ones the protocol gives a meaning. */
        private val RESERVED = setOf("sign", "sign_type", "charset", "alipay_cert_sn")

        /** A Kotlin (and JSON) string literal, everything outside printable ASCII as `\u` escapes. */
        fun lit(text: String): String = buildString {
            append('"')
            for (char in text) {
                when {
                    char == '"' -> append("\\\"")
                    char == '\\' -> append("\\\\")
                    char.code in 0x20..0x7E && char != '$' -> append(char)
                    else -> append("\\u%04X".format(char.code))
                }
            }
            append('"')
        }
    }
}
