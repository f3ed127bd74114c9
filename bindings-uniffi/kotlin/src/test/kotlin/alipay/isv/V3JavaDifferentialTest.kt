package alipay.isv

import com.alipay.v3.util.AlipayConfigUtil
import com.alipay.v3.util.AntCertificationUtil
import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.Random
import java.util.concurrent.ConcurrentHashMap
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Randomized differential test of OpenAPI v3 against the official Java v3 SDK
 * (`com.alipay.sdk:alipay-sdk-java-v3`, its `com.alipay.v3.util.AlipayConfigUtil`: the signing,
 * verification and AES of its `ApiClient`). For random requests — method, path (with percent-encoded
 * Unicode segments), a query with escapes (Chinese, emoji, `&=+%/?#~*`, spaces, empty values), JSON
 * bodies with Unicode, quotes, control characters and line breaks, a merchant token present or absent,
 * key and certificate mode, AES or not — it checks that
 *
 * - a. the SDK's `sign` over our request target, with its random nonce and its clock, gives the very
 *   `Authorization` our `prepareV3` gives for that nonce and timestamp (and the same root-SN and
 *   token headers);
 * - b. the same for a request target encoded the SDK's way (`URLEncoder`, `+` as `%20`), signed by our
 *   `v3Sign`;
 * - c. the SDK's AES `encrypt` of the JSON is the ciphertext our `prepareV3(encrypt = true)` sends (and
 *   signs), with the same `alipay-encrypt-type` header;
 * - d. answers the SDK signs as Alipay does (`generateSign` with the Alipay key over
 *   `ts\nnonce\nbody\n`, ciphertext with AES) are verified — and decrypted — by our `readV3Answer`, and
 *   answers we sign so are accepted by the SDK's `verify` (and decrypted by its AES `decrypt`);
 * - e. one changed character of a signed answer is refused by both.
 *
 * The seed is fixed and printed (`-Dv3differential.seed=N` overrides it, `-Dv3differential.cases=N`
 * the number of cases, at least 300). A mismatch is shrunk (query parameters, body fields, token,
 * AES and certificate mode dropped while the same mismatch persists) and printed as JSON.
 *
 * The other tests run the emulator against the SDK: its answers (key mode, certificate mode, AES)
 * verify with the SDK's `verify` and decrypt with its `decrypt`, and requests signed by the SDK are
 * accepted by the emulator.
 *
 * What the SDK's methods are, read from its bytecode (3.1.15): `sign(method, uri, body, headers)` puts
 * `Authorization` (a random UUID nonce, `System.currentTimeMillis()`) and in certificate mode
 * `alipay-root-cert-sn` into `headers`, the token line read from `headers["alipay-app-auth-token"]`;
 * `verify(body, signature, alipaySn, timestamp, nonce)` checks over `timestamp\nnonce\nbody\n`;
 * `encrypt(content, headers)` / `decrypt(content)` are the AES of v3 (`encrypt` also sets
 * `alipay-encrypt-type` and `Content-Type` in `headers`), while `doEncrypt` / `doDecrypt` are RSA
 * encryption with the Alipay public key / the app private key, not used by v3 calls.
 */
class V3JavaDifferentialTest {
    // ---------------------------------------------------------------------------------------------
    // Keys and certificates, in the SDK's forms (made by the JDK and the SDK, never by us).

    private val javaAppPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/app_2048_pkcs8.pem"))
    private val javaAlipayPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/alipay_2048_pkcs8.pem"))
    private val javaAlipayPublic = JdkKeys.spkiBase64(Vectors.keyText("keys/alipay_2048_public.pem"))
    private val appCertPem = String(Vectors.bytes("certs/app_cert.crt"), Charsets.UTF_8)
    private val alipayCertPem = String(Vectors.bytes("certs/alipay_cert.crt"), Charsets.UTF_8)
    private val rootBundlePem = String(Vectors.bytes("certs/root_bundle.crt"), Charsets.UTF_8)
    private val javaAppCertSn: String = AntCertificationUtil.getCertSN(appCertPem)
    private val javaAlipayCertSn: String = AntCertificationUtil.getCertSN(alipayCertPem)
    private val javaRootCertSn: String = AntCertificationUtil.getRootCertSN(rootBundlePem)

