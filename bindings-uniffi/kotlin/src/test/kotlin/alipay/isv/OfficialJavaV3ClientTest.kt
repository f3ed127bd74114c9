package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import com.alipay.v3.ApiClient
import com.alipay.v3.ApiException
import com.alipay.v3.ApiResponse
import com.alipay.v3.api.AlipayOpenAuthTokenApi
import com.alipay.v3.api.AlipayOpenAuthTokenAppApi
import com.alipay.v3.api.AlipayOpenFileApi
import com.alipay.v3.api.AlipaySystemOauthApi
import com.alipay.v3.api.AlipayUserInfoApi
import com.alipay.v3.model.AlipayOpenAuthTokenAppModel
import com.alipay.v3.model.AlipayOpenFileUploadModel
import com.alipay.v3.model.AlipaySystemOauthTokenModel
import com.alipay.v3.util.AlipayLogger
import com.alipay.v3.util.GenericExecuteApi
import com.alipay.v3.util.model.AlipayConfig
import com.alipay.v3.util.model.CustomizedParams
import com.alipay.v3.util.model.OpenApiGenericRequest
import com.google.gson.reflect.TypeToken
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.MessageDigest
import java.util.Base64
import java.util.Random
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The official Java v3 SDK's own HTTP client (`com.alipay.sdk:alipay-sdk-java-v3`, the version the pom
 * pins: `com.alipay.v3.ApiClient` configured with `com.alipay.v3.util.model.AlipayConfig`, its OkHttp,
 * its generated API classes and `GenericExecuteApi`) against the emulator's OpenAPI v3 front over real
 * loopback HTTP, called exactly as a Java ISV calls it. Nothing of this binding builds, signs or reads
 * these requests: the SDK signs them, sends them, verifies every answer's `alipay-signature` (in
 * certificate mode with the key of the certificate `alipay-sn` names), decrypts it with AES, and maps
 * errors to its `ApiException`. The binding only starts the emulator and, as the merchant and the user,
 * clicks through its authorisation pages.
 *
 * - The merchant flow: `AlipayOpenAuthTokenApi.app` exchanges the `app_auth_code` (grant_type
 *   authorization_code), `AlipayOpenAuthTokenAppApi.query` reads the token back (token as query
 *   parameter), `app` again refreshes it (grant_type refresh_token).
 * - On the merchant's behalf (`CustomizedParams.appAuthToken`: the `alipay-app-auth-token` header and
 *   the last signed line): `AlipaySystemOauthApi.token` exchanges a user's `auth_code` and refreshes the
 *   user token, `AlipayUserInfoApi.share` reads the user (`auth_token` in the query),
 *   `AlipayOpenFileApi.upload` sends a multipart upload (signed `data` part + `file_content`; the
 *   emulator's `uploadedFile` shows the bytes arrived), `GenericExecuteApi.execute` makes an arbitrary
 *   merchant call (`alipay.open.mini.version.list.query`).
 * - In key mode, in certificate mode (the SDK given the emulator's app certificate, Alipay certificate
 *   and root bundle as contents) and with AES (`encryptType` AES + `encryptKey`: the SDK encrypts every
 *   request body, the `data` part of an upload included, and decrypts every 2xx answer).
 * - Errors as the SDK reports them: a made-up `app_auth_token` (HTTP 401, `invalid-app-auth-token`), a
 *   request signed with another private key (HTTP 400, `invalid-signature`), another AES key (HTTP 400,
 *   `decryption-error`) — each with the v3 error body (`code`, `message`, one `links` entry whose trace
 *   id is the `alipay-trace-id` header).
 * - The SDK's own answer verification is live: every success answer carried `alipay-signature`,
 *   `alipay-timestamp`, `alipay-nonce` (and `alipay-sn` in certificate mode) and the SDK accepted it;
 *   the same answer without its signature headers (the emulator's `Unsigned` fault) is refused
 *   (`ApiException` "验签遭遇异常…"); the same SDK given another Alipay public key refuses the same
 *   answers (`ApiException` "sign check fail: check Sign and Data Fail!", which the SDK reports as
 *   status 400 although the HTTP status was 200); in certificate mode an answer signed under a rotated
 *   Alipay certificate is refused ("支付宝公钥证书[sn]已过期…") until the SDK is given the new one.
 *
 * Found by this test, and fixed in the emulator: `ApiClient.deserialize` parses a body into a model only
 * for a JSON media type or a `Content-Type` equal to `text/plain` (`"text/plain".equals(contentType)` in
 * its bytecode, no parameters). The emulator answered encrypted requests with
 * `text/plain;charset=utf-8`, and every typed call with AES failed after verifying and decrypting the
 * answer (`ApiException("Content type \"text/plain;charset=utf-8\" is not supported for type: …")`).
 * An SDK that works against the real gateway with AES implies the gateway sends exactly `text/plain`, so
 * the emulator does too now, and our own encrypted requests send exactly `text/plain` as both official
 * SDKs do.
 *
 * The SDK's ApiClient needs OkHttp 4 (the pom pins okhttp 4.9.3: the classic SDK's 3.12.13 would
 * otherwise win and ApiClient fails with NoSuchMethodError `RequestBody.create(String, MediaType)`).
 *
 * No token, code or key is printed: the SDK's own logger (`AlipayLogger`, which logs URLs and bodies) is
 * switched off, failures of SDK calls are rethrown with every token-like value redacted, and no
 * assertion message carries one.
 */
class OfficialJavaV3ClientTest {
    init {
        AlipayLogger.setNeedEnableLogger(false)
    }

    /** How the SDK is configured. */
    private enum class Mode(val cert: Boolean, val aes: Boolean) {
        KEY(cert = false, aes = false),
        CERT(cert = true, aes = false),
        AES(cert = false, aes = true),
    }

    // ---------------------------------------------------------------------------------------------
    // Keys in the SDK's forms (made by the JDK from the vector files, never by this binding).

    private val javaAppPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/app_2048_pkcs8.pem"))

    /**
     * A key pair nobody registered (the JDK's): its private key signs requests the emulator must refuse,
     * its public key verifies nothing the emulator signs.
     */
    private val strangerPrivate: String get() = Base64.getEncoder().encodeToString(strangerKeys.private.encoded)
    private val strangerPublic: String get() = Base64.getEncoder().encodeToString(strangerKeys.public.encoded)

    /** An AES key other than the app's. */
    private val otherAesKey = "wEA0iV4eLSTV+o5/T9RKjg=="

    /** A well-formed merchant token the emulator never issued (not a secret). */
    private val madeUpToken = "202612BB" + "0".repeat(32)

    // ---------------------------------------------------------------------------------------------
    // Secrets: every token and code is registered as soon as it exists; failure texts are redacted.

    private val secrets = ConcurrentLinkedQueue<String>()

    private fun <T : String?> secret(value: T): T {
        if (!value.isNullOrEmpty()) secrets.add(value)
        return value
    }

    /**
     * Token-valued JSON fields (`"app_auth_token":"…"`, `"access_token":"…"`, …) of a body the SDK read,
     * redacted even before the test registered the token (an answer the SDK failed to read).
     */
    private val tokenField = Regex(""""([A-Za-z_]*token[A-Za-z_]*)"\s*:\s*"[^"]*"""")

    private fun redact(text: String?): String {
        var redacted = (text ?: "").replace(tokenField) { match -> "\"${match.groupValues[1]}\":\"<redacted>\"" }
        for (secret in secrets) redacted = redacted.replace(secret, "<redacted>")
        return redacted
    }

    /** What an `ApiException` says, without its headers and with tokens redacted. */
    private fun describe(error: ApiException): String {
        val first = (error.message ?: "").substringBefore("\nHTTP response code:").substringBefore("\r\nHTTP response code:")
        return "HTTP ${error.code}, ${redact(first)}, body ${redact(error.responseBody)}"
    }

    /** Runs one SDK call; anything it throws becomes an AssertionError naming `what`, tokens redacted. */
    private fun <T> sdk(what: String, call: () -> T): T = try {
        call()
    } catch (error: ApiException) {
        throw AssertionError("$what: the SDK threw ApiException: ${describe(error)}").also { it.stackTrace = error.stackTrace }
    } catch (error: Exception) {
        throw AssertionError("$what: the SDK threw ${error::class.java.name}: ${redact(error.message)}").also { it.stackTrace = error.stackTrace }
    }

    // ---------------------------------------------------------------------------------------------
    // The emulator, its pages, and the SDK configured for it.

    private fun start(mode: Mode): Emulator = Emulator(
        Apps.APP_ID,
        Apps.appPublic,
        alipayPrivateKey = Apps.alipayPrivate,
        certMode = mode.cert,
        aesKey = if (mode.aes) AesKey(Apps.AES_TEXT) else null,
    )

    /** One emulator and what the SDK needs of it: the app certificate it issued (certificate mode). */
    private inner class Site(val emulator: Emulator, val mode: Mode) {
        val appCert: String? = if (mode.cert) emulator.issueAppCert(Apps.appPublic) else null

        /**
         * The SDK's `ApiClient` as a Java ISV configures it: the app's private key (or `privateKey`),
         * the Alipay public key (or `alipayPublicKey`) or the three certificates as contents, the AES
         * key (or `aesKey`) in AES mode, the emulator as `serverUrl`.
         */
        fun client(
            privateKey: String = javaAppPrivate,
            alipayPublicKey: String? = null,
            aesKey: String = Apps.AES_TEXT,
        ): ApiClient {
            val config = AlipayConfig().apply {
                serverUrl = emulator.baseUrl()
                appId = Apps.APP_ID
                this.privateKey = privateKey
                if (mode.cert) {
                    appCertContent = appCert
                    alipayPublicCertContent = emulator.alipayCertPem()
                    rootCertContent = emulator.rootCertBundlePem()
                } else {
                    this.alipayPublicKey = alipayPublicKey ?: JdkKeys.spkiBase64(emulator.alipayPublicKeyPem())
                }
                if (mode.aes) {
                    // The SDK encrypts only with both: encryptKey alone throws "当前不支持该算法类型".
                    encryptType = "AES"
                    encryptKey = aesKey
                }
            }
            return ApiClient().apply { setAlipayConfig(config) }
        }

        /** A merchant authorises on the emulator's page: its fresh `app_auth_code` (registered as a secret). */
        fun merchantCode(): String {
            val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
            return secret(parseAppAuthCallback(emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state)).appAuthCode)
        }

        /** A user of the merchant app `authAppId` consents on the emulator's page: their fresh `auth_code`. */
        fun userCode(authAppId: String): String {
            val consent = userConsentLink(emulator.baseUrl(), authAppId, listOf(UserScope.AUTH_USER), USER_REDIRECT)
            return secret(parseUserAuthCallback(emulator.userConsents(consent.url), authAppId, StateCheck.Expect(consent.state)).authCode)
        }

        /**
         * The answer of a successful call as the SDK returned it: HTTP 200, signed (the SDK accepted the
         * signature: it throws otherwise), `alipay-sn` naming the emulator's certificate in certificate mode.
         */
        fun <T> signed(what: String, response: ApiResponse<out T>): T {
            assertEquals(200, response.statusCode, "$what: HTTP status")
            val headers = response.headers.entries.associate { (name, values) -> name.lowercase() to values }
            for (name in listOf("alipay-signature", "alipay-timestamp", "alipay-nonce", "alipay-trace-id")) {
                assertTrue(!headers[name].isNullOrEmpty() && headers.getValue(name).single().isNotBlank(), "$what: the answer has no $name")
            }
            // An encrypted request is answered with the Base64 ciphertext (which the SDK decrypted), a plain one with JSON.
            val contentType = headers["content-type"]?.singleOrNull().orEmpty()
            if (mode.aes) {
                assertEquals("text/plain", contentType, "$what: an encrypted answer's Content-Type")
            } else {
                assertTrue(contentType.startsWith("application/json"), "$what: Content-Type $contentType")
            }
            if (mode.cert) {
                assertEquals(listOf(emulator.alipayCertSn()), headers["alipay-sn"], "$what: alipay-sn")
            } else {
                assertNull(headers["alipay-sn"], "$what: alipay-sn in key mode")
            }
            return assertNotNull(response.data, "$what: the SDK returned no data")
        }
    }

    private fun delegated(token: String) = CustomizedParams().apply { appAuthToken = token }

    private fun md5(bytes: ByteArray): String = MessageDigest.getInstance("MD5").digest(bytes).joinToString("") { "%02x".format(it) }

    /** A PNG-looking file whose bytes a multipart parser must not trip on: NULs, CRLFs, `--` runs, high bytes. */
    private fun image(dir: Path, name: String, seed: Long): File {
        val random = Random(seed)
        val bytes = byteArrayOf(0x89.toByte(), 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) +
            "\r\n--\r\n--boundary\r\n\u0000".toByteArray() +
            ByteArray(48 * 1024).also { random.nextBytes(it) } +
            "\r\n--".toByteArray()
        return dir.resolve(name).toFile().apply { writeBytes(bytes) }
    }

    /** An `ApiException` the SDK threw for a refused call: its status and the v3 error body. */
    private fun refused(what: String, status: Int, code: String, call: () -> Any?) {
        val error = try {
            call()
            null
        } catch (error: ApiException) {
            error
        } catch (error: Exception) {
            throw AssertionError("$what: the SDK threw ${error::class.java.name}, not ApiException: ${redact(error.message)}")
        }
        assertNotNull(error, "$what: the SDK returned an answer, refusal expected")
        assertEquals(status, error.code, "$what: HTTP status (${describe(error)})")
        val body = try {
            JSONObject(error.responseBody)
        } catch (notJson: Exception) {
            throw AssertionError("$what: the error body is not JSON (${describe(error)})")
        }
        assertEquals(code, body.optString("code"), "$what: code (${describe(error)})")
        assertTrue(body.optString("message").isNotBlank(), "$what: no message (${describe(error)})")
        val links = body.optJSONArray("links")
        assertEquals(1, links?.length(), "$what: links (${describe(error)})")
        val link = links!!.getJSONObject(0).getString("link")
        val headers = error.responseHeaders.orEmpty().entries.associate { (name, values) -> name.lowercase() to values }
        val traceId = headers["alipay-trace-id"]?.singleOrNull()
        assertNotNull(traceId, "$what: no alipay-trace-id header")
        assertTrue(link.endsWith("traceId=$traceId"), "$what: the link $link does not name the trace id $traceId")
        // Errors are unsigned, as Alipay's are (the SDK verifies a signed one before throwing).
        assertNull(headers["alipay-signature"], "$what: a signed error")
    }

    // ---------------------------------------------------------------------------------------------
    // The flows.

    /** The whole ISV flow through the SDK's typed API classes (and one generic call), in `mode`. */
    private fun typedFlow(mode: Mode, dir: Path) {
        start(mode).use { emulator ->
            val site = Site(emulator, mode)
            val client = site.client()
            val tokens = AlipayOpenAuthTokenApi(client)
            val generic = GenericExecuteApi(client)

            // 1. The merchant's app_auth_code for its tokens, the ISV for itself.
            val code = site.merchantCode()
            val exchange = AlipayOpenAuthTokenAppModel().grantType("authorization_code").code(code)
            val exchanged = site.signed("exchange", sdk("exchange") { tokens.appWithHttpInfo(exchange, null) })
            val token = secret(assertNotNull(exchanged.appAuthToken, "exchange: no app_auth_token"))
            val refreshToken = secret(assertNotNull(exchanged.appRefreshToken, "exchange: no app_refresh_token"))
            val authAppId = assertNotNull(exchanged.authAppId, "exchange: no auth_app_id")
            assertTrue(authAppId.matches(Regex("\\d{16}")), "exchange: auth_app_id $authAppId")
            assertTrue(exchanged.userId.orEmpty().startsWith("2088"), "exchange: user_id ${exchanged.userId}")
            assertTrue((exchanged.expiresIn?.toLongOrNull() ?: 0) > 0, "exchange: expires_in ${exchanged.expiresIn}")
            assertTrue((exchanged.reExpiresIn?.toLongOrNull() ?: 0) > 0, "exchange: re_expires_in ${exchanged.reExpiresIn}")
            val element = assertNotNull(exchanged.tokens?.singleOrNull(), "exchange: tokens has ${exchanged.tokens?.size} elements, one expected")
            assertTrue(element.appAuthToken == token && element.appRefreshToken == refreshToken, "exchange: tokens[0] is not the answer's token")
            assertEquals(authAppId, element.authAppId)
            assertTrue(emulator.consoleAppAuthToken(authAppId).appAuthToken == token, "exchange: the emulator's console shows another token")
            // The code is single-use: the SDK reports the business refusal.
            refused("exchange again", 400, "code-invalid") { tokens.app(exchange) }

            // 2. The token query (the token as query parameter, not the header).
            val queried = site.signed("query", sdk("query") { AlipayOpenAuthTokenAppApi(client).queryWithHttpInfo(token, null) })
            assertEquals(authAppId, queried.authAppId)
            assertEquals(exchanged.userId, queried.userId)
            assertEquals("valid", queried.status)
            assertTrue((queried.expiresIn ?: 0) > 0, "query: expires_in ${queried.expiresIn}")
            assertTrue(!queried.authMethods.isNullOrEmpty(), "query: auth_methods ${queried.authMethods}")
            assertTrue(!queried.authStart.isNullOrBlank() && !queried.authEnd.isNullOrBlank(), "query: auth_start/auth_end")

            // 3. A user of the merchant's app: auth_code → auth_token, on the merchant's behalf.
            val oauth = AlipaySystemOauthApi(client)
            val userCode = site.userCode(authAppId)
            val user = site.signed("oauth token", sdk("oauth token") {
                oauth.tokenWithHttpInfo(AlipaySystemOauthTokenModel().grantType("authorization_code").code(userCode), delegated(token))
            })
            val accessToken = secret(assertNotNull(user.accessToken, "oauth token: no access_token"))
            val userRefresh = secret(assertNotNull(user.refreshToken, "oauth token: no refresh_token"))
            assertTrue(user.userId.orEmpty().startsWith("2088"), "oauth token: user_id ${user.userId}")
            assertTrue(!user.openId.isNullOrBlank(), "oauth token: no open_id")
            assertTrue((user.expiresIn?.toLongOrNull() ?: 0) > 0, "oauth token: expires_in ${user.expiresIn}")

            // 4. The user's profile (auth_token in the query), on the merchant's behalf.
            val profile = site.signed("user info share", sdk("user info share") {
                AlipayUserInfoApi(client).shareWithHttpInfo(accessToken, delegated(token))
            })
            assertEquals(user.userId, profile.userId)
            assertEquals(user.openId, profile.openId)

            // 5. A multipart upload for the merchant: the signed data part and the file part.
            val file = image(dir, "logo-${mode.name.lowercase()}.png", 7L + mode.ordinal)
            val bytes = file.readBytes()
            val upload = AlipayOpenFileUploadModel().bizCode("openpt_appstore").md5(md5(bytes))
            val uploaded = site.signed("upload", sdk("upload") { AlipayOpenFileApi(client).uploadWithHttpInfo(upload, file, delegated(token)) })
            val fileId = assertNotNull(uploaded.fileId, "upload: no file_id")
            val kept = assertNotNull(emulator.uploadedFile(fileId), "upload: the emulator kept no file $fileId")
            assertEquals(file.name, kept.fileName)
            assertEquals(bytes.size.toULong(), kept.size)
            assertEquals(md5(bytes), kept.md5, "upload: the bytes that arrived")
            assertEquals("openpt_appstore", kept.bizCode)
            assertEquals(authAppId, kept.authAppId, "upload: made for the merchant")

            // 6. An arbitrary merchant call through the generic API.
            val request = OpenApiGenericRequest().apply {
                appAuthToken = token
                bodyParams = mapOf("bundle_id" to "com.alipay.alipaywallet", "memo" to "杭州 \"官方\" \\ &=?")
            }
            val versions = site.signed("generic call", sdk("generic call") { generic.execute(VERSIONS_PATH, "POST", request) })
            val fields = versions as Map<*, *>
            assertEquals(listOf("0.0.1"), fields["app_versions"], "generic call: app_versions")
            assertEquals(authAppId, fields["auth_app_id"], "generic call: made for the merchant")

            // 7. Refreshes: the merchant's token, then the user's.
            val refresh = AlipayOpenAuthTokenAppModel().grantType("refresh_token").refreshToken(refreshToken)
            val refreshed = site.signed("refresh", sdk("refresh") { tokens.appWithHttpInfo(refresh, null) })
            val newToken = secret(assertNotNull(refreshed.appAuthToken, "refresh: no app_auth_token"))
            secret(refreshed.appRefreshToken)
            assertTrue(newToken != token, "refresh: the same app_auth_token again")
            assertEquals(authAppId, refreshed.authAppId)
            val requeried = site.signed("query refreshed", sdk("query refreshed") { AlipayOpenAuthTokenAppApi(client).queryWithHttpInfo(newToken, null) })
            assertEquals("valid", requeried.status)
            assertEquals(authAppId, requeried.authAppId)
            val userRefreshed = site.signed("oauth refresh", sdk("oauth refresh") {
                oauth.tokenWithHttpInfo(AlipaySystemOauthTokenModel().grantType("refresh_token").refreshToken(userRefresh), delegated(newToken))
            })
            secret(userRefreshed.refreshToken)
            assertTrue(secret(userRefreshed.accessToken).let { it != null && it != accessToken }, "oauth refresh: the same access_token again")
            assertEquals(user.userId, userRefreshed.userId)

            // Each call reached the operation it names, once (the refused second exchange included).
            for ((method, count) in listOf(
                "alipay.open.auth.token.app" to 3, "alipay.open.auth.token.app.query" to 2, "alipay.system.oauth.token" to 2,
                "alipay.user.info.share" to 1, "alipay.open.file.upload" to 1, Emulators.VERSIONS to 1,
            )) {
                assertEquals(count.toULong(), emulator.callCount(method), "calls of $method")
            }
        }
    }

    /** What the SDK reports for refused calls, and proof that its answer verification is live, in `mode`. */
    private fun errors(mode: Mode, dir: Path) {
        start(mode).use { emulator ->
            val site = Site(emulator, mode)
            val client = site.client()
            val code = site.merchantCode()
            // With AES the refusals go through its generic call with a String answer (the typed calls with AES are
            // the typed AES flow's).
            val typed = !mode.aes

            // Signed with another private key: refused before anything else, the code not consumed.
            val exchange = AlipayOpenAuthTokenAppModel().grantType("authorization_code").code(code)
            refused("another private key", 400, "invalid-signature") { AlipayOpenAuthTokenApi(site.client(privateKey = strangerPrivate)).app(exchange) }
            val exchanged = if (typed) {
                site.signed("exchange", sdk("exchange") { AlipayOpenAuthTokenApi(client).appWithHttpInfo(exchange, null) }).let {
                    secret(it.appRefreshToken)
                    secret(assertNotNull(it.appAuthToken)) to assertNotNull(it.authAppId)
                }
            } else {
                val json = JSONObject(site.signed("exchange", sdk("exchange") {
                    genericText(client, TOKEN_PATH, "POST", body = mapOf("grant_type" to "authorization_code", "code" to code))
                }))
                secret(json.optString("app_refresh_token"))
                secret(json.getString("app_auth_token")) to json.getString("auth_app_id")
            }
            val (token, authAppId) = exchanged

            // A made-up merchant token: the token query, a delegated generic call, a delegated upload.
            refused("query of a made-up token", 401, "invalid-app-auth-token") { AlipayOpenAuthTokenAppApi(client).query(madeUpToken) }
            refused("generic call with a made-up token", 401, "invalid-app-auth-token") {
                val request = OpenApiGenericRequest().apply { appAuthToken = madeUpToken; bodyParams = mapOf<String, Any>() }
                GenericExecuteApi(client).execute(VERSIONS_PATH, "POST", request)
            }
            val file = image(dir, "refused-${mode.name.lowercase()}.png", 99L)
            refused("upload with a made-up token", 401, "invalid-app-auth-token") {
                AlipayOpenFileApi(client).upload(AlipayOpenFileUploadModel().bizCode("openpt_appstore"), file, delegated(madeUpToken))
            }
            // A made-up user auth_token, for a real merchant.
            refused("user info share with a made-up auth_token", 401, "invalid-auth-token") {
                AlipayUserInfoApi(client).share("authusrB" + "0".repeat(32), delegated(token))
            }

            // The SDK verifies answers: given another Alipay public key it refuses the very answers it accepts.
            val call = { sdkClient: ApiClient ->
                if (typed) {
                    val request = OpenApiGenericRequest().apply { appAuthToken = token; bodyParams = mapOf<String, Any>() }
                    GenericExecuteApi(sdkClient).execute(VERSIONS_PATH, "POST", request)
                } else {
                    genericText(sdkClient, VERSIONS_PATH, "POST", token = token, body = mapOf())
                }
            }
            val accepted = site.signed("delegated call", sdk("delegated call") { call(client) })
            assertTrue(accepted.toString().contains(authAppId), "delegated call: made for the merchant")
            // The same success without its signature headers (the emulator's `unsigned` fault): refused.
            emulator.setFault(Fault.Unsigned, 1u)
            val unsigned = try {
                call(client)
                null
            } catch (error: ApiException) {
                error
            }
            assertNotNull(unsigned, "the SDK accepted a success answer without alipay-signature")
            assertTrue(describe(unsigned).contains("验签遭遇异常"), "the SDK's refusal of an unsigned answer: ${describe(unsigned)}")
            if (!mode.cert) {
                val error = try {
                    call(site.client(alipayPublicKey = strangerPublic))
                    null
                } catch (error: ApiException) {
                    error
                }
                assertNotNull(error, "the SDK accepted an answer under another Alipay public key")
                assertTrue(describe(error).contains("sign check fail: check Sign and Data Fail!"), "the SDK's refusal: ${describe(error)}")
                // The SDK's own status for an answer that does not verify (the HTTP status was 200): its
                // verifyResponse throws ApiException(message, 400, headers, body).
                assertEquals(400, error.code, "the SDK's status for an answer that does not verify")
            } else {
                // An answer signed under a new Alipay certificate: refused by the SDK that knows only the old one
                // (it looks the key up by the alipay-sn the answer names), accepted once given the new one.
                val before = emulator.alipayCertSn()
                val rotated = emulator.rotateAlipayCert()
                assertNotEquals(before, rotated)
                val error = try {
                    call(client)
                    null
                } catch (error: ApiException) {
                    error
                }
                assertNotNull(error, "the SDK accepted an answer signed under an Alipay certificate it was not given")
                assertTrue(describe(error).contains("支付宝公钥证书[$rotated]"), "the SDK's refusal: ${describe(error)}")
                site.signed("delegated call after rotation", sdk("delegated call after rotation") { call(site.client()) })
            }

            if (mode.aes) {
                // Another AES key: the emulator cannot decrypt the body.
                refused("another AES key", 400, "decryption-error") {
                    genericText(site.client(aesKey = otherAesKey), VERSIONS_PATH, "POST", token = token, body = mapOf("bundle_id" to "x"))
                }
            }
        }
    }

    /**
     * `GenericExecuteApi.execute` with a `TypeToken<String>`: the answer's JSON text as the SDK verified
     * (and with AES decrypted) it, whatever its content type.
     */
    private fun genericText(
        client: ApiClient,
        path: String,
        method: String,
        token: String? = null,
        query: Map<String, Any>? = null,
        body: Map<String, Any>? = null,
        files: Map<String, File>? = null,
    ): ApiResponse<String> {
        val request = OpenApiGenericRequest().apply {
            appAuthToken = token
            queryParams = query
            bodyParams = body
            fileParams = files
        }
        return GenericExecuteApi(client).execute(path, method, request, object : TypeToken<String>() {})
    }

    // ---------------------------------------------------------------------------------------------
    // The tests.

    @Test
    fun `key mode - the SDK's own client runs the merchant, user, upload and generic calls`(@TempDir dir: Path) {
        typedFlow(Mode.KEY, dir)
    }

    @Test
    fun `certificate mode - the SDK's own client runs the same flow with the emulator's certificates`(@TempDir dir: Path) {
        typedFlow(Mode.CERT, dir)
    }

    /**
     * The typed API classes with AES: the SDK reads an encrypted answer into its model only when its
     * `Content-Type` is exactly `text/plain` (this test found the emulator's `text/plain;charset=utf-8`).
     */
    @Test
    fun `AES - the SDK's typed API classes run the same flow encrypted`(@TempDir dir: Path) {
        typedFlow(Mode.AES, dir)
    }

    @Test
    fun `AES - the SDK encrypts every request and decrypts every answer of the flow (generic calls)`(@TempDir dir: Path) {
        val mode = Mode.AES
        start(mode).use { emulator ->
            val site = Site(emulator, mode)
            val client = site.client()

            val code = site.merchantCode()
            val exchanged = JSONObject(site.signed("exchange", sdk("exchange") {
                genericText(client, TOKEN_PATH, "POST", body = mapOf("grant_type" to "authorization_code", "code" to code))
            }))
            val token = secret(exchanged.getString("app_auth_token"))
            val refreshToken = secret(exchanged.getString("app_refresh_token"))
            val authAppId = exchanged.getString("auth_app_id")
            assertTrue(emulator.consoleAppAuthToken(authAppId).appAuthToken == token, "exchange: the emulator's console shows another token")

            // A GET: the SDK still says alipay-encrypt-type AES (no body), the answer comes back encrypted.
            val queried = JSONObject(site.signed("query", sdk("query") {
                genericText(client, "/v3/alipay/open/auth/token/app/query", "GET", query = mapOf("app_auth_token" to token))
            }))
            assertEquals(authAppId, queried.getString("auth_app_id"))
            assertEquals("valid", queried.getString("status"))

            val userCode = site.userCode(authAppId)
            val user = JSONObject(site.signed("oauth token", sdk("oauth token") {
                val body = mapOf("grant_type" to "authorization_code", "code" to userCode)
                genericText(client, "/v3/alipay/system/oauth/token", "POST", token = token, body = body)
            }))
            val accessToken = secret(user.getString("access_token"))
            secret(user.optString("refresh_token"))
            // A body-less POST (auth_token in the query).
            val profile = JSONObject(site.signed("user info share", sdk("user info share") {
                genericText(client, "/v3/alipay/user/info/share", "POST", token = token, query = mapOf("auth_token" to accessToken))
            }))
            assertEquals(user.getString("user_id"), profile.getString("user_id"))

            // The upload: the SDK encrypts the data part (text/plain part) and signs the ciphertext.
            val file = image(dir, "logo-aes.png", 11L)
            val bytes = file.readBytes()
            val uploaded = JSONObject(site.signed("upload", sdk("upload") {
                genericText(
                    client, "/v3/alipay/open/file/upload", "POST", token = token,
                    body = mapOf("biz_code" to "openpt_appstore", "md5" to md5(bytes)), files = mapOf("file_content" to file),
                )
            }))
            val kept = assertNotNull(emulator.uploadedFile(uploaded.getString("file_id")), "upload: the emulator kept no file")
            assertEquals(md5(bytes), kept.md5, "upload: the bytes that arrived")
            assertEquals(bytes.size.toULong(), kept.size)
            assertEquals(file.name, kept.fileName)
            assertEquals(authAppId, kept.authAppId)

            val versions = JSONObject(site.signed("generic call", sdk("generic call") {
                val body = mapOf("bundle_id" to "com.alipay.alipaywallet", "memo" to "杭州 \"加密\" \\")
                genericText(client, VERSIONS_PATH, "POST", token = token, body = body)
            }))
            assertEquals("0.0.1", versions.getJSONArray("app_versions").getString(0))
            assertEquals(authAppId, versions.getString("auth_app_id"))

            val refreshed = JSONObject(site.signed("refresh", sdk("refresh") {
                genericText(client, TOKEN_PATH, "POST", body = mapOf("grant_type" to "refresh_token", "refresh_token" to refreshToken))
            }))
            val newToken = secret(refreshed.getString("app_auth_token"))
            secret(refreshed.optString("app_refresh_token"))
            assertTrue(newToken != token, "refresh: the same app_auth_token again")
            assertEquals(authAppId, refreshed.getString("auth_app_id"))

            for ((method, count) in listOf(
                "alipay.open.auth.token.app" to 2, "alipay.open.auth.token.app.query" to 1, "alipay.system.oauth.token" to 1,
                "alipay.user.info.share" to 1, "alipay.open.file.upload" to 1, Emulators.VERSIONS to 1,
            )) {
                assertEquals(count.toULong(), emulator.callCount(method), "calls of $method")
            }
        }
    }

    @Test
    fun `key mode - refusals as the SDK reports them, and its answer verification is live`(@TempDir dir: Path) {
        errors(Mode.KEY, dir)
    }

    @Test
    fun `certificate mode - refusals as the SDK reports them, and an answer under a rotated certificate refused`(@TempDir dir: Path) {
        errors(Mode.CERT, dir)
    }

    @Test
    fun `AES - refusals as the SDK reports them, another AES key included`(@TempDir dir: Path) {
        errors(Mode.AES, dir)
    }

    private companion object {
        val strangerKeys: KeyPair by lazy { KeyPairGenerator.getInstance("RSA").apply { initialize(2048) }.generateKeyPair() }
        const val TOKEN_PATH = "/v3/alipay/open/auth/token/app"
        const val VERSIONS_PATH = "/v3/alipay/open/mini/version/list/query"
    }
}
