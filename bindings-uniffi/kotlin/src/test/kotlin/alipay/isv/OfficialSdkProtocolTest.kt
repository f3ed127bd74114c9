package alipay.isv

import alipay.isv.Apps.ACCESS_TOKEN
import alipay.isv.Apps.AES_TEXT
import alipay.isv.Apps.APP_AUTH_TOKEN
import alipay.isv.Apps.APP_ID
import alipay.isv.Apps.BIZ
import alipay.isv.Apps.NOTIFY_URL
import com.alipay.api.AlipayApiException
import com.alipay.api.AlipayConstants
import com.alipay.api.DefaultAlipayClient
import com.alipay.api.AlipayRequest
import com.alipay.api.AlipayResponse
import com.alipay.api.internal.util.AlipayLogger
import com.alipay.api.internal.util.AlipaySignature
import com.alipay.api.request.AlipayOpenAuthTokenAppRequest
import com.alipay.api.request.AlipaySystemOauthTokenRequest
import com.alipay.api.request.AlipayTradeQueryRequest
import com.alipay.api.request.AlipayUserInfoShareRequest
import com.alipay.api.request.AlipayTradeAppPayRequest
import com.alipay.api.request.AlipayTradeCreateRequest
import com.alipay.api.request.AlipayTradePagePayRequest
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.time.Duration
import java.time.LocalDateTime
import java.time.ZoneId
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Conformance of the signed-call protocol with the official Java SDK
 * (`com.alipay.sdk:alipay-sdk-java`, the version pinned in pom.xml), through `DefaultAlipayClient`
 * and `AlipaySignature`.
 *
 * - Requests: the SDK's `sdkExecute` order string, `pageExecute` GET URL and POST form, and the
 *   `execute` POST it sends (captured by a JDK HttpServer on 127.0.0.1) decode to our signed
 *   parameters. The SDK stamps `timestamp` from its clock (in GMT+8 too) and adds one parameter of
 *   its own, `alipay_sdk=alipay-sdk-java-<version>`: everything else is compared as is; then ours is
 *   re-signed with the SDK's timestamp and its `alipay_sdk` as an extra parameter, and the two
 *   signatures are byte-identical. Our `execute` split (URL query / form body) is the SDK's, except
 *   `alipay_sdk` itself (the SDK's URL, our body: it is an extra parameter to us).
 * - AES: the SDK's encrypted `biz_content` (`needEncrypt`) equals ours byte for byte.
 * - Our requests pass the gateway-side check `rsaCheckV2`; notifications we sign pass `rsaCheckV1`;
 *   a response body we sign is accepted by the SDK's `execute`, and a tampered one is refused.
 * - Every UTF-8 responses.json case is served to the SDK's `execute` by the local gateway: its
 *   verdict (success, API error, or an exception) is ours, except the named differences below.
 * - Every notifications.json case that is a verdict on the signature gets the same verdict from
 *   `rsaCheckV1`/`rsaCheckV2` as from us, except the named difference below.
 */
class OfficialSdkProtocolTest {
    init {
        // The SDK logs every call (with its parameters) to java.util.logging: keep the test output readable.
        AlipayLogger.setNeedEnableLogger(false)
    }

    private val sdkVersion = "alipay-sdk-java-4.40.734.ALL"
    private val sdkAppPrivate = JdkKeys.pkcs8Base64(Vectors.keyText("keys/app_2048_pkcs8.pem"))
    private val sdkAppPublic = JdkKeys.spkiBase64(Vectors.keyText("keys/app_2048_public.pem"))
    private val sdkAlipayPublic = JdkKeys.spkiBase64(Vectors.keyText("keys/alipay_2048_public.pem"))
    private val format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")

    /** Notification cases where `rsaCheckV1`/`rsaCheckV2` reach another verdict than ours, and why. */
    private val notificationDifferences = mapOf(
        "alipay_cert_sn_excluded_from_content" to
            "rsaCheckV1/V2 keep alipay_cert_sn in the content (only rsaCertCheckV1 drops it); we always drop it",
    )

    /** responses.json cases where the SDK's `execute` reaches another verdict than ours, and why. */
    private val responseDifferences = mapOf(
        "oversize_body_over_max_body_bytes" to "it has no body size limit",
        "aes_encrypted_success" to
            "it refuses to send alipay.user.info.share encrypted (no biz_content: \"当前API不支持加密请求\"), " +
            "so it never reads the answer; `the SDK decrypts an AES answer we sign` covers AES answers",
    )

    /** Runs [block] with a local gateway on 127.0.0.1 answering [answer]`()` and recording each request. */
    private fun <T> withGateway(
        answer: () -> ByteArray,
        block: (gateway: String, captured: List<Triple<String, String, String>>) -> T,
    ): T {
        val captured = mutableListOf<Triple<String, String, String>>()
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/gateway.do") { exchange ->
            val body = exchange.requestBody.readBytes().toString(Charsets.UTF_8)
            synchronized(captured) {
                captured += Triple(exchange.requestURI.rawQuery, body, exchange.requestHeaders.getFirst("Content-Type"))
            }
            val bytes = answer()
            exchange.responseHeaders.add("Content-Type", "application/json;charset=utf-8")
            exchange.sendResponseHeaders(200, if (bytes.isEmpty()) -1 else bytes.size.toLong())
            exchange.responseBody.use { it.write(bytes) }
        }
        server.start()
        try {
            return block("http://127.0.0.1:${server.address.port}/gateway.do", captured)
        } finally {
            server.stop(0)
        }
    }

    private fun sdkClient(gateway: String = Apps.SANDBOX, charset: String = "UTF-8", signType: String = "RSA2") =
        DefaultAlipayClient(gateway, APP_ID, sdkAppPrivate, "JSON", charset, sdkAlipayPublic, signType)

    private fun ourConfig(charset: Charset, signType: SignType, gateway: String = "sandbox") =
        IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic, signType, charset, gateway, AesKey(AES_TEXT))

    /** `alipay.trade.app.pay` in the SDK, with the inputs of [ourOptions]. */
    private fun sdkAppPay() = AlipayTradeAppPayRequest().apply {
        bizContent = BIZ
        notifyUrl = NOTIFY_URL
        putOtherTextParam("app_auth_token", APP_AUTH_TOKEN)
        putOtherTextParam("auth_token", ACCESS_TOKEN)
    }

    /** `alipay.trade.page.pay` in the SDK, with the inputs of [ourOptions]. */
    private fun sdkPagePay(returnUrl: String) = AlipayTradePagePayRequest().apply {
        bizContent = BIZ
        notifyUrl = NOTIFY_URL
        this.returnUrl = returnUrl
        putOtherTextParam("app_auth_token", APP_AUTH_TOKEN)
        putOtherTextParam("auth_token", ACCESS_TOKEN)
    }

    private fun ourOptions(returnUrl: String? = null, timestamp: String = Apps.TIMESTAMP, extra: Map<String, String> = emptyMap()) =
        CallOptions(
            appAuthToken = APP_AUTH_TOKEN,
            authToken = ACCESS_TOKEN,
            notifyUrl = NOTIFY_URL,
            returnUrl = returnUrl,
            bizContent = BIZ,
            extraParams = extra,
            timestamp = timestamp,
        )

    /**
     * Checks the SDK's decoded parameters against ours for the same method and inputs, and returns
     * our request re-signed with the SDK's timestamp and `alipay_sdk`.
     */
    private fun assertSameSignedParams(
        what: String,
        theirs: Map<String, String>,
        config: IsvConfig,
        method: String,
        returnUrl: String? = null,
    ): SignedRequest {
        assertEquals(sdkVersion, theirs["alipay_sdk"], "$what: the SDK adds alipay_sdk")
        assertEquals(AlipayConstants.SDK_VERSION, sdkVersion, "the pinned SDK is the one loaded")
        val timestamp = theirs.getValue("timestamp")
        val china = ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).toLocalDateTime()
        assertTrue(Duration.between(LocalDateTime.parse(timestamp, format), china).abs().seconds < 10, "$what: $timestamp")
        val ours = config.signRequest(method, ourOptions(returnUrl)).params()
        assertEquals(ours - setOf("timestamp", "sign"), theirs - setOf("timestamp", "sign", "alipay_sdk"), what)
        // Their signature verifies with our verifier; ours passes the gateway-side check of the SDK.
        val charset = config.charset()
        Verifier(Apps.appPublic, config.signType(), charset).verify(signContent(theirs), theirs.getValue("sign"))
        assertTrue(AlipaySignature.rsaCheckV2(HashMap(ours), sdkAppPublic, charset.toString(), config.signType().toString()), what)
        // Given the SDK's clock and its extra parameter, we produce its exact parameters, sign included.
        val same = config.signRequest(method, ourOptions(returnUrl, timestamp, mapOf("alipay_sdk" to sdkVersion)))
        assertEquals(theirs, same.params(), "$what: byte-identical signed parameters")
        return same
    }

    @Test
    fun `sdkExecute order strings decode to our params`() {
        for (charset in listOf(Charset.UTF8, Charset.GBK)) {
            for (signType in listOf(SignType.RSA2, SignType.RSA)) {
                val what = "sdkExecute $charset $signType"
                val client = sdkClient(charset = charset.toString(), signType = signType.toString())
                val order = client.sdkExecute(sdkAppPay()).body
                val theirs = Apps.decodeForm(order, charset.toString())
                val same = assertSameSignedParams(what, theirs, ourConfig(charset, signType), "alipay.trade.app.pay")
                assertEquals(Apps.decodeForm(same.orderString(), charset.toString()), theirs, what)
            }
        }
    }

    @Test
    fun `pageExecute GET url and POST form decode to our params`() {
        val returnUrl = "https://isv.example.com/return"
        for (charset in listOf(Charset.UTF8, Charset.GBK)) {
            val config = ourConfig(charset, SignType.RSA2)
            val client = sdkClient(charset = charset.toString())
            val url = client.pageExecute(sdkPagePay(returnUrl), "GET").body
            val (gateway, theirs) = Apps.splitUrl(url, charset.toString())
            assertEquals(Apps.SANDBOX, gateway)
            val same = assertSameSignedParams("pageExecute GET $charset", theirs, config, "alipay.trade.page.pay", returnUrl)
            assertEquals(theirs, Apps.splitUrl(same.pageUrl(), charset.toString()).second)

            val form = client.pageExecute(sdkPagePay(returnUrl)).body
            val (action, inputs) = Apps.readForm(form)
            val (formGateway, query) = Apps.splitUrl(action, charset.toString())
            assertEquals(Apps.SANDBOX, formGateway)
            val formParams = query + inputs
            assertSameSignedParams("pageExecute POST $charset", formParams, config, "alipay.trade.page.pay", returnUrl)
            val (ourAction, ourInputs) = Apps.readForm(config.signRequest("alipay.trade.page.pay", ourOptions(returnUrl)).pageForm())
            // Same hidden inputs, except auth_token: the SDK was given it as a text param (form input), ours is a system param.
            assertEquals(inputs.keys - "auth_token", ourInputs.keys, "page form inputs")
            assertTrue("auth_token" in Apps.splitUrl(ourAction, charset.toString()).second)
        }
    }

    @Test
    fun `execute against a local gateway - same request, and our signed response is accepted`() {
        val alipaySigner = Signer(Apps.alipayPrivate)
        val node = """{"code":"10000","msg":"Success","trade_no":"2026112122001412345678901234","out_trade_no":"20261121150405000001"}"""
        var answer = """{"alipay_trade_create_response":$node,"sign":"${alipaySigner.sign(node)}"}"""
        withGateway({ answer.toByteArray() }) { gateway, captured ->
            val client = sdkClient(gateway)
            val request = AlipayTradeCreateRequest()
            request.bizContent = BIZ
            request.notifyUrl = NOTIFY_URL
            val response = client.execute(request, ACCESS_TOKEN, APP_AUTH_TOKEN)
            assertTrue(response.isSuccess, response.body)
            assertEquals("2026112122001412345678901234", response.tradeNo)
            // What the SDK sent: the URL query and the form body, split as ours.
            val (rawQuery, rawBody, contentType) = captured.single()
            val query = Apps.decodeForm(rawQuery)
            val body = Apps.decodeForm(rawBody)
            val config = ourConfig(Charset.UTF8, SignType.RSA2, gateway)
            val ours = config.signRequest("alipay.trade.create", ourOptions())
            val http = ours.httpRequest()
            assertEquals(Apps.splitUrl(http.url).second.keys, query.keys - "alipay_sdk", "URL query parameters")
            assertEquals(Apps.decodeForm(http.body).keys, body.keys, "form body parameters")
            assertTrue(contentType.startsWith("application/x-www-form-urlencoded;charset=") && contentType.endsWith("UTF-8", true))
            assertTrue(http.contentType.startsWith("application/x-www-form-urlencoded;charset="))
            assertSameSignedParams("execute", query + body, config, "alipay.trade.create")
            // Our verifier accepts the same body the SDK accepted.
            val verified = config.responseVerifier().verify("alipay.trade.create", answer.toByteArray())
            assertEquals("2026112122001412345678901234", verified.fields["trade_no"])
            // A tampered body: the SDK refuses it, and so do we.
            answer = answer.replace("20261121150405000001", "20261121150405000002")
            assertThrows<AlipayApiException> { client.execute(request, ACCESS_TOKEN, APP_AUTH_TOKEN) }
            assertThrows<AlipayException.Signature> { config.responseVerifier().verify("alipay.trade.create", answer.toByteArray()) }
            // The node's raw text, as it appears in the body, is what both verify.
            assertTrue(AlipaySignature.rsaCheck(node, alipaySigner.sign(node), sdkAlipayPublic, "UTF-8", "RSA2"))
        }
    }

    @Test
    fun `the SDK decrypts an AES answer we sign`() {
        val plain = """{"code":"10000","msg":"Success","trade_no":"2026112122001412345678901234","buyer_user_id":"2088102000000001"}"""
        // The node is a JSON string of Base64 ciphertext; the signature covers it with its quotes.
        val node = "\"" + AesKey(AES_TEXT).encrypt(plain.toByteArray()) + "\""
        val answer = """{"alipay_trade_query_response":$node,"sign":"${Signer(Apps.alipayPrivate).sign(node)}"}"""
        withGateway({ answer.toByteArray() }) { gateway, captured ->
            val client = sdkClient(gateway)
            client.setEncryptKey(AES_TEXT)
            val request = AlipayTradeQueryRequest().apply { bizContent = """{"out_trade_no":"20261121150405000001"}""" }
            request.setNeedEncrypt(true)
            val response = client.execute(request)
            assertTrue(response.isSuccess, response.body)
            assertEquals("2088102000000001", response.buyerUserId)
            val sent = Apps.decodeForm(captured.single().first) + Apps.decodeForm(captured.single().second)
            assertEquals("AES", sent["encrypt_type"])
            val ours = ourConfig(Charset.UTF8, SignType.RSA2, gateway).responseVerifier()
                .verify("alipay.trade.query", answer.toByteArray())
            assertEquals("2088102000000001", ours.fields["buyer_user_id"])
        }
    }

    /** An SDK request for a responses.json method. */
    private fun sdkRequestFor(method: String): AlipayRequest<out AlipayResponse> = when (method) {
        "alipay.open.auth.token.app" -> AlipayOpenAuthTokenAppRequest().apply { bizContent = "{}" }
        "alipay.system.oauth.token" -> AlipaySystemOauthTokenRequest().apply { grantType = "authorization_code"; code = "c" }
        "alipay.user.info.share" -> AlipayUserInfoShareRequest()
        "alipay.trade.query" -> AlipayTradeQueryRequest().apply { bizContent = "{}" }
        else -> error("no SDK request class for $method: add one")
    }

    @Test
    fun `the SDK's execute reaches our verdict on the response vectors`() {
        var compared = 0
        val mismatches = mutableListOf<String>()
        var body = ByteArray(0)
        withGateway({ body }) { gateway, _ ->
            for (case in Vectors.responseCases) {
                val name = case.getString("name")
                if (case.getString("charset") != "UTF-8") continue // the SDK reads every answer as its client charset
                val expect = case.getString("expect")
                body = Vectors.body(case)
                val client = sdkClient(gateway)
                Vectors.optText(case, "aes_key")?.let { client.setEncryptKey(it) }
                val request = sdkRequestFor(case.getString("method"))
                if (!case.isNull("aes_key")) request.setNeedEncrypt(true)
                val sdk = try {
                    if (client.execute(request).isSuccess) "ok" else "api_error"
                } catch (refused: AlipayApiException) {
                    "refused"
                } catch (refused: RuntimeException) {
                    "refused" // the SDK wraps some verification failures in a RuntimeException
                }
                val ours = when (expect) {
                    "ok", "api_error" -> expect
                    else -> "refused"
                }
                if (name in responseDifferences) {
                    if (sdk == ours) mismatches += "$name is a named difference but the SDK now agrees ($sdk): drop it"
                } else {
                    if (sdk != ours) mismatches += "$name: ours $ours, the SDK $sdk"
                    compared++
                }
            }
        }
        assertEquals(emptyList(), mismatches)
        assertTrue(responseDifferences.keys.all { name -> Vectors.responseCases.any { it.getString("name") == name } })
        assertEquals(2, responseDifferences.size)
        assertTrue(compared >= 20, "compared $compared")
    }

    @Test
    fun `the SDK's AES biz_content equals ours`() {
        val client = sdkClient()
        client.setEncryptKey(AES_TEXT)
        val request = sdkAppPay()
        request.setNeedEncrypt(true)
        val theirs = Apps.decodeForm(client.sdkExecute(request).body)
        assertEquals("AES", theirs["encrypt_type"])
        val config = ourConfig(Charset.UTF8, SignType.RSA2)
        val ours = config.signRequest(
            "alipay.trade.app.pay",
            ourOptions(timestamp = theirs.getValue("timestamp"), extra = mapOf("alipay_sdk" to sdkVersion)).copy(encrypt = true),
        )
        assertEquals(theirs.getValue("biz_content"), ours.param("biz_content"))
        assertEquals(theirs, ours.params(), "byte-identical encrypted and signed parameters")
        assertEquals(BIZ, AesKey(AES_TEXT).decrypt(theirs.getValue("biz_content")).toString(Charsets.UTF_8))
    }

    @Test
    fun `rsaCheckV1 accepts notifications we sign`() {
        val signer = Signer(Apps.alipayPrivate)
        for (charset in listOf("UTF-8", "GBK")) {
            val params = mapOf(
                "notify_type" to "trade_status_sync",
                "notify_id" to "2026112100222150421000000000000001",
                "subject" to "年货 & <礼盒>",
                "total_amount" to "88.88",
                "passback_params" to "a%3Db%26c",
                "charset" to charset,
                "empty" to "",
            )
            val signedWith = Signer(Apps.alipayPrivate, charset = parseCharset(charset))
            val full = params + mapOf("sign" to signedWith.signParams(params).sign, "sign_type" to "RSA2")
            assertTrue(AlipaySignature.rsaCheckV1(HashMap(full), sdkAlipayPublic, charset, "RSA2"), charset)
            assertNotNull(Apps.config().notificationVerifier().verifyParams(full))
            val tampered = full + ("total_amount" to "88.89")
            assertFalse(AlipaySignature.rsaCheckV1(HashMap(tampered), sdkAlipayPublic, charset, "RSA2"))
        }
        // A V2 message (sign_type signed): rsaCheckV2 accepts it and so do we.
        val message = mapOf("msg_method" to "alipay.open.auth.appauth.cancelled", "biz_content" to "{}", "sign_type" to "RSA2")
        val v2 = message + ("sign" to signer.signParams(message).sign)
        assertTrue(AlipaySignature.rsaCheckV2(HashMap(v2), sdkAlipayPublic, "UTF-8", "RSA2"))
        val notification = Apps.config().notificationVerifier().verifyParams(v2)
        assertTrue(notification is Notification.Message && notification.isAppAuthCancelled)
    }

    @Test
    fun `the SDK reaches our verdict on the notification vectors`() {
        var compared = 0
        for (case in Vectors.notificationCases) {
            val name = case.getString("name")
            val expect = case.getString("expect")
            if (expect == "protocol_error") continue // a parse-level refusal: the SDK only ever sees a decoded map
            val raw = Vectors.body(case).toString(Charsets.ISO_8859_1)
            val charset = if (Apps.decodeForm(raw, "ISO-8859-1")["charset"].equals("GBK", true)) "GBK" else "UTF-8"
            val params = HashMap(Apps.decodeForm(raw, charset))
            val signType = params["sign_type"] ?: "RSA2"
            val sdk = runCatching {
                AlipaySignature.rsaCheckV1(HashMap(params), sdkAlipayPublic, charset, signType) ||
                    AlipaySignature.rsaCheckV2(HashMap(params), sdkAlipayPublic, charset, signType)
            }.getOrDefault(false)
            if (name in notificationDifferences) {
                assertFalse(sdk == (expect == "ok"), "$name is a named difference but the SDK now agrees: drop it")
            } else {
                assertEquals(expect == "ok", sdk, name)
                compared++
            }
        }
        assertEquals(1, notificationDifferences.size)
        assertTrue(compared >= 14, "compared $compared")
        assertTrue(notificationDifferences.keys.all { name -> Vectors.notificationCases.any { it.getString("name") == name } })
    }
}