    private val keyConfig = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, aesKey = AesKey(Apps.AES_TEXT))
    private val certConfig = IsvConfig.fromCertificates(
        Apps.APP_ID, Apps.appPrivate, appCertPem, alipayCertPem, rootBundlePem, aesKey = AesKey(Apps.AES_TEXT),
    )
    private val alipaySigner = Signer(Apps.alipayPrivate, SignType.RSA2, Charset.UTF8)

    /**
     * The SDK configured as the app (signing with `privateKey`) in key or certificate mode, with the
     * AES key; in certificate mode the Alipay key is the one of the certificate its SN names.
     */
    private fun javaUtil(cert: Boolean, privateKey: String = javaAppPrivate): AlipayConfigUtil = AlipayConfigUtil().apply {
        appId = Apps.APP_ID
        this.privateKey = privateKey
        alipayPublicKey = javaAlipayPublic
        encryptType = "AES"
        encryptKey = Apps.AES_TEXT
        if (cert) {
            appCertSN = javaAppCertSn
            rootCertSN = javaRootCertSn
            cachedAlipayPublicKey = ConcurrentHashMap(mapOf(javaAlipayCertSn to AntCertificationUtil.getCertPublicKey(alipayCertPem)))
        }
    }

    /** The SDK's `verify`, its parameters in the order its bytecode reads them. */
    private fun javaVerify(util: AlipayConfigUtil, timestamp: String, nonce: String, body: String, signature: String, sn: String?): Boolean =
        util.verify(body, signature, sn, timestamp, nonce)

    /** The SDK's AES ciphertext of `content` and the headers it sets for it. */
    private fun javaEncrypt(util: AlipayConfigUtil, content: String, headers: MutableMap<String, String> = HashMap()): String =
        util.encrypt(content, headers)

    private val javaKeyMode = javaUtil(cert = false)
    private val javaCertMode = javaUtil(cert = true)
    /** The SDK signing answers as Alipay does: `generateSign` with the Alipay private key. */
    private val javaAlipay = javaUtil(cert = false, privateKey = javaAlipayPrivate)

    // ---------------------------------------------------------------------------------------------
    // Cases.

    /** One random request and the answer to it. */
    private data class Case(
        val cert: Boolean,
        val method: String,
        val path: String,
        val query: List<Pair<String, String>>,
        val body: Map<String, Any?>?,
        val pretty: Boolean,
        val token: String?,
        val encrypt: Boolean,
        val answer: Map<String, Any?>,
        val answerNonce: String,
        val tamperSeed: Int,
    ) {
        /** The body's JSON text (pretty-printed with line breaks when `pretty`). */
        fun bodyText(): String? = body?.let { json(it, pretty) }

        fun answerText(): String = json(answer, false)

        fun json(): String = JSONObject().apply {
            put("cert", cert); put("method", method); put("path", path)
            put("query", query.map { listOf(it.first, it.second) }); put("body", bodyText() ?: JSONObject.NULL)
            put("token", token ?: JSONObject.NULL); put("encrypt", encrypt); put("answer", answerText())
            put("answer_nonce", answerNonce); put("tamper_seed", tamperSeed)
        }.toString()

        private fun json(map: Map<String, Any?>, pretty: Boolean): String {
            val compact = jsonOf(map)
            // Line breaks and indentation between members: still JSON, and signed as sent.
            return if (pretty) compact.replace(",\"", ",\n  \"").replaceFirst("{\"", "{\n  \"") else compact
        }
    }

    private fun Random.pick(values: List<String>): String = values[nextInt(values.size)]

    /** One code point of the hostile alphabets. */
    private fun Random.codePoint(): Int = when (nextInt(100)) {
        in 0 until 40 -> WORD[nextInt(WORD.length)].code
        in 40 until 58 -> 0x4E00 + nextInt(0x9FA6 - 0x4E00)
        in 58 until 66 -> listOf(0x1F600, 0x1F4B0, 0x20000, 0x1D11E, 0x10FFFF)[nextInt(5)]
        in 66 until 86 -> SPECIAL[nextInt(SPECIAL.length)].code
        in 86 until 92 -> listOf(0xE000, 0xFFE5, 0x3000, 0xA0, 0x2028, 0xFEFF)[nextInt(6)]
        else -> listOf(0x0A, 0x0D, 0x09, 0x01, 0x7F)[nextInt(5)]
    }

    private fun Random.text(maxLength: Int): String = buildString { repeat(nextInt(maxLength + 1)) { appendCodePoint(codePoint()) } }

    private fun Random.word(): String = buildString { repeat(2 + nextInt(9)) { append(LOWER[nextInt(LOWER.length)]) } }

    private fun Random.value(depth: Int): Any? = when (nextInt(if (depth > 1) 6 else 9)) {
        0, 1, 2 -> text(12)
        3 -> nextInt(2_000_000) - 1_000_000
        4 -> nextBoolean()
        5 -> if (nextBoolean()) null else "${nextInt(100000)}.${nextInt(100)}"
        6 -> (0 until nextInt(4)).map { value(depth + 1) }
        else -> (0 until nextInt(4)).associate { word() to value(depth + 1) }
    }

    private fun Random.case(cert: Boolean): Case {
        val method = pick(listOf("GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"))
        val segments = (0 until 1 + nextInt(5)).map {
            when (nextInt(6)) {
                0 -> URLEncoder.encode(text(4).ifEmpty { "中" }, Charsets.UTF_8).replace("+", "%20")
                1 -> "${word()}_${word()}"
                else -> word()
            }
        }
        val query = (0 until nextInt(5)).map {
            val name = when (nextInt(10)) {
                0 -> "app_auth_token"
                1 -> "auth_token"
                2 -> text(3).ifEmpty { "q" }
                else -> word()
            }
            name to (if (nextInt(8) == 0) "" else text(14))
        }
        val body = if (method in setOf("GET", "DELETE") && nextInt(4) != 0) null else (0 until nextInt(6)).associate { word() to value(0) }
        val token = if (nextBoolean()) "202612BB" + (0 until 32).joinToString("") { "%x".format(nextInt(16)) } else null
        return Case(
            cert = cert,
            method = method,
            path = "/v3/" + segments.joinToString("/"),
            query = query,
            body = body,
            pretty = body != null && nextInt(5) == 0,
            token = token,
            encrypt = body != null && nextInt(3) == 0,
            answer = (0 until 1 + nextInt(5)).associate { word() to value(0) },
            answerNonce = if (nextBoolean()) java.util.UUID(nextLong(), nextLong()).toString() else word(),
            tamperSeed = nextInt(Int.MAX_VALUE),
        )
    }

    // ---------------------------------------------------------------------------------------------
    // Evaluation.

    private class Found : RuntimeException(null, null, false, false)

    /** What one case gave: the mismatches (label to detail) and what passed. */
    private class Outcome(val target: String?) {
        val mismatches = LinkedHashMap<String, String>()
        var request = false
        var javaEncoding = false
        var ciphertext = false
        var javaAnswer = false
        var ourAnswer = false
        var tamper = false

        fun mismatch(label: String, detail: String) {
            mismatches.putIfAbsent(label, detail)
            if (label == target) throw Found()
        }
    }

    private fun evaluate(case: Case, target: String? = null): Outcome {
        val outcome = Outcome(target)
        try {
            check(case, outcome)
        } catch (found: Found) {
            // the target mismatch persists
        }
        return outcome
    }

    private val nonceAndTime = Regex("""(?:^|,| )nonce=([^,]+),timestamp=(\d+)(?:,|$)""")

    /** The SDK's headers for a request (its nonce and clock), or the exception it threw. */
    private fun javaSign(
        util: AlipayConfigUtil,
        method: String,
        target: String,
        body: String?,
        token: String?,
        headers: MutableMap<String, String> = HashMap(),
    ): Map<String, String> {
        token?.let { headers["alipay-app-auth-token"] = it }
        util.sign(method, target, body, headers)
        return headers
    }

    private fun <T> attempt(label: String, outcome: Outcome, block: () -> T): T? = try {
        block()
    } catch (found: Found) {
        throw found
    } catch (error: Exception) {
        outcome.mismatch(label, "${error::class.simpleName}: ${error.message?.take(160)}")
        null
    }

    private fun check(case: Case, outcome: Outcome) {
        val config = if (case.cert) certConfig else keyConfig
        val util = if (case.cert) javaCertMode else javaKeyMode
        val body = case.bodyText()
        val call = V3Call(case.method, case.path, case.query.map { QueryParam(it.first, it.second) }, body, case.token, case.encrypt)
        val target = attempt("prepare", outcome) { config.prepareV3(call, "probe", 1).requestTarget } ?: return

        // c. What the SDK sends with AES: its own ciphertext of the JSON (and its headers).
        val headers = HashMap<String, String>()
        val sent = if (case.encrypt && body != null) attempt("java-encrypt", outcome) { javaEncrypt(util, body, headers) } ?: return else body

        // a. The SDK signs our target (and its ciphertext); we sign with its nonce and timestamp.
        attempt("java-sign", outcome) { javaSign(util, case.method, target, sent, case.token, headers) } ?: return
        val authorization = headers.getValue("Authorization")
        val match = nonceAndTime.find(authorization) ?: return outcome.mismatch("java-header", "no nonce/timestamp in $authorization")
        val (nonce, timestamp) = match.destructured
        val ours = attempt("ours-prepare", outcome) { config.prepareV3(call, nonce, timestamp.toLong()) } ?: return
        var requestOk = true
        if (ours.authorization != authorization) {
            requestOk = false
            outcome.mismatch("authorization", "Java $authorization\nours ${ours.authorization}\nsigned ${lit(ours.stringToSign)}")
        }
        fun ourHeader(name: String) = ours.headers.singleOrNull { it.name == name }?.value
        if (ourHeader("alipay-root-cert-sn") != headers["alipay-root-cert-sn"]) {
            requestOk = false
            outcome.mismatch("root-cert-sn", "Java ${headers["alipay-root-cert-sn"]}, ours ${ourHeader("alipay-root-cert-sn")}")
        }
        if (ourHeader("alipay-app-auth-token") != headers["alipay-app-auth-token"]) {
            requestOk = false
            outcome.mismatch("token-header", "the token header differs")
        }
        outcome.request = requestOk
        if (case.encrypt) {
            val ourCiphertext = String(ours.body, Charsets.UTF_8)
            outcome.ciphertext = ourCiphertext == sent && ourHeader("alipay-encrypt-type") == headers["alipay-encrypt-type"]
            if (!outcome.ciphertext) {
                outcome.mismatch(
                    "ciphertext",
                    "Java $sent (${headers["alipay-encrypt-type"]}), ours $ourCiphertext (${ourHeader("alipay-encrypt-type")}) of ${lit(body ?: "")}",
                )
            }
        }

        // b. A target encoded the SDK's way, signed by both.
        val javaTarget = case.path + if (case.query.isEmpty()) "" else "?" + case.query.joinToString("&") { (name, value) ->
            "${javaEscape(name)}=${javaEscape(value)}"
        }
        val javaHeaders = attempt("java-sign-java-target", outcome) { javaSign(util, case.method, javaTarget, sent, case.token) } ?: return
        val javaAuthorization = javaHeaders.getValue("Authorization")
        val (javaNonce, javaTime) = (nonceAndTime.find(javaAuthorization) ?: return outcome.mismatch("java-header", javaAuthorization)).destructured
        val signed = attempt("ours-sign-java-target", outcome) {
            config.v3Sign(case.method, javaTarget, sent ?: "", case.token, javaNonce, javaTime.toLong())
        } ?: return
        outcome.javaEncoding = signed.authorization == javaAuthorization
        if (!outcome.javaEncoding) outcome.mismatch("authorization-java-target", "Java $javaAuthorization\nours ${signed.authorization}\ntarget ${lit(javaTarget)}")

        // d. An answer signed by the SDK as Alipay signs it, read by us.
        val answer = case.answerText()
        val answerBody = if (case.encrypt) attempt("java-encrypt-answer", outcome) { javaEncrypt(util, answer) } ?: return else answer
        val answerTime = (1796600000000L + case.tamperSeed % 1000000).toString()
        val javaSignature = attempt("java-generate-sign", outcome) { javaAlipay.generateSign("$answerTime\n${case.answerNonce}\n$answerBody\n") } ?: return
        val answerHeaders = listOfNotNull(
            HttpHeader("alipay-timestamp", answerTime),
            HttpHeader("alipay-nonce", case.answerNonce),
            HttpHeader("alipay-signature", javaSignature),
            if (case.cert) HttpHeader("alipay-sn", javaAlipayCertSn) else null,
        )
        try {
            val read = config.readV3Answer(200, answerHeaders, answerBody.toByteArray(Charsets.UTF_8), case.encrypt)
            outcome.javaAnswer = read.verified && read.body == answer
            if (!outcome.javaAnswer) outcome.mismatch("java-answer-body", "ours read ${lit(read.body)}, expected ${lit(answer)}")
        } catch (refused: AlipayException) {
            outcome.mismatch("java-answer-refused", "${refused.kind()}: ${refused.reason().take(160)}")
        }

        // d. An answer we sign as Alipay does, verified (and decrypted) by the SDK.
        val ourSignature = alipaySigner.sign("$answerTime\n${case.answerNonce}\n$answerBody\n")
        val sn = if (case.cert) javaAlipayCertSn else null
        val javaVerdict = attempt("java-verify", outcome) { javaVerify(util, answerTime, case.answerNonce, answerBody, ourSignature, sn) } ?: return
        val javaPlain = if (case.encrypt) attempt("java-decrypt", outcome) { util.decrypt(answerBody) } else answerBody
        outcome.ourAnswer = javaVerdict && javaPlain == answer
        if (!outcome.ourAnswer) outcome.mismatch("our-answer", "Java verify $javaVerdict, decrypted ${lit(javaPlain ?: "null")}")

        // e. One character of the signed body changed: both refuse.
        val points = answerBody.codePoints().toArray()
        val at = case.tamperSeed % points.size
        val replacement = if (points[at] == 'A'.code) 'B'.code else 'A'.code
        val tampered = String(points.copyOf().also { it[at] = replacement }, 0, points.size)
        val oursRefused = runCatching { config.readV3Answer(200, answerHeaders, tampered.toByteArray(Charsets.UTF_8), case.encrypt) }
            .exceptionOrNull() is AlipayException.Signature
        val javaRefused = runCatching { !javaVerify(util, answerTime, case.answerNonce, tampered, ourSignature, sn) }.getOrDefault(true)
        outcome.tamper = oursRefused && javaRefused
        if (!oursRefused) outcome.mismatch("tamper-ours-accepts", "at $at: ${lit(tampered)}")
        if (!javaRefused) outcome.mismatch("tamper-java-accepts", "at $at: ${lit(tampered)}")
    }

    /** The SDK's `ApiClient.escapeString`: `URLEncoder` (UTF-8), with `+` as `%20`. */
    private fun javaEscape(text: String): String = URLEncoder.encode(text, Charsets.UTF_8).replace("+", "%20")

    // ---------------------------------------------------------------------------------------------
    // Shrinking.

    /** Shrinks [case] while the [label] mismatch persists: modes, token, query parameters, body fields. */
    private fun shrink(case: Case, label: String): Case {
        var budget = 400
        fun persists(candidate: Case) = budget-- > 0 && label in evaluate(candidate, label).mismatches
        var current = case
        for (simpler in listOf<(Case) -> Case>(
            { it.copy(cert = false) }, { it.copy(encrypt = false) }, { it.copy(token = null) }, { it.copy(pretty = false) },
        )) {
            simpler(current).let { if (it != current && persists(it)) current = it }
        }
        do {
            var changed = false
            for (index in current.query.indices.reversed()) {
                if (index >= current.query.size) continue
                val candidate = current.copy(query = current.query.filterIndexed { at, _ -> at != index })
                if (persists(candidate)) { current = candidate; changed = true }
            }
            for (key in current.body?.keys.orEmpty().toList()) {
                val candidate = current.copy(body = current.body!! - key)
                if (persists(candidate)) { current = candidate; changed = true }
            }
            for (key in current.answer.keys.toList()) {
                if (current.answer.size == 1) break
                val candidate = current.copy(answer = current.answer - key)
                if (persists(candidate)) { current = candidate; changed = true }
            }
        } while (changed && budget > 0)
        return current
    }

    // ---------------------------------------------------------------------------------------------
    // The tests.

    @Test
    fun `random v3 requests and answers agree with the official Java v3 SDK`() {
        // The SDK reads the certificates as we do.
        assertEquals(certConfig.appCertSn(), javaAppCertSn)
        assertEquals(certConfig.alipayRootCertSn(), javaRootCertSn)
        assertEquals(certConfig.alipayCertSn(), javaAlipayCertSn)

        val seed = System.getProperty("v3differential.seed")?.takeIf { it.isNotBlank() }?.toLong() ?: DEFAULT_SEED
        val total = System.getProperty("v3differential.cases")?.takeIf { it.isNotBlank() }?.toInt() ?: DEFAULT_CASES
        println("V3JavaDifferentialTest: seed $seed (-Dv3differential.seed=N to change), $total cases (-Dv3differential.cases=N)")
        val random = Random(seed)
        class Row {
            var cases = 0; var request = 0; var javaEncoding = 0; var encrypted = 0; var ciphertext = 0
            var javaAnswer = 0; var ourAnswer = 0; var tamper = 0; var tokens = 0; var mismatched = 0
        }
        val rows = linkedMapOf("key" to Row(), "cert" to Row())
        val firstByLabel = LinkedHashMap<String, Case>()
        val countByLabel = LinkedHashMap<String, Int>()
        val started = System.nanoTime()
        for (index in 0 until total) {
            val case = random.case(cert = index % 2 == 1)
            val outcome = evaluate(case)
            val row = rows.getValue(if (case.cert) "cert" else "key")
            row.cases++
            if (outcome.request) row.request++
            if (outcome.javaEncoding) row.javaEncoding++
            if (case.encrypt) row.encrypted++
            if (outcome.ciphertext) row.ciphertext++
            if (outcome.javaAnswer) row.javaAnswer++
            if (outcome.ourAnswer) row.ourAnswer++
            if (outcome.tamper) row.tamper++
            if (case.token != null) row.tokens++
            if (outcome.mismatches.isNotEmpty()) row.mismatched++
            for (label in outcome.mismatches.keys) {
                firstByLabel.putIfAbsent(label, case)
                countByLabel.merge(label, 1, Int::plus)
            }
        }
        val seconds = (System.nanoTime() - started) / 1e9

        val header = listOf(
            "mode", "cases", "with token", "Authorization=", "(SDK encoding)=", "AES", "ciphertext=",
            "SDK answer read", "our answer verified", "tamper refused", "mismatched",
        )
        val lines = rows.map { (mode, row) ->
            listOf(mode, row.cases, row.tokens, row.request, row.javaEncoding, row.encrypted, row.ciphertext,
                row.javaAnswer, row.ourAnswer, row.tamper, row.mismatched).map { it.toString() }
        }
        val widths = header.indices.map { column -> (lines + listOf(header)).maxOf { it[column].length } }
        fun line(cells: List<String>) = cells.mapIndexed { column, cell ->
            if (column == 0) cell.padEnd(widths[column]) else cell.padStart(widths[column])
        }.joinToString(" | ", "| ", " |")
        val table = StringBuilder()
        table.appendLine(line(header))
        table.appendLine(widths.joinToString("-|-", "|-", "-|") { "-".repeat(it) })
        lines.forEach { table.appendLine(line(it)) }
        table.appendLine("(${"%.1f".format(seconds)} s)")
        println(table)

        val report = StringBuilder()
        if (countByLabel.isNotEmpty()) {
            report.appendLine("mismatches with the official Java v3 SDK (seed $seed), by kind, each shrunk:")
            for ((label, count) in countByLabel) {
                val shrunk = shrink(firstByLabel.getValue(label), label)
                val detail = evaluate(shrunk, label).mismatches[label] ?: "(no longer reproduces after shrinking?)"
                report.appendLine("- $label: $count case(s)")
                report.appendLine("    $detail")
                report.appendLine("    JSON: ${shrunk.json()}")
            }
            println(report)
        }
        assertTrue(total >= 300, "only $total cases: at least 300 are needed")
        for ((mode, row) in rows) {
            assertTrue(row.cases >= total / 2 && row.tokens > 0 && row.encrypted > 0, "$mode: every dimension runs")
        }
        if (countByLabel.isNotEmpty()) fail("$table\n$report")
    }

    /** A loopback client that speaks HTTP/1.1 only (no h2c upgrade). */
    private val http: HttpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()

    private fun send(prepared: V3HttpRequest): HttpResponse<ByteArray> =
        http.send(prepared.toHttpRequest(Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofByteArray())

    /** Whether the SDK verifies an emulator answer as received. */
    private fun javaVerifies(util: AlipayConfigUtil, response: HttpResponse<ByteArray>): Boolean {
        val header = { name: String -> response.headers().firstValue(name).orElseThrow { AssertionError("no $name") } }
        return javaVerify(
            util, header("alipay-timestamp"), header("alipay-nonce"), String(response.body(), Charsets.UTF_8),
            header("alipay-signature"), response.headers().firstValue("alipay-sn").orElse(null),
        )
    }

    @Test
    fun `the emulator's answers verify with the Java v3 SDK, in key mode, certificate mode and with AES`() {
        val random = Random(DEFAULT_SEED + 1)
        // Key mode, with AES.
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, aesKey = AesKey(Apps.AES_TEXT)).use { emulator ->
            val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl(), aesKey = AesKey(Apps.AES_TEXT))
            val token = Emulators.authorise(emulator, Client(config))
            repeat(20) { index ->
                val encrypt = index % 2 == 1
                val body = (0 until random.nextInt(4)).associate { random.word() to random.value(1) }
                val prepared = config.prepareV3(V3Call("POST", "/v3/alipay/open/mini/version/list/query", body = jsonOf(body), appAuthToken = token.appAuthToken, encrypt = encrypt))
                val response = send(prepared)
                assertEquals(200, response.statusCode(), String(response.body()))
                assertTrue(javaVerifies(javaKeyMode, response), "the SDK verifies the emulator's answer $index")
                val ours = config.readV3Answer(response, prepared.encrypted)
                val plain = if (encrypt) javaKeyMode.decrypt(String(response.body(), Charsets.UTF_8)) else String(response.body(), Charsets.UTF_8)
                assertEquals(ours.body, plain, "the SDK decrypts what we decrypt")
                assertTrue(JSONObject(plain).has("app_versions"))
            }
            // The merchant token query, self-invoked.
            val query = config.prepareV3(V3Call("GET", "/v3/alipay/open/auth/token/app/query", queryOf("app_auth_token" to token.appAuthToken)))
            assertTrue(javaVerifies(javaKeyMode, send(query)))
        }
        // Certificate mode: the SDK picks the key by the alipay-sn the answer names.
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, certMode = true).use { emulator ->
            val appCert = emulator.issueAppCert(Apps.appPublic)
            val config = IsvConfig.fromCertificates(Apps.APP_ID, Apps.appPrivate, appCert, emulator.alipayCertPem(), emulator.rootCertBundlePem(), gateway = emulator.gatewayUrl())
            val util = AlipayConfigUtil().apply {
                appId = Apps.APP_ID
                privateKey = javaAppPrivate
                appCertSN = AntCertificationUtil.getCertSN(appCert)
                rootCertSN = AntCertificationUtil.getRootCertSN(emulator.rootCertBundlePem())
                cachedAlipayPublicKey = ConcurrentHashMap(
                    mapOf(AntCertificationUtil.getCertSN(emulator.alipayCertPem()) to AntCertificationUtil.getCertPublicKey(emulator.alipayCertPem())),
                )
            }
            val token = Emulators.authorise(emulator, Client(config))
            repeat(5) {
                val response = send(config.prepareV3(V3Call("POST", "/v3/alipay/open/mini/version/list/query", body = "{}", appAuthToken = token.appAuthToken)))
                assertEquals(200, response.statusCode(), String(response.body()))
                assertEquals(emulator.alipayCertSn(), response.headers().firstValue("alipay-sn").orElse(null))
                assertTrue(javaVerifies(util, response), "the SDK verifies the emulator's certificate-mode answer")
            }
        }
    }

    @Test
    fun `the emulator accepts requests signed by the Java v3 SDK, with the token line and AES`() {
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, aesKey = AesKey(Apps.AES_TEXT)).use { emulator ->
            val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl(), aesKey = AesKey(Apps.AES_TEXT))
            val token = Emulators.authorise(emulator, Client(config))
            val path = "/v3/alipay/open/mini/version/list/query"
            for (encrypt in listOf(false, true)) {
                val json = """{"bundle_id":"com.alipay.alipaywallet","memo":"杭州 \"官方\""}"""
                val headers = HashMap<String, String>()
                val body = if (encrypt) javaEncrypt(javaKeyMode, json, headers) else json
                headers["alipay-app-auth-token"] = token.appAuthToken
                javaKeyMode.sign("POST", path, body, headers)
                val request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                    .apply { if (!encrypt) header("Content-Type", "application/json") }
                    .apply { headers.forEach { (name, value) -> header(name, value) } }
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build()
                val response = http.send(request, HttpResponse.BodyHandlers.ofByteArray())
                assertEquals(200, response.statusCode(), String(response.body()))
                assertTrue(javaVerifies(javaKeyMode, response))
                val answer = config.readV3Answer(response, encrypt)
                assertTrue(JSONObject(answer.fieldsJson).has("app_versions"), answer.body)
                // The token swapped after the SDK signed: refused.
                val swapped = HttpRequest.newBuilder(request, { name, _ -> !name.equals("alipay-app-auth-token", true) })
                    .header("alipay-app-auth-token", "202612BB" + "0".repeat(32))
                    .build()
                val refused = http.send(swapped, HttpResponse.BodyHandlers.ofByteArray())
                assertEquals(400, refused.statusCode(), String(refused.body()))
                assertEquals("invalid-signature", JSONObject(String(refused.body(), Charsets.UTF_8)).getString("code"))
            }
        }
    }

    private companion object {
        const val DEFAULT_SEED = 20261207L
        const val DEFAULT_CASES = 400
        const val LOWER = "abcdefghijklmnopqrstuvwxyz_"
        const val WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
        const val SPECIAL = " &=+%/?#~*'\"\\<>{}[]:,;@!$()^`|"

        /** A Kotlin string literal with every non-ASCII or control character as a `\u` escape. */
        fun lit(text: String): String = buildString {
            append('"')
            for (char in text) {
                when {
                    char == '"' || char == '\\' -> append('\\').append(char)
                    char.code in 0x20..0x7e -> append(char)
                    else -> append("\\u%04x".format(char.code))
                }
            }
            append('"')
        }
    }
}
