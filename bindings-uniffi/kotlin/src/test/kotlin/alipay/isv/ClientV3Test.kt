package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import alipay.isv.Emulators.step
import org.json.JSONObject
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.net.http.HttpClient
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * OpenAPI v3 calls of the binding (core `client::v3_calls`, `v3::call`, `v3::response`) against the
 * emulator's `/v3/…` front on loopback: the merchant token flow and the user flow on the merchant's
 * behalf over v3, a generic delegated `executeV3`, `Registry.executeV3For`, the typed v3 errors (HTTP
 * status, code, hint, trace id, links), calls refused before sending, certificate mode, AES both ways,
 * file uploads from memory and from disk, the sans-IO `prepareV3` / `readV3Answer` (also sent with the
 * JDK HttpClient), and no token in any `toString()` or error text.
 */
class ClientV3Test {
    private val versionsPath = "/v3/alipay/open/mini/version/list/query"
    private val versions = Emulators.VERSIONS

    /** A merchant authorises through the emulator's page: its fresh `app_auth_code` (not exchanged). */
    private fun merchantCode(emulator: Emulator): String {
        val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
        return parseAppAuthCallback(emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state)).appAuthCode
    }

    /** A user of the merchant app `authAppId` consents: their fresh `auth_code`. */
    private fun userCode(emulator: Emulator, authAppId: String): String {
        val consent = userConsentLink(emulator.baseUrl(), authAppId, listOf(UserScope.AUTH_USER), USER_REDIRECT)
        return parseUserAuthCallback(emulator.userConsents(consent.url), authAppId, StateCheck.Expect(consent.state)).authCode
    }

    /** A merchant authorised over v3: its token. */
    private fun merchant(emulator: Emulator, client: Client): AppAuthToken =
        client.exchangeAppAuthCodeV3(merchantCode(emulator)).single()

    private fun assertClean(catalog: SecretCatalog, vararg texts: Pair<String, String?>) {
        val findings = catalog.findIn(texts.map { (name, text) -> name to (text ?: "") })
        assertTrue(findings.isEmpty(), findings.joinToString("\n"))
    }

    /** The texts an exception shows: `reason()`, `message`, `toString()`. */
    private fun texts(name: String, error: AlipayException): Array<Pair<String, String?>> =
        arrayOf("$name reason" to error.reason(), "$name message" to error.message, "$name toString" to error.toString())

    private fun md5(bytes: ByteArray): String = MessageDigest.getInstance("MD5").digest(bytes).joinToString("") { "%02x".format(it) }

    /** A tiny JPEG-looking file (the emulator checks the extension, the size and the MD5, not the pixels). */
    private val jpeg = byteArrayOf(0xff.toByte(), 0xd8.toByte(), 0xff.toByte(), 0xe0.toByte()) + "shop front 门头".toByteArray() +
        byteArrayOf(0xff.toByte(), 0xd9.toByte())

    @Test
    fun `the merchant and user flows run over v3, typed as the classic calls`() {
        val events = java.util.concurrent.ConcurrentLinkedQueue<ObservedEvent>()
        val listener = addEventListener(object : EventListener {
            override fun onEvent(event: ObservedEvent) {
                events.add(event)
            }
        })
        try {
            flowOverV3(events)
        } finally {
            removeEventListener(listener)
        }
    }

    private fun flowOverV3(events: java.util.Queue<ObservedEvent>) {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            assertEquals(emulator.baseUrl(), client.v3Base())
            assertEquals(emulator.baseUrl(), Emulators.config(emulator).v3Base())

            val token = step("exchange v3") { client.exchangeAppAuthCodeV3(merchantCode(emulator)) }.single()
            assertTrue(token.appAuthToken.isNotEmpty() && token.authAppId.isNotEmpty())
            assertNotNull(token.appRefreshToken)
            assertTrue((token.expiresIn ?: 0) > 0)
            assertTrue(emulator.callCount("alipay.open.auth.token.app") >= 1UL)

            val info = step("query v3") { client.queryAppAuthTokenV3(token.appAuthToken) }
            assertTrue(info.isValid, info.toString())
            assertEquals(token.authAppId, info.authAppId)
            assertEquals(token.userId, info.userId)

            val user = step("user code v3") { client.exchangeUserAuthCodeV3(userCode(emulator, token.authAppId), token.appAuthToken) }
            assertTrue(user.accessToken.isNotEmpty())
            assertTrue(user.userId != null || user.openId != null, user.toString())
            val profile = step("user info v3") { client.userInfoShareV3(user.accessToken, token.appAuthToken) }
            assertTrue(profile.userId != null || profile.openId != null, profile.toString())
            assertEquals(user.userId, profile.userId)
            assertTrue(JSONObject(profile.fieldsJson).length() > 0)
            val refreshedUser = step("user refresh v3") { client.refreshUserTokenV3(assertNotNull(user.refreshToken), token.appAuthToken) }
            assertNotEquals(user.accessToken, refreshedUser.accessToken)

            // A generic delegated call: JSON text as it is, and a map serialised once.
            val byText = step("executeV3 (text)") {
                client.executeV3(V3Call("POST", versionsPath, body = "{}", appAuthToken = token.appAuthToken))
            }
            val byMap = step("executeV3 (map)") {
                client.executeV3(V3Call.of("POST", versionsPath, json = mapOf(), appAuthToken = token.appAuthToken))
            }
            for (answer in listOf(byText, byMap)) {
                assertEquals(200.toUShort(), answer.status)
                assertTrue(answer.verified)
                assertNotNull(answer.traceId)
                assertTrue(JSONObject(answer.fieldsJson).has("app_versions"), answer.fieldsJson)
                assertTrue(JSONObject(answer.body).has("app_versions"), answer.body)
                assertContains(answer.toString(), "app_versions")
            }
            assertEquals(2UL, emulator.callCount(versions))

            val refreshed = step("refresh v3") { client.refreshAppAuthTokenV3(token.appRefreshToken!!) }.single()
            assertNotEquals(token.appAuthToken, refreshed.appAuthToken)
            assertEquals(token.authAppId, refreshed.authAppId)
            // The classic calls still work on the same client, with the v3 token.
            assertEquals("10000", client.execute(versions, CallOptions(appAuthToken = refreshed.appAuthToken)).fields["code"])

            val catalog = SecretCatalog().apply {
                for (value in listOf(token.appAuthToken, token.appRefreshToken, refreshed.appAuthToken, user.accessToken, user.refreshToken)) {
                    token("token", value)
                }
            }
            // Each v3 call is an event named after its operation, with the answer's trace id; no event holds a token.
            val delegated = events.filter { it.method == versions && it.traceId == byText.traceId }
            assertEquals(1, delegated.size, events.joinToString("\n"))
            assertTrue(events.any { it.method == "alipay.open.auth.token.app" && it.outcome == "success" }, events.joinToString("\n"))
            assertClean(
                catalog,
                "tokens" to "$token $refreshed $user $refreshedUser $info $profile",
                "answers" to "$byText $byMap",
                "call" to V3Call("POST", versionsPath, queryOf("auth_token" to user.accessToken), "{}", token.appAuthToken).toString(),
                "events" to events.joinToString("\n"),
            )
        }
    }

    @Test
    fun `the registry makes a delegated v3 call with the merchant's stored token`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val registry = Registry.inMemory(client)
            val tokens = client.exchangeAppAuthCodeV3(merchantCode(emulator))
            registry.ingestTokens(tokens)
            val authAppId = tokens.single().authAppId
            // The call's own token (none, or a stale one) is replaced by the registry's.
            for (call in listOf(V3Call("POST", versionsPath, body = "{}"), V3Call("POST", versionsPath, body = "{}", appAuthToken = "202612BBstale0000000000000000"))) {
                val answer = registry.executeV3For(authAppId, call)
                assertTrue(answer.verified)
                assertTrue(JSONObject(answer.fieldsJson).has("app_versions"), answer.fieldsJson)
            }
            val unknown = assertThrows<AlipayException.Store> { registry.executeV3For("2021009999999999", V3Call("GET", "/v3/x/y")) }
            assertContains(unknown.reason(), "2021009999999999")
        }
    }

    @Test
    fun `v3 errors are typed with the HTTP status, code, hint, trace id and links`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val code = merchantCode(emulator)
            val token = client.exchangeAppAuthCodeV3(code).single()

            val used = assertThrows<AlipayException.Api> { client.exchangeAppAuthCodeV3(code) }
            assertEquals(400.toUShort(), used.httpStatus)
            assertEquals("code-invalid", used.code)
            assertContains(assertNotNull(used.hint), "single-use")
            assertFalse(used.signed)
            val traceId = assertNotNull(used.traceId)
            assertTrue(used.links.isNotEmpty())
            assertContains(used.links.first(), traceId)
            assertContains(used.reason(), "HTTP 400")
            assertContains(used.reason(), traceId)
            assertEquals("api", used.kind())

            val bogus = "202612BBnot0a0real0token0000000"
            val unknown = assertThrows<AlipayException.Api> { client.queryAppAuthTokenV3(bogus) }
            assertEquals(401.toUShort(), unknown.httpStatus)
            assertEquals("invalid-app-auth-token", unknown.code)
            assertContains(assertNotNull(unknown.hint), "authorise again")
            val delegatedUnknown = assertThrows<AlipayException.Api> {
                client.executeV3(V3Call("POST", versionsPath, body = "{}", appAuthToken = bogus))
            }
            assertEquals(401.toUShort(), delegatedUnknown.httpStatus)
            assertEquals("invalid-app-auth-token", delegatedUnknown.code)

            val expiredUser = assertThrows<AlipayException.Api> { client.userInfoShareV3("authusrBnot0a0token000000000", token.appAuthToken) }
            assertEquals(401.toUShort(), expiredUser.httpStatus)
            assertEquals("invalid-auth-token", expiredUser.code)

            val selfInvoke = assertThrows<AlipayException.Api> { client.executeV3(V3Call("POST", versionsPath, body = "{}")) }
            assertEquals(403.toUShort(), selfInvoke.httpStatus)
            assertEquals("self-invoke-forbidden", selfInvoke.code)
            assertContains(assertNotNull(selfInvoke.hint), "app_auth_token")

            val catalog = SecretCatalog().apply {
                token("code", code)
                token("token", token.appAuthToken)
                token("bogus", bogus)
            }
            for ((name, error) in listOf("used" to used, "unknown" to unknown, "delegated" to delegatedUnknown, "user" to expiredUser, "self" to selfInvoke)) {
                assertClean(catalog, *texts(name, error))
            }
        }
    }

    @Test
    fun `the emulator's faults on v3 arrive as typed errors`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator, readTimeout = Duration.ofSeconds(2))
            val token = merchant(emulator, client)
            val call = V3Call("POST", versionsPath, body = "{}", appAuthToken = token.appAuthToken)
            emulator.setFault(Fault.Unsigned, 1u)
            assertContains(assertThrows<AlipayException.Signature> { client.executeV3(call) }.reason(), "gateway.do")
            emulator.setFault(Fault.BadGateway, 1u)
            assertTrue(assertThrows<AlipayException.Transport> { client.executeV3(call) }.requestSent)
            emulator.setFault(Fault.Reset, 1u)
            assertThrows<AlipayException.Transport> { client.executeV3(call) }
            emulator.setFault(Fault.Oversized(11uL * 1024u * 1024u), 1u)
            assertThrows<AlipayException.Transport> { client.executeV3(call) }
            // The faults are used up: the next call goes through.
            assertTrue(client.executeV3(call).verified)
        }
    }

    @Test
    fun `bad calls are refused as config errors before anything is sent`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val token = "202612BBfedcba9876543210fedcba9876543210"
            val bad = mapOf(
                "path without /v3/" to V3Call("POST", "/alipay/open/mini/version/list/query", body = "{}", appAuthToken = token),
                "relative path" to V3Call("POST", "v3/alipay/open/mini/version/list/query", appAuthToken = token),
                "path with a query" to V3Call("GET", "$versionsPath?page_num=1"),
                "body not JSON" to V3Call("POST", versionsPath, body = "{not json", appAuthToken = token),
                "encrypt without an AES key" to V3Call("POST", versionsPath, body = "{}", appAuthToken = token, encrypt = true),
                "token with a line break" to V3Call("POST", versionsPath, body = "{}", appAuthToken = "$token\nforged"),
                "upload not a POST" to V3Call("PUT", versionsPath, files = listOf(V3File.fromBytes("file_content", "a.jpg", jpeg))),
                "upload field named data" to V3Call("POST", versionsPath, files = listOf(V3File.fromBytes("data", "a.jpg", jpeg))),
                "missing upload file" to V3Call("POST", versionsPath, files = listOf(V3File.fromPath("file_content", Path.of("/nonexistent/shop.jpg")))),
                "request id with a line break" to V3Call("POST", versionsPath, body = "{}", requestId = "r\n1"),
            )
            val catalog = SecretCatalog().apply { token("token", token) }
            for ((name, call) in bad) {
                val error = assertThrows<AlipayException.Config>(name) { client.executeV3(call) }
                assertEquals("config", error.kind(), name)
                assertClean(catalog, *texts(name, error), "$name call" to call.toString())
            }
            assertThrows<AlipayException.Config> { client.uploadFileV3(" ", V3File.fromBytes("file_content", "a.jpg", jpeg)) }
            assertThrows<AlipayException.Config> { client.queryAppAuthTokenV3("") }
            assertEquals(0UL, emulator.totalCalls())
        }
    }

    @Test
    fun `a path holding a secret query is refused without echoing the secret`() {
        val token = "202612BBfedcba9876543210fedcba9876543210"
        val config = Apps.config()
        val catalog = SecretCatalog().apply {
            token("token", token)
            token("access token", Apps.ACCESS_TOKEN)
        }
        for (path in listOf("/v3/alipay/open/auth/token/app/query?app_auth_token=$token", "/v3/alipay/user/info/share?auth_token=${Apps.ACCESS_TOKEN}")) {
            val error = assertThrows<AlipayException.Config> { config.prepareV3(V3Call("GET", path)) }
            assertContains(error.reason(), "query")
            assertClean(catalog, *texts(path.substringBefore('?'), error))
        }
    }

    @Test
    fun `the v3 base is configurable by name or URL`() {
        val production = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic)
        assertEquals("https://openapi.alipay.com", production.v3Base())
        val sandbox = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = "sandbox")
        assertEquals("https://openapi-sandbox.dl.alipaydev.com", sandbox.v3Base())
        assertEquals("https://openapi-sandbox.dl.alipaydev.com", IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3Base = "sandbox").v3Base())
        val custom = IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3Base = "http://127.0.0.1:8080/ignored/path")
        assertEquals("http://127.0.0.1:8080", custom.v3Base())
        assertContains(custom.toString(), "v3Base=http://127.0.0.1:8080")
        assertEquals(
            "http://127.0.0.1:8080/v3/a/b?x=1",
            custom.prepareV3(V3Call("GET", "/v3/a/b", queryOf("x" to "1"))).url,
        )
        assertThrows<AlipayException.Config> { IsvConfig(Apps.APP_ID, Apps.appPrivate, Apps.alipayPublic, v3Base = "moon") }
    }

    @Test
    fun `certificate mode queries a token over v3 and follows a certificate rotation`() {
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, certMode = true).use { emulator ->
            val config = IsvConfig.fromCertificates(
                Apps.APP_ID, Apps.appPrivate, emulator.issueAppCert(Apps.appPublic), emulator.alipayCertPem(),
                emulator.rootCertBundlePem(), gateway = emulator.gatewayUrl(),
            )
            val client = Client(config)
            val token = merchant(emulator, client)
            assertTrue(client.queryAppAuthTokenV3(token.appAuthToken).isValid)
            val rotated = emulator.rotateAlipayCert()
            assertFalse(rotated in config.trustedAlipayCertSns())
            val answer = client.executeV3(V3Call("POST", versionsPath, body = "{}", appAuthToken = token.appAuthToken))
            assertTrue(answer.verified)
            assertTrue(rotated in config.trustedAlipayCertSns())
            assertEquals(1UL, emulator.callCount(alipayCertDownloadMethod()))
            // The sans-IO form in certificate mode: both SNs are sent.
            val prepared = config.prepareV3(V3Call("GET", "/v3/alipay/open/auth/token/app/query", queryOf("app_auth_token" to token.appAuthToken)))
            assertContains(prepared.authorization, "app_cert_sn=${config.appCertSn()}")
            assertEquals(config.alipayRootCertSn(), prepared.headers.single { it.name == "alipay-root-cert-sn" }.value)
        }
    }

    @Test
    fun `AES, an encrypted call is decrypted by the emulator and its encrypted answer by the client`() {
        Emulator(Apps.APP_ID, Apps.appPublic, alipayPrivateKey = Apps.alipayPrivate, aesKey = AesKey(Apps.AES_TEXT)).use { emulator ->
            val config = IsvConfig(
                Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl(), aesKey = AesKey(Apps.AES_TEXT),
            )
            val client = Client(config)
            val token = merchant(emulator, client)
            val answer = step("encrypted executeV3") {
                client.executeV3(V3Call.of("POST", versionsPath, json = mapOf("bundle_id" to "com.alipay.alipaywallet"), appAuthToken = token.appAuthToken, encrypt = true))
            }
            assertTrue(answer.verified)
            assertTrue(JSONObject(answer.body).has("app_versions"), "the body is the decrypted JSON: ${answer.body}")
            assertTrue(JSONObject(answer.fieldsJson).has("app_versions"))
            // What goes on the wire: Base64 ciphertext, signed as sent, with the AES header.
            val prepared = config.prepareV3(V3Call("POST", versionsPath, body = "{}", appAuthToken = token.appAuthToken, encrypt = true))
            assertTrue(prepared.encrypted)
            val sent = String(prepared.body, Charsets.UTF_8)
            assertNotEquals("{}", sent)
            assertEquals("{}", String(AesKey(Apps.AES_TEXT).decrypt(sent), Charsets.UTF_8))
            assertEquals("AES", prepared.headers.single { it.name == "alipay-encrypt-type" }.value)
            assertTrue(prepared.stringToSign.endsWith("\n$sent\n${token.appAuthToken}\n"))
            // The emulator without the key refuses it with the v3 code.
            Emulators.start().use { plain ->
                val plainConfig = IsvConfig(Apps.APP_ID, Apps.appPrivate, plain.alipayPublicKey(), gateway = plain.gatewayUrl(), aesKey = AesKey(Apps.AES_TEXT))
                val refused = assertThrows<AlipayException.Api> {
                    Client(plainConfig).executeV3(V3Call("POST", "/v3/alipay/open/auth/token/app/query", body = "{}", encrypt = true))
                }
                assertEquals(400.toUShort(), refused.httpStatus)
                assertEquals("missing-encrypt-key", refused.code)
            }
        }
    }

    @Test
    fun `uploads from memory and from disk get a file id the emulator recorded`(@TempDir dir: Path) {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val token = merchant(emulator, client)

            val fromBytes = step("upload bytes") { client.uploadFileV3("shop_image", V3File.fromBytes("file_content", "shop.jpg", jpeg), token.appAuthToken) }
            assertTrue(fromBytes.fileId.isNotEmpty())
            assertEquals(fromBytes.fileId, fromBytes.fields["file_id"])
            assertEquals(fromBytes.fileId, JSONObject(fromBytes.fieldsJson).getString("file_id"))
            val recorded = assertNotNull(emulator.uploadedFile(fromBytes.fileId))
            assertEquals("shop.jpg", recorded.fileName)
            assertEquals("image/jpeg", recorded.contentType)
            assertEquals(jpeg.size.toULong(), recorded.size)
            assertEquals(md5(jpeg), recorded.md5)
            assertEquals("shop_image", recorded.bizCode)
            assertEquals(token.authAppId, recorded.authAppId)

            val png = ByteArray(64 * 1024) { (it * 31 % 251).toByte() }
            val file = dir.resolve("门店 logo.png")
            Files.write(file, png)
            // The field given is replaced by file_content; the name is the path's own.
            val fromPath = step("upload path") { client.uploadFileV3("shop_image", V3File.fromPath("whatever", file), token.appAuthToken) }
            assertNotEquals(fromBytes.fileId, fromPath.fileId)
            val onDisk = assertNotNull(emulator.uploadedFile(fromPath.fileId))
            assertEquals("门店 logo.png", onDisk.fileName)
            assertEquals("image/png", onDisk.contentType)
            assertEquals(png.size.toULong(), onDisk.size)
            assertEquals(md5(png), onDisk.md5)

            // The ISV uploading for itself, and a refused extension.
            val own = client.uploadFileV3("shop_image", V3File.fromBytes("file_content", "notes.txt", "hello".toByteArray(), "text/plain"))
            assertNull(assertNotNull(emulator.uploadedFile(own.fileId)).authAppId)
            val refused = assertThrows<AlipayException.Api> {
                client.uploadFileV3("shop_image", V3File.fromBytes("file_content", "run.exe", jpeg), token.appAuthToken)
            }
            assertEquals(400.toUShort(), refused.httpStatus)
            assertEquals("invalid-file-extension", refused.code)
            assertNull(emulator.uploadedFile("no-such-file"))
            assertClean(SecretCatalog().apply { token("token", token.appAuthToken) }, "uploads" to "$fromBytes $fromPath $own $recorded")
        }
    }

    @Test
    fun `prepareV3 of a JSON call is what the signature covers, reproducibly`() {
        val config = Apps.config()
        val token = Apps.APP_AUTH_TOKEN
        val call = V3Call(
            "post", "/v3/alipay/open/mini/version/list/query",
            queryOf("page" to "1", "q" to "a b/ç&=", "auth_token" to Apps.ACCESS_TOKEN),
            body = """{"bundle_id":"com.alipay.alipaywallet","memo":"杭州"}""",
            appAuthToken = token, requestId = "req-1",
        )
        val prepared = config.prepareV3(call, "n-fixed", 1796600001111)
        assertEquals("POST", prepared.method)
        val target = "/v3/alipay/open/mini/version/list/query?page=1&q=a%20b%2F%C3%A7%26%3D&auth_token=${Apps.ACCESS_TOKEN}"
        assertEquals(target, prepared.requestTarget)
        assertEquals("https://openapi-sandbox.dl.alipaydev.com$target", prepared.url)
        assertEquals(call.body, String(prepared.body, Charsets.UTF_8))
        assertFalse(prepared.encrypted)
        val names = prepared.headers.map { it.name }
        assertEquals(listOf("content-type", "authorization", "alipay-app-auth-token", "accept", "alipay-request-id"), names)
        assertEquals("application/json", prepared.headers.first().value)
        assertEquals("req-1", prepared.headers.last().value)
        assertEquals(prepared.authorization, prepared.headers.single { it.name == "authorization" }.value)
        val auth = "app_id=${Apps.APP_ID},nonce=n-fixed,timestamp=1796600001111"
        assertEquals("$auth\nPOST\n$target\n${call.body}\n$token\n", prepared.stringToSign)
        // The same as v3Sign over the same strings, and reproducible.
        assertEquals(config.v3Sign("POST", target, call.body!!, token, "n-fixed", 1796600001111).authorization, prepared.authorization)
        val again = config.prepareV3(call, "n-fixed", 1796600001111)
        assertTrue(prepared.body.contentEquals(again.body))
        val none = ByteArray(0) // a data class compares arrays by identity
        assertEquals(prepared.copy(body = none), again.copy(body = none))
        // A fresh one: a new nonce, the clock, a fresh request id when none is given.
        val fresh = config.prepareV3(call.copy(requestId = null))
        assertNotEquals(prepared.authorization, fresh.authorization)
        assertTrue(fresh.headers.single { it.name == "alipay-request-id" }.value.isNotBlank())
        // No body, no content-type; GET.
        val get = config.prepareV3(V3Call("GET", "/v3/alipay/open/auth/token/app/query", queryOf("app_auth_token" to token)), "n", 1)
        assertEquals(0, get.body.size)
        assertFalse(get.headers.any { it.name == "content-type" })
        assertTrue(get.stringToSign.endsWith("\nGET\n/v3/alipay/open/auth/token/app/query?app_auth_token=$token\n\n"), get.stringToSign)
        assertThrows<AlipayException.Config> { config.prepareV3(call, nonce = "n") }
        assertThrows<AlipayException.Config> { config.prepareV3(call, "n", -1) }

        val catalog = SecretCatalog().apply {
            token("app_auth_token", token)
            token("access_token", Apps.ACCESS_TOKEN)
        }
        assertClean(catalog, "prepared" to prepared.toString(), "get" to get.toString(), "call" to call.toString())
        assertContains(prepared.toString(), "stringToSignChars=${prepared.stringToSign.length}")
    }

    @Test
    fun `prepareV3 of an upload signs the data part only and carries the file`(@TempDir dir: Path) {
        val config = Apps.config()
        val file = dir.resolve("licence.pdf")
        val pdf = "%PDF-1.4 营业执照 \r\n--not-a-boundary\r\n".toByteArray() + ByteArray(300) { it.toByte() }
        Files.write(file, pdf)
        val data = """{"biz_code":"shop_image","md5":"${md5(jpeg)}"}"""
        val call = V3Call(
            "POST", "/v3/alipay/open/file/upload", body = data, appAuthToken = Apps.APP_AUTH_TOKEN,
            files = listOf(V3File.fromBytes("file_content", "shop.jpg", jpeg), V3File.fromPath("extra", file, "application/pdf")),
        )
        val prepared = config.prepareV3(call, "n-up", 1796600002222)
        val contentType = prepared.headers.single { it.name == "content-type" }.value
        assertTrue(contentType.startsWith("multipart/form-data; boundary="), contentType)
        val boundary = contentType.substringAfter("boundary=")
        // Only the data part is signed.
        assertTrue(prepared.stringToSign.endsWith("\nPOST\n/v3/alipay/open/file/upload\n$data\n${Apps.APP_AUTH_TOKEN}\n"), prepared.stringToSign)
        val body = String(prepared.body, Charsets.ISO_8859_1)
        assertTrue(body.startsWith("--$boundary\r\n"), body.take(80))
        assertTrue(body.endsWith("--$boundary--\r\n"))
        assertContains(body, "Content-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n$data\r\n")
        assertContains(body, "name=\"file_content\"; filename=\"shop.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
        assertContains(body, "name=\"extra\"; filename=\"licence.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
        assertContains(body, String(jpeg, Charsets.ISO_8859_1))
        assertContains(body, String(pdf, Charsets.ISO_8859_1))
        assertContains(prepared.toString(), "bodyBytes=${prepared.body.size}")
    }

    @Test
    fun `readV3Answer reads an error body, a proxy page and an unsigned success as typed errors`() {
        val config = Apps.config()
        val error = """{"code":"invalid-app-auth-token","message":"无效的应用授权令牌","links":[{"desc":"诊断","link":"https://open.alipay.com/api/errCheck?traceId=0b1f"}]}"""
        val api = assertThrows<AlipayException.Api> {
            config.readV3Answer(401, mapOf("alipay-trace-id" to "0b1f", "Content-Type" to "application/json"), error.toByteArray())
        }
        assertEquals(401.toUShort(), api.httpStatus)
        assertEquals("invalid-app-auth-token", api.code)
        assertEquals("无效的应用授权令牌", api.msg)
        assertEquals("0b1f", api.traceId)
        assertEquals(listOf("https://open.alipay.com/api/errCheck?traceId=0b1f"), api.links)
        assertFalse(api.signed)
        assertNotNull(api.hint)
        assertNull(api.subCode)
        val proxy = assertThrows<AlipayException.Transport> { config.readV3Answer(502, emptyList(), "<html>bad gateway</html>".toByteArray()) }
        assertTrue(proxy.requestSent)
        assertContains(assertThrows<AlipayException.Signature> { config.readV3Answer(200, emptyList(), "{}".toByteArray()) }.reason(), "gateway.do")
        assertThrows<AlipayException.Config> { config.readV3Answer(-2, emptyList(), ByteArray(0)) }
    }

    @Test
    fun `the sans-IO form over the JDK HttpClient against the emulator`() {
        Emulators.start().use { emulator ->
            val config = Emulators.config(emulator)
            val token = merchant(emulator, Client(config))
            val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()
            val prepared = config.prepareV3(V3Call.of("POST", versionsPath, json = mapOf(), appAuthToken = token.appAuthToken))
            val response = http.send(prepared.toHttpRequest(Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofByteArray())
            val answer = config.readV3Answer(response, prepared.encrypted)
            assertTrue(answer.verified)
            assertTrue(JSONObject(answer.fieldsJson).has("app_versions"))
            // The JDK's headers, a list and a map all read the same.
            assertEquals(answer, config.readV3Answer(response.statusCode(), response.headers(), response.body()))
            assertEquals(answer, config.readV3Answer(response.statusCode(), response.headers().map().mapValues { it.value.single() }, response.body()))
            // An error answer through the same path.
            val unknown = config.prepareV3(V3Call("GET", "/v3/alipay/open/auth/token/app/query", queryOf("app_auth_token" to "202612BBunknown000000000000")))
            val refused = http.send(unknown.toHttpRequest(), HttpResponse.BodyHandlers.ofByteArray())
            assertEquals(401, refused.statusCode())
            val api = assertThrows<AlipayException.Api> { config.readV3Answer(refused) }
            assertEquals("invalid-app-auth-token", api.code)
            assertEquals(refused.headers().firstValue("alipay-trace-id").orElse(null), api.traceId)
        }
    }

    @Test
    @Tag("debug-hooks")
    fun `a v3 error arrives through the FFI with every field`() {
        DebugHooks.require()
        val api = assertIs<AlipayException.Api>(runCatching { DebugHooks.coreErrorForTests("api_v3") }.exceptionOrNull())
        assertEquals(401.toUShort(), api.httpStatus)
        assertEquals("invalid-app-auth-token", api.code)
        assertEquals("0b2f1a3c17966001000012345", api.traceId)
        assertEquals(1, api.links.size)
        assertNull(api.subCode)
        assertContains(api.reason(), "HTTP 401")
        assertContains(api.reason(), "trace id 0b2f1a3c17966001000012345")
        val classic = assertIs<AlipayException.Api>(runCatching { DebugHooks.coreErrorForTests("api") }.exceptionOrNull())
        assertNull(classic.httpStatus)
        assertNull(classic.traceId)
        assertTrue(classic.links.isEmpty())
    }
}
