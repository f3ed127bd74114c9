package alipay.isv

import alipay.isv.Apps.ACCESS_TOKEN
import alipay.isv.Apps.AES_TEXT
import alipay.isv.Apps.APP_AUTH_TOKEN
import alipay.isv.Apps.APP_ID
import alipay.isv.Apps.BIZ
import alipay.isv.Apps.NOTIFY_URL
import alipay.isv.Apps.SANDBOX
import alipay.isv.Apps.SYSTEM
import alipay.isv.Apps.TIMESTAMP
import java.time.Duration
import java.time.LocalDateTime
import java.time.ZoneId
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import java.util.TimeZone
import java.util.concurrent.Executors
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The app configuration and request building (core `config`, `request`, `aes`). */
class RequestTest {
    private fun signed(charset: Charset = Charset.UTF8, options: CallOptions = Apps.tradeOptions()): SignedRequest =
        Apps.config(charset).signRequest("alipay.trade.create", options)

    // ------------------------------------------------------------------ configuration

    @Test
    fun `config defaults and accessors`() {
        val config = IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic)
        assertEquals(APP_ID, config.appId())
        assertEquals(SignType.RSA2, config.signType())
        assertEquals(Charset.UTF8, config.charset())
        assertEquals("https://openapi.alipay.com/gateway.do", config.gateway())
        assertEquals(Apps.alipayPublic, config.alipayPublicKey())
        assertEquals(SANDBOX, Apps.config().gateway())
        val custom = IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = "http://127.0.0.1:8080/gw")
        assertEquals("http://127.0.0.1:8080/gw", custom.gateway())
        val legacy = IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic, signType = SignType.RSA, charset = Charset.GBK)
        assertEquals(SignType.RSA, legacy.signType())
        assertEquals(Charset.GBK, legacy.charset())
    }

    @Test
    fun `the app's own public key is refused as the Alipay key`() {
        val error = assertThrows<AlipayException.Config> { IsvConfig(APP_ID, Apps.appPrivate, Apps.appPublic) }
        assertContains(error.reason(), "app's own public key")
        assertContains(error.reason(), Apps.appPublic.fingerprint())
    }

    @Test
    fun `bad options are config errors naming the option`() {
        val cases: List<Pair<() -> Unit, String>> = listOf(
            { IsvConfig("", Apps.appPrivate, Apps.alipayPublic); Unit } to "app_id",
            { IsvConfig("20210000x", Apps.appPrivate, Apps.alipayPublic); Unit } to "app_id",
            { IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic, gateway = "staging"); Unit } to "gateway",
            { IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic, maxBodyBytes = 0uL); Unit } to "max_body_bytes",
            { AesKey("c2hvcnQ="); Unit } to "AES",
        )
        for ((build, words) in cases) {
            val error = assertThrows<AlipayException.Config> { build() }
            assertContains(error.reason(), words)
        }
    }

    @Test
    fun `config toString shows fingerprints only`() {
        val shown = Apps.config().toString()
        assertContains(shown, APP_ID)
        assertContains(shown, Apps.appPublic.fingerprint())
        assertContains(shown, Apps.alipayPublic.fingerprint())
        assertContains(shown, "aes=true")
        assertFalse(shown.contains(AES_TEXT) || shown.contains("MII"), shown)
    }

    // ------------------------------------------------------------------ parameters

    @Test
    fun `a fixed timestamp gives exactly these params`() {
        val request = signed()
        val params = request.params()
        val expected = mapOf(
            "app_id" to APP_ID,
            "method" to "alipay.trade.create",
            "format" to "JSON",
            "charset" to "UTF-8",
            "sign_type" to "RSA2",
            "timestamp" to TIMESTAMP,
            "version" to "1.0",
            "notify_url" to NOTIFY_URL,
            "app_auth_token" to APP_AUTH_TOKEN,
            "auth_token" to ACCESS_TOKEN,
            "biz_content" to BIZ,
        )
        assertEquals(expected, params - "sign")
        assertEquals(signContent(params), request.signContent())
        Verifier(Apps.appPublic).verify(request.signContent(), params.getValue("sign"))
        assertEquals(params, signed().params(), "deterministic")
        assertEquals(APP_AUTH_TOKEN, request.param("app_auth_token"))
        assertNull(request.param("return_url"))
    }

    @Test
    fun `call options default to nothing and extra params are top-level`() {
        assertEquals(CallOptions(null, null, null, null, null, emptyMap(), false, null), CallOptions())
        val plain = Apps.config().signRequest("alipay.user.info.share")
        assertFalse("biz_content" in plain.params())
        assertEquals(19, plain.params().getValue("timestamp").length)
        val oauth = Apps.config().signRequest(
            "alipay.system.oauth.token",
            CallOptions(
                appAuthToken = APP_AUTH_TOKEN,
                extraParams = mapOf("grant_type" to "authorization_code", "code" to "4b203fe6c11548bcabd8da5bb087a83b"),
                timestamp = TIMESTAMP,
            ),
        )
        assertEquals("authorization_code", oauth.param("grant_type"))
        assertFalse("biz_content" in oauth.params())
        assertFalse("return_url" in Apps.config().signRequest("a.b", CallOptions(returnUrl = "")).params())
    }

    @Test
    fun `bad call options and methods are config errors`() {
        val config = IsvConfig(APP_ID, Apps.appPrivate, Apps.alipayPublic)
        val cases = listOf(
            CallOptions(extraParams = mapOf("app_id" to "1")) to "collides",
            CallOptions(extraParams = mapOf("sign" to "1")) to "collides",
            CallOptions(timestamp = "2026-11-21T23:04:05") to "timestamp",
            CallOptions(encrypt = true, bizContent = "{}") to "AES",
        )
        for ((options, words) in cases) {
            val error = assertThrows<AlipayException.Config> { config.signRequest("alipay.trade.create", options) }
            assertContains(error.reason(), words)
        }
        for (method in listOf("", "  ", "alipay.trade create")) {
            val error = assertThrows<AlipayException.Config> { config.signRequest(method) }
            assertContains(error.reason(), "method")
        }
        val gbk = assertThrows<AlipayException.Config> {
            Apps.config(Charset.GBK).signRequest("a.b", CallOptions(bizContent = """{"subject":"😀"}"""))
        }
        assertContains(gbk.reason(), "GBK")
    }

    // ------------------------------------------------------------------ the three outputs

    @Test
    fun `the http request splits system and application params`() {
        for (charset in listOf(Charset.UTF8, Charset.GBK)) {
            val name = charset.toString()
            val request = signed(charset, Apps.tradeOptions().copy(extraParams = mapOf("grant_type" to "authorization_code")))
            val http = request.httpRequest()
            assertEquals("application/x-www-form-urlencoded;charset=$name", http.contentType)
            val (gateway, query) = Apps.splitUrl(http.url, name)
            val body = Apps.decodeForm(http.body, name)
            assertEquals(SANDBOX, gateway)
            assertTrue(SYSTEM.containsAll(query.keys), "$query")
            assertTrue(body.keys.none { it in SYSTEM }, "$body")
            assertTrue(body.keys.containsAll(listOf("biz_content", "app_auth_token", "grant_type")))
            assertTrue(query.keys.containsAll(listOf("sign", "auth_token", "notify_url")))
            assertEquals(request.params(), query + body)
            assertEquals(query.keys.sorted(), query.keys.toList())
            assertEquals(body.keys.sorted(), body.keys.toList())
            assertTrue((http.url + http.body).all { it.code < 128 }, "fully percent-encoded")
        }
    }

    @Test
    fun `GBK requests are signed and encoded in GBK`() {
        val request = signed(Charset.GBK)
        assertEquals("GBK", request.param("charset"))
        Verifier(Apps.appPublic, charset = Charset.GBK).verify(request.signContent(), request.param("sign")!!)
        assertContains(request.orderString(), "%C4%EA") // 年 in GBK
        assertNotEquals(signed().param("sign"), request.param("sign"))
    }

    @Test
    fun `the page url carries every param`() {
        for (charset in listOf(Charset.UTF8, Charset.GBK)) {
            val request = signed(charset)
            val (gateway, params) = Apps.splitUrl(request.pageUrl(), charset.toString())
            assertEquals(SANDBOX, gateway)
            assertEquals(request.params(), params)
        }
    }

    @Test
    fun `the page form is HTML-escaped and decodes to the params`() {
        val request = signed()
        val form = request.pageForm()
        val (action, inputs) = Apps.readForm(form)
        val (gateway, query) = Apps.splitUrl(action)
        assertEquals(SANDBOX, gateway)
        assertEquals(request.params(), query + inputs)
        assertEquals(setOf("biz_content", "app_auth_token"), inputs.keys)
        assertContains(form, "&quot;")
        assertContains(form, "&lt;")
        assertFalse(form.contains("\"精选\""))
        assertContains(form, "name=\"punchout_form\" method=\"post\"")
        assertTrue(form.trimEnd().endsWith("<script>document.forms[0].submit();</script>"))
    }

    @Test
    fun `the order string is sorted and decodes to the params`() {
        val request = signed()
        val order = request.orderString()
        val params = Apps.decodeForm(order)
        assertEquals(request.params(), params)
        assertEquals(params.keys.sorted(), params.keys.toList())
        if ('+' in request.param("sign")!!) assertContains(order, "%2B")
    }

    // ------------------------------------------------------------------ AES

    @Test
    fun `AES request round trip`() {
        val request = signed(options = Apps.tradeOptions().copy(encrypt = true))
        val params = request.params()
        assertEquals("AES", params["encrypt_type"])
        assertNotEquals(BIZ, params["biz_content"])
        assertEquals(BIZ, AesKey(AES_TEXT).decrypt(params.getValue("biz_content")).toString(Charsets.UTF_8))
        Verifier(Apps.appPublic).verify(request.signContent(), params.getValue("sign"))
        assertTrue("encrypt_type" in Apps.splitUrl(request.httpRequest().url).second)
    }

    @Test
    fun `AES keys round trip, match the JDK and fail typed`() {
        val key = AesKey(AES_TEXT)
        for (plain in listOf(ByteArray(0), ByteArray(80) { it.toByte() }, "中文 json".toByteArray())) {
            assertTrue(plain.contentEquals(key.decrypt(key.encrypt(plain))))
        }
        // An independent AES-CBC (the JDK's) with the zero IV gives the same ciphertext.
        val jdk = javax.crypto.Cipher.getInstance("AES/CBC/PKCS5Padding")
        jdk.init(
            javax.crypto.Cipher.ENCRYPT_MODE,
            javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(AES_TEXT), "AES"),
            javax.crypto.spec.IvParameterSpec(ByteArray(16)),
        )
        val expected = java.util.Base64.getEncoder().encodeToString(jdk.doFinal(BIZ.toByteArray()))
        assertEquals(expected, key.encrypt(BIZ.toByteArray()))
        assertEquals(128u, key.bits())
        assertEquals("AesKey(bits=128)", key.toString())
        assertEquals("AesKey(bits=256)", AesKey("A".repeat(43) + "=").toString())
        assertThrows<AlipayException.Protocol> { AesKey("AAAAAAAAAAAAAAAAAAAAAA==").decrypt(key.encrypt("{\"code\":\"10000\"}".toByteArray())) }
        assertThrows<AlipayException.Protocol> { key.decrypt("not base64!") }
        for (bad in listOf("", "short", "A".repeat(30))) assertThrows<AlipayException.Config> { AesKey(bad) }
    }

    // ------------------------------------------------------------------ timestamp

    private val format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")

    /** Now in UTC+8, computed by java.time, not by this project. */
    private fun chinaNow(): LocalDateTime = ZonedDateTime.now(ZoneId.of("Asia/Shanghai")).toLocalDateTime()

    private fun assertCloseToChinaNow(text: String) {
        val stamp = LocalDateTime.parse(text, format)
        assertTrue(Duration.between(stamp, chinaNow()).abs().seconds < 5, "$text vs ${chinaNow()}")
    }

    @Test
    fun `the timestamp is China time with the JVM elsewhere`() {
        val saved = TimeZone.getDefault()
        for (zone in listOf("America/Los_Angeles", "UTC", "Pacific/Kiritimati")) {
            try {
                TimeZone.setDefault(TimeZone.getTimeZone(zone))
                val local = LocalDateTime.now()
                assertTrue(Duration.between(local, chinaNow()).abs().toHours() >= 1, "TZ=$zone did not apply")
                assertCloseToChinaNow(chinaTimestampNow())
                assertCloseToChinaNow(Apps.config().signRequest("a.b").param("timestamp")!!)
            } finally {
                TimeZone.setDefault(saved)
            }
        }
        // Surefire starts this JVM in America/Los_Angeles (pom.xml argLine).
        assertEquals("America/Los_Angeles", System.getProperty("user.timezone"))
    }

    @Test
    fun `timestamps format and parse in China time`() {
        assertEquals("1970-01-01 08:00:00", chinaTimestamp(0))
        assertEquals("2026-11-21 23:04:05", chinaTimestamp(1_795_273_445))
        val fromJdk = ZonedDateTime.of(LocalDateTime.parse(TIMESTAMP, format), ZoneId.of("Asia/Shanghai")).toEpochSecond()
        assertEquals(fromJdk, parseChinaTimestamp(TIMESTAMP))
        assertNull(parseChinaTimestamp("2026-11-21T23:04:05"))
    }

    // ------------------------------------------------------------------ secrets and threads

    @Test
    fun `toString never shows tokens`() {
        val request = signed()
        val http = request.httpRequest()
        val options = Apps.tradeOptions()
        for (shown in listOf(request.toString(), http.toString(), options.toString())) {
            assertFalse(shown.contains(APP_AUTH_TOKEN.take(12)), shown)
            assertFalse(shown.contains(ACCESS_TOKEN.take(12)), shown)
            assertFalse(shown.contains(request.param("sign")!!.take(16)), shown)
            assertFalse(shown.contains("精选"), shown)
        }
        assertContains(request.toString(), "alipay.trade.create")
        assertContains(request.toString(), "\"app_auth_token\"")
        assertTrue(http.toString().startsWith("HttpRequest(url=$SANDBOX?…, bodyBytes="), http.toString())
        assertContains(options.toString(), "appAuthToken=2026…(35 chars)")
        // Records stay plain data: equality and copy work on the values.
        assertEquals(options, options.copy())
        assertIs<Map<String, String>>(options.extraParams)
    }

    @Test
    fun `signing from several threads`() {
        val config = Apps.config()
        val pool = Executors.newFixedThreadPool(4)
        try {
            val signs = (1..16).map { n ->
                pool.submit<String> {
                    config.signRequest("a.b", CallOptions(bizContent = "{\"n\":${n % 2}}", timestamp = TIMESTAMP)).param("sign")
                }
            }.map { it.get() }
            assertEquals(2, signs.toSet().size)
        } finally {
            pool.shutdown()
        }
    }
}
