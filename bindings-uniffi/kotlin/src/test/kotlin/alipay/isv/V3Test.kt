package alipay.isv

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpHeaders
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.security.KeyFactory
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.security.spec.X509EncodedKeySpec
import java.util.Base64
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * OpenAPI v3 (core `v3`): every case of tests/vectors/v3.json — made by the official Node SDK
 * alipay-sdk 4.14.0 — run as protocol/tests/v3_vectors.rs runs them (our `Authorization` header byte
 * for byte, the token and root-SN headers, the SDK's verdict on every answer, through the list, map
 * and JDK `HttpHeaders` forms); the AES and multipart cases also made whole by `prepareV3` (the
 * ciphertext sent, the data part signed, the file carried) and the AES answers read by `readV3Answer`
 * (decrypted, or refused as the case says); a fresh signature checked and answers signed by the JDK,
 * the typed refusals, and no token in any `toString()` or error text; the auth string's extension
 * (`v3AdditionalAuthInfo`, the SDK's `additionalAuthInfo`: the vectors made with it, and its refusals).
 */
class V3Test {
    private val vectors: JSONObject by lazy { JSONObject(Vectors.file("v3.json").readText(Charsets.UTF_8)) }
    private val keyMode = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic)
    private val certMode: IsvConfig by lazy {
        IsvConfig.fromCertificates(
            Apps.APP_ID, Apps.appPrivate,
            Vectors.bytes("certs/app_cert.crt"),
            Vectors.bytes("certs/alipay_cert.crt"),
            Vectors.bytes("certs/root_bundle.crt"),
        )
    }

    private fun cases(list: String): List<JSONObject> {
        val array = vectors.getJSONArray(list)
        return (0 until array.length()).map { array.getJSONObject(it) }
    }

    private fun headersOf(case: JSONObject): List<HttpHeader> {
        val pairs: JSONArray = case.getJSONArray("headers")
        return (0 until pairs.length()).map { HttpHeader(pairs.getJSONArray(it).getString(0), pairs.getJSONArray(it).getString(1)) }
    }

    /** The value of the one header `name` a signature asks to send, or null. */
    private fun headerValue(signature: V3Signature, name: String): String? =
        signature.headers.singleOrNull { it.name == name }?.value

    /** A secret catalogue of `token` (whole, every window, its shape) and the app's private key. */
    private fun secrets(vararg tokens: String?): SecretCatalog = SecretCatalog().apply {
        tokens.filterNotNull().forEachIndexed { at, token -> token("token $at", token) }
        privateKey("app private key", Apps.appPrivate)
    }

    private fun assertClean(catalog: SecretCatalog, vararg texts: Pair<String, String?>) {
        val findings = catalog.findIn(texts.map { (name, text) -> name to (text ?: "") })
        assertTrue(findings.isEmpty(), findings.joinToString("\n"))
    }

    /** A JDK SHA256withRSA signature (Base64) of `content` as UTF-8 with a vector private key file. */
    private fun jdkSign(keyFile: String, content: String): String {
        val der = Base64.getDecoder().decode(JdkKeys.pkcs8Base64(Vectors.keyText(keyFile)))
        val signer = Signature.getInstance("SHA256withRSA")
        signer.initSign(KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der)))
        signer.update(content.toByteArray(Charsets.UTF_8))
        return Base64.getEncoder().encodeToString(signer.sign())
    }

    /** Whether the JDK verifies `sign` over `content` (UTF-8) with the app's public key. */
    private fun jdkVerifiesWithAppKey(content: String, sign: String): Boolean {
        val der = Base64.getDecoder().decode(JdkKeys.spkiBase64(Vectors.keyText("keys/app_2048_public.pem")))
        val verifier = Signature.getInstance("SHA256withRSA")
        verifier.initVerify(KeyFactory.getInstance("RSA").generatePublic(X509EncodedKeySpec(der)))
        verifier.update(content.toByteArray(Charsets.UTF_8))
        return verifier.verify(Base64.getDecoder().decode(sign))
    }

    /** An answer signed by the JDK with the Alipay key, as Alipay signs it. */
    private fun signedAnswer(body: String, nonce: String = "n-jdk", timestamp: String = "1796600100000"): List<HttpHeader> =
        listOf(
            HttpHeader("alipay-timestamp", timestamp),
            HttpHeader("alipay-nonce", nonce),
            HttpHeader("alipay-signature", jdkSign("keys/alipay_2048_pkcs8.pem", "$timestamp\n$nonce\n$body\n")),
        )

    @Test
    fun `every request vector gives the official SDK's authorization byte for byte`() {
        val cases = cases("requests")
        assertTrue(cases.size >= 7, "${cases.size} request cases")
        assertTrue(cases.any { it.getBoolean("cert_mode") } && cases.any { !it.isNull("app_auth_token") })
        for (case in cases) {
            val name = case.getString("name")
            assertTrue(case.has("additional_auth_info"), "$name: additional_auth_info")
            val extension = Vectors.optText(case, "additional_auth_info")
            val config = when {
                extension != null -> configOf(case)
                case.getBoolean("cert_mode") -> certMode
                else -> keyMode
            }
            assertEquals(extension, config.v3AdditionalAuthInfo(), name)
            assertEquals(Apps.APP_ID, case.getString("app_id"), name)
            val token = Vectors.optText(case, "app_auth_token")
            val signature = config.v3Sign(
                case.getString("method"),
                case.getString("request_target"),
                case.getString("body"),
                token,
                case.getString("nonce"),
                case.getLong("timestamp_ms"),
            )
            assertEquals(case.getString("authorization"), signature.authorization, name)
            assertEquals(case.getString("authorization"), headerValue(signature, "authorization"), name)
            assertEquals(Vectors.optText(case, "alipay_root_cert_sn"), headerValue(signature, "alipay-root-cert-sn"), name)
            assertEquals(token, headerValue(signature, "alipay-app-auth-token"), name)
            val expectedHeaders = listOfNotNull("authorization", token?.let { "alipay-app-auth-token" },
                Vectors.optText(case, "alipay_root_cert_sn")?.let { "alipay-root-cert-sn" })
            assertEquals(expectedHeaders, signature.headers.map { it.name }, name)
            assertTrue(signature.authorization.startsWith("ALIPAY-SHA256withRSA ${signature.authString},sign="), name)
            assertContains(signature.authString, "nonce=${case.getString("nonce")},timestamp=${case.getLong("timestamp_ms")}")
            // The extension, when there is one, ends the auth string, after the timestamp.
            assertTrue(signature.authString.endsWith("timestamp=${case.getLong("timestamp_ms")}" + (extension?.let { ",$it" } ?: "")), name)
            if (case.getBoolean("cert_mode")) assertContains(signature.authString, "app_cert_sn=${certMode.appCertSn()}")
            // The token is the last signed line exactly when it is sent.
            assertEquals(token != null, token != null && signature.stringToSign.endsWith("\n$token\n"), name)
            assertTrue(signature.stringToSign.startsWith("${signature.authString}\n${case.getString("method")}\n"), name)
            // The signature is the JDK's SHA256withRSA of stringToSign with the app key.
            assertTrue(jdkVerifiesWithAppKey(signature.stringToSign, signature.authorization.substringAfter(",sign=")), name)
            // toString never shows the token, nor the secrets in the request target's query.
            val query = case.getString("request_target").substringAfter('?', "").split('&')
                .filter { it.startsWith("app_auth_token=") || it.startsWith("auth_token=") }.map { it.substringAfter('=') }
            val catalog = secrets(token, *query.toTypedArray())
            assertClean(catalog, "toString" to signature.toString(), "headers" to signature.headers.toString())
            assertContains(signature.toString(), "stringToSignChars=${signature.stringToSign.length}")
            if (token != null) assertContains(signature.toString(), maskSecret(token))
        }
        val extended = cases.filter { !it.isNull("additional_auth_info") }
        assertEquals(setOf(false, true), extended.map { it.getBoolean("cert_mode") }.toSet(), "key- and cert-mode cases with an extension")
        assertTrue(extended.any { !it.isNull("app_auth_token") }, "an extension case with a token")
    }

    /** The configuration of a case: its mode, its AES key and its auth-string extension when it has them. */
    private fun configOf(case: JSONObject): IsvConfig {
        val aes = Vectors.optText(case, "aes_key")?.let { AesKey(it) }
        val extension = Vectors.optText(case, "additional_auth_info")
        return when {
            case.optBoolean("cert_mode") -> IsvConfig.fromCertificates(
                Apps.APP_ID, Apps.appPrivate,
                Vectors.bytes("certs/app_cert.crt"), Vectors.bytes("certs/alipay_cert.crt"), Vectors.bytes("certs/root_bundle.crt"),
                aesKey = aes,
                v3AdditionalAuthInfo = extension,
            )
            else -> IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, aesKey = aes, v3AdditionalAuthInfo = extension)
        }
    }

    /** A request target split into its path and its query, percent-decoded (`+` is a plus). */
    private fun split(target: String): Pair<String, List<QueryParam>> {
        val path = target.substringBefore('?')
        val query = target.substringAfter('?', "").split('&').filter { it.isNotEmpty() }.map {
            val decode = { text: String -> java.net.URLDecoder.decode(text.replace("+", "%2B"), Charsets.UTF_8) }
            QueryParam(decode(it.substringBefore('=')), decode(it.substringAfter('=', "")))
        }
        return path to query
    }

    private fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it) }

    private fun digest(algorithm: String, bytes: ByteArray): String = hex(java.security.MessageDigest.getInstance(algorithm).digest(bytes))

    /** The file of the SDK's upload vector (generate_v3.js): a PNG signature, text, bytes that are not UTF-8. */
    private val uploadFile: ByteArray = byteArrayOf(0x89.toByte(), 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) +
        " alipay-isv v3 upload vector ".toByteArray() + byteArrayOf(0x00, 0xff.toByte(), 0xfe.toByte(), 0x80.toByte())

    @Test
    fun `the AES and multipart request vectors are made whole by prepareV3, byte for byte`() {
        val cases = cases("requests").filter { it.has("aes_key") || it.has("plaintext") || it.optBoolean("multipart") }
        assertTrue(cases.count { it.has("aes_key") } >= 2, "AES request cases: ${cases.map { it.getString("name") }}")
        assertTrue(cases.any { it.optBoolean("multipart") }, "a multipart request case")
        for (case in cases) {
            val name = case.getString("name")
            val config = configOf(case)
            val token = Vectors.optText(case, "app_auth_token")
            val (path, query) = split(case.getString("request_target"))
            val nonce = case.getString("nonce")
            val timestamp = case.getLong("timestamp_ms")
            if (case.has("aes_key") || case.has("plaintext")) {
                // Encrypting the plaintext gives the SDK's ciphertext (AES-CBC, zero IV), and the same header.
                val plaintext = case.getString("plaintext")
                val key = AesKey(case.getString("aes_key"))
                assertEquals(plaintext, String(key.decrypt(case.getString("body")), Charsets.UTF_8), name)
                val prepared = config.prepareV3(V3Call(case.getString("method"), path, query, plaintext, token, encrypt = true), nonce, timestamp)
                assertEquals(case.getString("request_target"), prepared.requestTarget, name)
                assertEquals(case.getString("body"), String(prepared.body, Charsets.UTF_8), name)
                assertEquals(case.getString("authorization"), prepared.authorization, name)
                assertTrue(prepared.encrypted, name)
                assertEquals("AES", prepared.headers.single { it.name == "alipay-encrypt-type" }.value, name)
                assertEquals(Vectors.optText(case, "alipay_root_cert_sn"), prepared.headers.singleOrNull { it.name == "alipay-root-cert-sn" }?.value, name)
            }
            if (case.optBoolean("multipart")) {
                // The data part is the only part signed; the file part is carried as it is.
                val fileName = case.getString("file_name")
                assertEquals(case.getString("file_sha256"), digest("SHA-256", uploadFile), "$name: the vector's file")
                val data = case.getString("body")
                JSONObject(data).optString("md5").takeIf { it.isNotEmpty() }?.let { assertEquals(digest("MD5", uploadFile), it, name) }
                val prepared = config.prepareV3(
                    V3Call(case.getString("method"), path, query, data, token, files = listOf(V3File.fromBytes("file_content", fileName, uploadFile))),
                    nonce, timestamp,
                )
                assertEquals(case.getString("authorization"), prepared.authorization, name)
                assertTrue(prepared.stringToSign.contains("\n${case.getString("request_target")}\n$data\n"), name)
                val contentType = prepared.headers.single { it.name == "content-type" }.value
                assertTrue(contentType.startsWith("multipart/form-data; boundary="), "$name: $contentType")
                val body = String(prepared.body, Charsets.ISO_8859_1)
                assertContains(body, "name=\"data\"\r\nContent-Type: application/json\r\n\r\n${String(data.toByteArray(), Charsets.ISO_8859_1)}\r\n")
                val fileHead = "name=\"file_content\"; filename=\"$fileName\"\r\nContent-Type: image/png\r\n\r\n"
                assertContains(body, fileHead)
                val fileStart = body.indexOf(fileHead) + fileHead.length
                val sent = prepared.body.copyOfRange(fileStart, fileStart + uploadFile.size)
                assertEquals(case.getString("file_sha256"), digest("SHA-256", sent), "$name: the file part's bytes")
            }
        }
    }

    @Test
    fun `the AES answer vectors are verified over the ciphertext and decrypted as the SDK says`() {
        val cases = cases("answers").filter { it.has("aes_key") || it.has("decrypted") || it.has("decrypt_expect") }
        assertTrue(cases.size >= 3, "AES answer cases: ${cases.map { it.getString("name") }}")
        for (case in cases) {
            val name = case.getString("name")
            val config = configOf(case)
            val headers = headersOf(case)
            val body = case.getString("body").toByteArray(Charsets.UTF_8)
            val status = case.getInt("status")
            val expect = case.getString("expect")
            val decrypted = Vectors.optText(case, "decrypted")
            val outcome = runCatching { config.readV3Answer(status, headers, body, encrypted = true) }
            when {
                expect != "verified" -> {
                    val error = outcome.exceptionOrNull() as? AlipayException ?: fail("$name: expected $expect, got $outcome")
                    assertEquals(expect.removeSuffix("_error"), error.kind(), "$name: $error")
                }
                decrypted != null -> {
                    val answer = outcome.getOrElse { fail("$name: $it") }
                    assertEquals(decrypted, answer.body, name)
                    assertTrue(answer.verified, name)
                    assertTrue(JSONObject(decrypted).similar(JSONObject(answer.fieldsJson)), name)
                }
                else -> {
                    // It verifies (the signature covers the ciphertext) but does not decrypt.
                    assertEquals(V3Verdict.VERIFIED, config.v3Verify(status, headers, body), name)
                    val error = outcome.exceptionOrNull() as? AlipayException ?: fail("$name: expected a refusal, got $outcome")
                    val kind = (Vectors.optText(case, "decrypt_expect") ?: fail("$name: neither decrypted nor decrypt_expect")).removeSuffix("_error")
                    assertEquals(kind, error.kind(), "$name: $error")
                }
            }
            // Read as not encrypted, a verified ciphertext is not JSON: a protocol error that suggests AES.
            if (expect == "verified") {
                val plain = assertThrows<AlipayException.Protocol>(name) { config.readV3Answer(status, headers, body) }
                assertContains(plain.reason(), "encrypt")
            }
        }
    }

    @Test
    fun `every answer vector gives the official SDK's verdict, as a list, a map and JDK headers`() {
        val cases = cases("answers")
        assertTrue(cases.size >= 14, "${cases.size} answer cases")
        val seen = mutableMapOf<String, Int>()
        for (case in cases) {
            val name = case.getString("name")
            val expect = case.getString("expect")
            seen.merge(expect, 1, Int::plus)
            val headers = headersOf(case)
            val body = case.getString("body").toByteArray(Charsets.UTF_8)
            val status = case.getInt("status")
            val jdk = HttpHeaders.of(headers.groupBy({ it.name }, { it.value })) { _, _ -> true }
            val forms = buildList<Pair<String, () -> V3Verdict>> {
                add("list" to { keyMode.v3Verify(status, headers, body) })
                add("jdk" to { keyMode.v3Verify(status, jdk, body) })
                add("upper-case names" to { keyMode.v3Verify(status, headers.map { it.copy(name = it.name.uppercase()) }, body) })
                if (headers.map { it.name.lowercase() }.toSet().size == headers.size) {
                    add("map" to { keyMode.v3Verify(status, headers.associate { it.name to it.value }, body) })
                }
            }
            for ((form, verify) in forms) {
                val label = "$name ($form)"
                val outcome = runCatching(verify)
                val error = outcome.exceptionOrNull()
                when (expect) {
                    "verified" -> assertEquals(V3Verdict.VERIFIED, outcome.getOrElse { fail("$label: $it") }, label)
                    "unsigned" -> assertEquals(V3Verdict.UNSIGNED, outcome.getOrElse { fail("$label: $it") }, label)
                    "signature_error" -> {
                        assertIs<AlipayException.Signature>(error, "$label: $error")
                        assertEquals("signature", error.kind(), label)
                    }
                    "protocol_error" -> {
                        assertIs<AlipayException.Protocol>(error, "$label: $error")
                        assertEquals("protocol", error.kind(), label)
                    }
                    else -> fail("$label: unknown expectation $expect")
                }
            }
        }
        assertEquals(setOf("verified", "unsigned", "signature_error", "protocol_error"), seen.keys)
        assertEquals("verified", V3Verdict.VERIFIED.wireName())
        assertEquals("unsigned", V3Verdict.UNSIGNED.wireName())
    }

    @Test
    fun `an unsigned success says the endpoint may be a v2 gateway`() {
        val error = assertThrows<AlipayException.Signature> {
            keyMode.v3Verify(200, mapOf("Content-Type" to "application/json"), "{}".toByteArray())
        }
        assertContains(error.reason(), "gateway.do")
        assertEquals(V3Verdict.UNSIGNED, keyMode.v3Verify(502, emptyList(), "<html>bad gateway</html>".toByteArray()))
    }

    @Test
    fun `a fresh signature has a new nonce and the clock, and verifies with the app key`() {
        val before = System.currentTimeMillis()
        val first = keyMode.v3Sign("POST", "/v3/alipay/open/auth/token/app", """{"grant_type":"authorization_code"}""")
        val second = keyMode.v3Sign("GET", "/v3/alipay/open/auth/token/app/query")
        val after = System.currentTimeMillis()
        for (signature in listOf(first, second)) {
            val fields = signature.authString.split(',').associate { it.substringBefore('=') to it.substringAfter('=') }
            assertEquals(Apps.APP_ID, fields["app_id"])
            assertTrue(Regex("[0-9a-f]{32}").matches(fields.getValue("nonce")), signature.authString)
            assertTrue(fields.getValue("timestamp").toLong() in before..after, signature.authString)
            assertTrue(jdkVerifiesWithAppKey(signature.stringToSign, signature.authorization.substringAfter(",sign=")))
            assertEquals(listOf("authorization"), signature.headers.map { it.name })
        }
        assertNotEquals(first.authString, second.authString)
        assertTrue(second.stringToSign.endsWith("\nGET\n/v3/alipay/open/auth/token/app/query\n\n"), second.stringToSign)
    }

    @Test
    fun `an answer signed by the JDK with the Alipay key verifies, and tampering is refused`() {
        val body = """{"app_versions":["1.2.3"],"memo":"杭州 \"引号\""}"""
        val headers = signedAnswer(body)
        assertEquals(V3Verdict.VERIFIED, keyMode.v3Verify(200, headers, body.toByteArray()))
        assertEquals(V3Verdict.VERIFIED, keyMode.v3Verify(200, headers.associate { it.name to it.value }, body.toByteArray()))
        assertThrows<AlipayException.Signature> { keyMode.v3Verify(200, headers, body.replace("1.2.3", "1.2.4").toByteArray()) }
        assertThrows<AlipayException.Signature> {
            keyMode.v3Verify(200, headers.map { if (it.name == "alipay-nonce") it.copy(value = "n-other") else it }, body.toByteArray())
        }
        // Signed by the app's own key, not Alipay's.
        val timestamp = "1796600100000"
        val forged = headers.map {
            if (it.name == "alipay-signature") it.copy(value = jdkSign("keys/app_2048_pkcs8.pem", "$timestamp\nn-jdk\n$body\n")) else it
        }
        assertThrows<AlipayException.Signature> { keyMode.v3Verify(200, forged, body.toByteArray()) }
        // A missing nonce and a timestamp that is not a number are protocol errors.
        assertThrows<AlipayException.Protocol> { keyMode.v3Verify(200, headers.filter { it.name != "alipay-nonce" }, body.toByteArray()) }
        assertThrows<AlipayException.Protocol> {
            keyMode.v3Verify(200, headers.map { if (it.name == "alipay-timestamp") it.copy(value = "soon") else it }, body.toByteArray())
        }
        // The JDK's HttpHeaders keep a repeated header repeated: refused.
        val repeated = HttpHeaders.of(
            (headers + HttpHeader("alipay-signature", headers.last().value)).groupBy({ it.name }, { it.value }),
        ) { _, _ -> true }
        assertThrows<AlipayException.Protocol> { keyMode.v3Verify(200, repeated, body.toByteArray()) }
    }

    @Test
    fun `a JDK HttpClient call over loopback, signed and verified as the README shows`() {
        val token = "202612BB0123456789abcdef0123456789abcdef"
        val answer = """{"app_versions":["0.0.1"]}"""
        val received = java.util.concurrent.ConcurrentHashMap<String, String>()
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/v3/") { exchange ->
            exchange.requestHeaders.forEach { (name, values) -> received[name.lowercase()] = values.single() }
            received["target"] = exchange.requestURI.rawPath + (exchange.requestURI.rawQuery?.let { "?$it" } ?: "")
            received["body"] = String(exchange.requestBody.readAllBytes(), Charsets.UTF_8)
            signedAnswer(answer).forEach { exchange.responseHeaders.add(it.name, it.value) }
            val bytes = answer.toByteArray()
            exchange.sendResponseHeaders(200, bytes.size.toLong())
            exchange.responseBody.use { it.write(bytes) }
        }
        server.start()
        try {
            val target = "/v3/alipay/open/mini/version/list/query?page=1"
            val body = """{"bundle_id":"com.alipay.alipaywallet"}"""
            val signature = keyMode.v3Sign("POST", target, body, appAuthToken = token)
            val request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:${server.address.port}$target"))
                .header("Content-Type", "application/json")
                .apply { signature.headers.forEach { header(it.name, it.value) } }
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build()
            val response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray())
            assertEquals(V3Verdict.VERIFIED, keyMode.v3Verify(response))
            // What arrived is what was signed: the JDK verifies the header over the request as received.
            assertEquals(signature.authorization, received["authorization"])
            assertEquals(token, received["alipay-app-auth-token"])
            val expected = "${signature.authString}\nPOST\n${received["target"]}\n${received["body"]}\n$token\n"
            assertEquals(signature.stringToSign, expected)
            assertTrue(jdkVerifiesWithAppKey(expected, received.getValue("authorization").substringAfter(",sign=")))
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun `certificate mode verifies with the certificate alipay-sn names`() {
        val body = """{"code":"10000"}"""
        val headers = signedAnswer(body)
        val sn = certMode.alipayCertSn()!!
        assertEquals(V3Verdict.VERIFIED, certMode.v3Verify(200, headers, body.toByteArray()))
        assertEquals(V3Verdict.VERIFIED, certMode.v3Verify(200, headers + HttpHeader("Alipay-SN", sn), body.toByteArray()))
        val unknown = assertThrows<AlipayException.Signature> {
            certMode.v3Verify(200, headers + HttpHeader("alipay-sn", "0123456789abcdef0123456789abcdef"), body.toByteArray())
        }
        assertContains(unknown.reason(), "alipay.open.app.alipaycert.download")
    }

    @Test
    fun `a body over 10 MiB or not UTF-8 is a protocol error`() {
        val headers = listOf(
            HttpHeader("alipay-signature", "AAAA"),
            HttpHeader("alipay-timestamp", "1796600100000"),
            HttpHeader("alipay-nonce", "n"),
        )
        for (body in listOf(ByteArray(10 * 1024 * 1024 + 1) { 'a'.code.toByte() }, byteArrayOf(0xff.toByte(), 0xfe.toByte(), '{'.code.toByte(), '}'.code.toByte()))) {
            val error = assertThrows<AlipayException.Protocol> { keyMode.v3Verify(200, headers, body) }
            assertTrue(error.reason().length < 200, error.reason())
        }
        assertThrows<AlipayException.Config> { keyMode.v3Verify(-1, headers, ByteArray(0)) }
        assertThrows<AlipayException.Config> { keyMode.v3Verify(70_000, headers, ByteArray(0)) }
    }

    @Test
    fun `refusals are typed config errors whose text never holds the token`() {
        val token = "202612BBfedcba9876543210fedcba9876543210"
        val target = "/v3/alipay/open/mini/version/list/query"
        val refusals = mapOf<String, () -> Any>(
            "lower-case method" to { keyMode.v3Sign("post", target, "{}", token) },
            "empty method" to { keyMode.v3Sign("", target, "{}", token) },
            "target without /" to { keyMode.v3Sign("POST", "v3/alipay/open/mini/version/list/query", "{}", token) },
            "full URL as target" to { keyMode.v3Sign("POST", "https://openapi.alipay.com$target", "{}", token) },
            "target with a space" to { keyMode.v3Sign("GET", "$target?a=b c", "", token) },
            "target with a line break" to { keyMode.v3Sign("GET", "$target\nX: y", "", token) },
            "target with the token in its query and a space" to { keyMode.v3Sign("GET", "$target?app_auth_token=$token x", "") },
            "token with a line break" to { keyMode.v3Sign("POST", target, "{}", "$token\nforged") },
            "token with a carriage return" to { keyMode.v3Sign("POST", target, "{}", "$token\r") },
            "nonce without timestamp" to { keyMode.v3Sign("POST", target, "{}", token, nonce = "n1") },
            "timestamp without nonce" to { keyMode.v3Sign("POST", target, "{}", token, timestampMs = 1796600001111) },
            "nonce with a comma" to { keyMode.v3Sign("POST", target, "{}", token, "n1,sign=x", 1796600001111) },
            "negative timestamp" to { keyMode.v3Sign("POST", target, "{}", token, "n1", -1) },
            "cert mode, token with a line break" to { certMode.v3Sign("POST", target, "{}", "$token\n") },
        )
        val catalog = secrets(token)
        for ((name, call) in refusals) {
            val error = assertThrows<AlipayException.Config>(name) { call() }
            assertEquals("config", error.kind(), name)
            assertClean(catalog, "$name reason" to error.reason(), "$name message" to error.message, "$name toString" to error.toString())
        }
    }

    @Test
    fun `toString masks the token of a signature and of its headers`() {
        val token = "202612BB0123456789abcdef0123456789abcdef"
        val signature = certMode.v3Sign("POST", "/v3/alipay/open/mini/version/list/query", "{}", token, "n1", 1796600007777)
        val shown = signature.toString()
        assertClean(secrets(token), "toString" to shown, "headers" to signature.headers.joinToString { it.toString() })
        assertContains(shown, signature.authorization)
        assertContains(shown, "alipay-root-cert-sn")
        assertContains(shown, certMode.alipayRootCertSn()!!)
        // The data is there, for the caller to send.
        assertEquals(token, signature.headers.single { it.name == "alipay-app-auth-token" }.value)
        assertContains(HttpHeader("Alipay-App-Auth-Token", token).toString(), maskSecret(token))
        assertContains(HttpHeader("alipay-nonce", "n1").toString(), "value=n1")
        // An empty token is no token: not signed, not sent.
        val none = keyMode.v3Sign("POST", "/v3/x", "{}", "", "n1", 1)
        assertNull(none.headers.singleOrNull { it.name == "alipay-app-auth-token" })
        assertTrue(none.stringToSign.endsWith("\nPOST\n/v3/x\n{}\n"), none.stringToSign)
    }

    @Test
    fun `v3AdditionalAuthInfo follows the timestamp in the header and the signed line`() {
        val config = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3AdditionalAuthInfo = "expired_seconds=120")
        assertEquals("expired_seconds=120", config.v3AdditionalAuthInfo())
        assertNull(keyMode.v3AdditionalAuthInfo())
        assertNull(IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3AdditionalAuthInfo = "").v3AdditionalAuthInfo())
        val signature = config.v3Sign("GET", "/v3/x", "", null, "n-1", 1796600000000)
        val auth = "app_id=${Apps.APP_ID},nonce=n-1,timestamp=1796600000000,expired_seconds=120"
        assertEquals(auth, signature.authString)
        assertTrue(signature.authorization.startsWith("ALIPAY-SHA256withRSA $auth,sign="), signature.authorization)
        assertEquals("$auth\nGET\n/v3/x\n\n", signature.stringToSign)
        assertTrue(jdkVerifiesWithAppKey(signature.stringToSign, signature.authorization.substringAfter(",sign=")))
        // prepareV3 signs it too.
        val prepared = config.prepareV3(V3Call("GET", "/v3/x"), "n-1", 1796600000000)
        assertEquals(signature.authorization, prepared.authorization)
        // Certificate mode, through the String and Path overloads of fromCertificates.
        val fromText = IsvConfig.fromCertificates(
            Apps.APP_ID, Apps.appPrivate,
            Vectors.keyText("certs/app_cert.crt"), Vectors.keyText("certs/alipay_cert.crt"), Vectors.keyText("certs/root_bundle.crt"),
            v3AdditionalAuthInfo = "expired_seconds=120,trace-id=A_1",
        )
        val fromPath = IsvConfig.fromCertificates(
            Apps.APP_ID, Apps.appPrivate,
            Vectors.file("certs/app_cert.crt").toPath(), Vectors.file("certs/alipay_cert.crt").toPath(), Vectors.file("certs/root_bundle.crt").toPath(),
            v3AdditionalAuthInfo = "expired_seconds=120,trace-id=A_1",
        )
        for (cert in listOf(fromText, fromPath)) {
            assertEquals(
                "app_id=${Apps.APP_ID},app_cert_sn=${cert.appCertSn()},nonce=n,timestamp=1,expired_seconds=120,trace-id=A_1",
                cert.v3Sign("GET", "/v3/x", "", null, "n", 1).authString,
            )
        }
    }

    @Test
    fun `a v3AdditionalAuthInfo that is not key=value pairs, or names a pair the gateway reads, is a config error`() {
        val refused = mapOf(
            "not a pair" to ("expired_seconds" to "key=value"),
            "an empty pair" to ("a=1,,b=2" to "key=value"),
            "a trailing comma" to ("expired_seconds=120," to "key=value"),
            "a comma in a value" to ("ids=1,2" to "no comma inside a value"),
            "an empty key" to ("=120" to "letters, digits"),
            "a space in a key" to ("expired seconds=120" to "letters, digits"),
            "a line break" to ("expired_seconds=120\nGET" to "line break"),
            "a carriage return" to ("expired_seconds=120\r" to "line break"),
            "app_id" to ("app_id=2021000000000002" to "must not set `app_id`"),
            "app_cert_sn" to ("app_cert_sn=x" to "must not set `app_cert_sn`"),
            "nonce" to ("expired_seconds=120,nonce=x" to "must not set `nonce`"),
            "timestamp" to ("timestamp=1" to "must not set `timestamp`"),
            "sign" to ("sign=AAAA" to "must not set `sign`"),
            "a key twice" to ("a=1,a=2" to "names `a` twice"),
        )
        for ((name, refusal) in refused) {
            val (text, says) = refusal
            val error = assertThrows<AlipayException.Config>(name) {
                IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3AdditionalAuthInfo = text)
            }
            assertEquals("config", error.kind(), name)
            assertContains(error.reason(), says, message = name)
            assertContains(error.reason(), "v3_additional_auth_info", message = name)
            assertTrue(!error.reason().contains('\n') && !error.reason().contains('\r'), "$name: ${error.reason()}")
            assertThrows<AlipayException.Config>("$name, certificate mode") {
                IsvConfig.fromCertificates(
                    Apps.APP_ID, Apps.appPrivate,
                    Vectors.bytes("certs/app_cert.crt"), Vectors.bytes("certs/alipay_cert.crt"), Vectors.bytes("certs/root_bundle.crt"),
                    v3AdditionalAuthInfo = text,
                )
            }
        }
    }
}
