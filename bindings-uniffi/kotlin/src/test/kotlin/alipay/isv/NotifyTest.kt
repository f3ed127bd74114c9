package alipay.isv

import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Application-gateway notifications (core `notify`): every notifications.json and real_notifications.json
 * case, typed results (authorisations, plugin authorisations, messages, service-market orders), the answers.
 */
class NotifyTest {
    private fun verifierFor(case: JSONObject) =
        NotificationVerifier(PublicKey.fromText(Vectors.keyText(case.getString("alipay_public_key"))))

    /** The body decoded by the JDK in the charset it names (what a servlet container hands over). */
    private fun decodedParams(body: ByteArray): Map<String, String> {
        val latin = Apps.decodeForm(body.toString(Charsets.ISO_8859_1), "ISO-8859-1")
        val charset = if (latin["charset"].equals("GBK", ignoreCase = true)) "GBK" else "UTF-8"
        return Apps.decodeForm(body.toString(Charsets.ISO_8859_1), charset)
    }

    private fun assertCase(name: String, case: JSONObject, notification: Notification) {
        assertEquals(case.getString("kind"), notification.kind(), name)
        val params = when (notification) {
            is Notification.AppAuth -> notification.params
            is Notification.Message -> notification.params
            is Notification.ServiceMarketOrder -> notification.params
            is Notification.Other -> notification.params
        }
        val expected = case.getJSONObject("params")
        for (key in expected.keySet()) assertEquals(expected.getString(key), params[key], "$name.$key")
        when (notification) {
            is Notification.AppAuth -> {
                val detail = case.getJSONObject("detail")
                val got = notification.detail
                assertEquals(detail.getString("app_auth_token"), got.appAuthToken, name)
                assertEquals(detail.getString("app_refresh_token"), got.appRefreshToken, name)
                assertEquals(detail.getString("user_id"), got.userId, name)
                assertEquals(detail.getString("auth_app_id"), got.authAppId, name)
                assertEquals(detail.getLong("expires_in"), got.expiresIn, name)
                assertEquals(detail.getLong("re_expires_in"), got.reExpiresIn, name)
                assertEquals(detail.getLong("auth_time"), got.authTime, name)
                assertEquals(detail.getString("app_auth_code"), got.appAuthCode, name)
                assertEquals(params["notify_id"], notification.notifyId, name)
            }
            is Notification.Message -> {
                assertEquals(case.getString("msg_method"), notification.msgMethod, name)
                assertEquals(notification.msgMethod == "alipay.open.auth.appauth.cancelled", notification.isAppAuthCancelled)
                val biz = params["biz_content"]
                if (biz != null) assertTrue(JSONObject(biz).similar(JSONObject(notification.bizContentJson!!)), name)
            }
            is Notification.ServiceMarketOrder -> assertOrder(name, case.getJSONObject("order"), notification)
            is Notification.Other -> {}
        }
    }

    /** Every field of a case's `order` object (snake_case, null when absent), and the typing rules of the rest. */
    private fun assertOrder(name: String, order: JSONObject, got: Notification.ServiceMarketOrder) {
        val typed: Map<String, Any?> = mapOf(
            "notify_id" to got.notifyId,
            "commodity_order_id" to got.commodityOrderId,
            "merchant_pid" to got.merchantPid,
            "merchant_name" to got.merchantName,
            "consumer_mini_app_id" to got.consumerMiniAppId,
            "title" to got.title,
            "total_price" to got.totalPrice,
            "order_item_num" to got.orderItemNum?.toLong(),
            "order_ticket" to got.orderTicket,
        )
        assertTrue(order.keySet().isNotEmpty(), name)
        for (key in order.keySet()) {
            assertTrue(key in typed, "$name: the order field $key is not asserted by this test")
            val expected: Any? = when {
                order.isNull(key) -> null
                key == "order_item_num" -> order.getLong(key)
                else -> order.getString(key)
            }
            assertEquals(expected, typed[key], "$name.order.$key")
        }
        // The rest comes from the verified parameters as they were sent; an empty value is null.
        val params = got.params
        fun sent(key: String): String? = params[key]?.takeIf { it.isNotEmpty() }
        assertEquals(sent("notify_time"), got.notifyTime, name)
        assertEquals(sent("app_id"), got.appId, name)
        assertEquals(sent("order_time"), got.orderTime, name)
        assertEquals(sent("item_code"), got.itemCode, name)
        assertEquals(sent("specifications"), got.specifications, name)
        assertEquals(sent("period_day")?.toUInt(), got.periodDay, name)
        assertEquals(sent("service_code"), got.serviceCode, name)
        assertEquals(sent("isv_ticket"), got.isvTicket, name)
        assertEquals(sent("contactor"), got.contactor, name)
        assertEquals(sent("phone"), got.phone, name)
        assertEquals(sent("name"), got.merchantName, name)
        assertEquals(sent("consumer_miniAppId"), got.consumerMiniAppId, name)
        // toString: the personal fields by their length only, the order itself shown.
        val text = got.toString()
        for (personal in listOfNotNull(got.contactor, got.phone)) assertFalse(text.contains(personal), "$name: $text")
        got.phone?.let { assertContains(text, "phone=${shown("phone", it)}") }
        got.contactor?.let { assertContains(text, "contactor=${shown("contactor", it)}") }
        assertContains(text, "commodityOrderId=${got.commodityOrderId}")
    }

    /** Genuine notifications published in the official SDKs' test suites, with the form each was signed in. */
    @Test
    fun `every real signed notification verifies in its form and every tampered twin fails`() {
        val cases = Vectors.realNotificationCases
        assertTrue(cases.count { it.getString("expect") == "ok" } >= 5, "genuine samples")
        assertTrue(cases.count { it.optString("kind") == "servicemarket_order" } >= 2, "genuine orders")
        assertTrue(cases.count { it.getString("expect") == "signature_error" } >= 5, "tampered twins")
        for (case in cases) {
            val name = case.getString("name")
            val body = Vectors.body(case)
            val outcome = runCatching { verifierFor(case).verifyBodyWithForm(body) }
            when (val expect = case.getString("expect")) {
                "ok" -> {
                    val verified = outcome.getOrElse { fail("$name: ${it.message}") }
                    assertEquals(case.getString("signed_form"), verified.signedForm, name)
                    assertCase(name, case, verified.notification)
                    val byParams = verifierFor(case).verifyParamsWithForm(decodedParams(body))
                    assertEquals(case.getString("signed_form"), byParams.signedForm, "$name (params)")
                    assertCase("$name (params)", case, byParams.notification)
                    assertEquals(verified, byParams, "$name: the same notification by body and by params")
                }
                "signature_error" -> assertIs<AlipayException.Signature>(outcome.exceptionOrNull(), name)
                else -> fail("$name: unknown expectation $expect")
            }
        }
    }

    @Test
    fun `every notifications json case, by body and by decoded params`() {
        val seen = mutableMapOf<String, Int>()
        for (case in Vectors.notificationCases) {
            val name = case.getString("name")
            val expect = case.getString("expect")
            val body = Vectors.body(case)
            val outcome = runCatching { verifierFor(case).verifyBody(body) }
            val error = outcome.exceptionOrNull()
            when (expect) {
                "ok" -> {
                    val notification = outcome.getOrElse { fail("$name: ${it.message}") }
                    seen.merge(notification.kind(), 1, Int::plus)
                    assertCase(name, case, notification)
                    // A web framework's decoded parameters verify the same way.
                    assertCase("$name (params)", case, verifierFor(case).verifyParams(decodedParams(body)))
                }
                "signature_error" -> assertIs<AlipayException.Signature>(error, "$name: $error")
                "protocol_error" -> assertIs<AlipayException.Protocol>(error, "$name: $error")
                else -> fail("$name: unknown expectation $expect")
            }
            seen.merge(expect, 1, Int::plus)
        }
        assertEquals(Vectors.notificationCases.size, listOf("ok", "signature_error", "protocol_error").sumOf { seen[it] ?: 0 })
        assertTrue(listOf("app_auth", "message", "other").all { (seen[it] ?: 0) > 0 }, "$seen")
    }

    @Test
    fun `a notification we sign verifies, tampering does not, and toString masks the tokens`() {
        val signer = Signer(Apps.alipayPrivate)
        val biz = """{"notify_context":{},"detail":{"app_auth_token":"202611BBsecret0000000000000000000X21",""" +
            """"app_refresh_token":"202611BBrefresh000000000000000000R21","user_id":"2088102000000009",""" +
            """"auth_app_id":"2021000000000999","expires_in":"31536000","re_expires_in":32140800,"auth_time":1763700000000},"error":{}}"""
        val params = mutableMapOf(
            "notify_type" to "open_app_auth_notify",
            "notify_id" to "n-1",
            "notify_time" to "2026-11-21 15:04:05",
            "status" to "execute_auth",
            "app_id" to Apps.APP_ID,
            "biz_content" to biz,
            "charset" to "UTF-8",
            "version" to "1.0",
        )
        params["sign"] = signer.signParams(params).sign
        params["sign_type"] = "RSA2"
        val verifier = Apps.config().notificationVerifier()
        val notification = verifier.verifyParams(params)
        assertIs<Notification.AppAuth>(notification)
        assertEquals(31_536_000L, notification.detail.expiresIn)
        assertEquals("execute_auth", notification.status)
        // An authorisation in the console (no trigger, no plugin): not a plugin authorisation.
        assertNull(notification.trigger)
        assertFalse(notification.pluginAuthorisation)
        assertNull(notification.detail.authorisedAppId)
        assertNull(notification.detail.agentAppId)
        for (shown in listOf(notification.toString(), notification.detail.toString())) {
            assertFalse(shown.contains("secret") || shown.contains("refresh0"), shown)
            assertContains(shown, "2026…(")
        }
        assertContains(notification.toString(), "\"biz_content\"")
        assertThrows<AlipayException.Signature> { verifier.verifyParams(params + ("status" to "cancelled")) }
        assertThrows<AlipayException.Signature> { verifier.verifyParams(params - "sign") }
        assertThrows<AlipayException.Signature> {
            NotificationVerifier(Apps.appPublic).verifyParams(params)
        }
    }

    /** Alipay-signed (vector keys) parameters: `sign` over the V1 content, then `sign_type`. */
    private fun signedByAlipay(params: Map<String, String>): Map<String, String> =
        params + ("sign" to Signer(Apps.alipayPrivate).signParams(params).sign) + ("sign_type" to "RSA2")

    /** A service-market order (下单消息) as the gateway sends it since 2022, every field given. */
    private val order = mapOf(
        "notify_type" to "servicemarket_order_notify",
        "notify_id" to "2022050700222114018083401442873617",
        "notify_time" to "2022-05-07 11:40:18",
        "app_id" to Apps.APP_ID,
        "method" to "alipay.open.servicemarket.order.notify",
        "version" to "1.0",
        "charset" to "UTF-8",
        "timestamp" to "2022-05-07 11:40:18",
        "commodity_order_id" to "202205070000000008344772",
        "merchant_pid" to "2088731356422683",
        "name" to "杭*************司",
        "consumer_miniAppId" to "2021002123650074",
        "order_time" to "2022-05-07 11:40:10",
        "title" to "门店小程序插件",
        "total_price" to "0.00",
        "order_item_num" to "1",
        "item_code" to "AM010000000000001234",
        "specifications" to "标准版",
        "period_day" to "30",
        "order_ticket" to "8a2b4c6d8e0f4a1b9c3d5e7f9a1b3c5d",
        "service_code" to "58621634",
        "isv_ticket" to "",
        "contactor" to "王小明",
        "phone" to "13800138000",
        "miniapp_release_bundle" to "1032",
    )

    @Test
    fun `a service-market order is typed whole, and one without its order number is a Protocol error`() {
        val verifier = Apps.config().notificationVerifier()
        val verified = verifier.verifyParamsWithForm(signedByAlipay(order))
        val got = verified.notification
        assertIs<Notification.ServiceMarketOrder>(got)
        assertEquals("servicemarket_order", got.kind())
        assertEquals(
            Notification.ServiceMarketOrder(
                notifyId = "2022050700222114018083401442873617",
                notifyTime = "2022-05-07 11:40:18",
                appId = Apps.APP_ID,
                commodityOrderId = "202205070000000008344772",
                merchantPid = "2088731356422683",
                merchantName = "杭*************司",
                consumerMiniAppId = "2021002123650074",
                orderTime = "2022-05-07 11:40:10",
                title = "门店小程序插件",
                totalPrice = "0.00",
                orderItemNum = 1u,
                itemCode = "AM010000000000001234",
                specifications = "标准版",
                periodDay = 30u,
                orderTicket = "8a2b4c6d8e0f4a1b9c3d5e7f9a1b3c5d",
                serviceCode = "58621634",
                isvTicket = null,
                contactor = "王小明",
                phone = "13800138000",
                params = got.params,
            ),
            got,
        )
        // Every verified parameter is kept, unknown ones included.
        assertEquals("1032", got.params["miniapp_release_bundle"])
        assertEquals("alipay.open.servicemarket.order.notify", got.params["method"])
        for (text in listOf(got.toString(), verified.toString())) {
            assertFalse(text.contains("王小明") || text.contains("13800138000"), text)
            assertContains(text, "contactor=${shown("contactor", "王小明")}, phone=${shown("phone", "13800138000")}")
            assertContains(text, "commodityOrderId=202205070000000008344772")
        }
        // The registry stores the order (no token: its plugin authorisation is an AppAuth), once.
        Registry.inMemory().use {
            assertEquals(IngestOutcome.APPLIED, it.ingestNotification(got))
            assertEquals(IngestOutcome.DUPLICATE, it.ingestNotification(got))
            assertEquals("2088731356422683", it.order("202205070000000008344772")?.merchantPid)
            assertEquals(emptyList(), it.list())
        }
        // Signed, but nothing to act on: no order number (absent or empty), no merchant, a count that is not one.
        for ((what, params) in listOf(
            "no commodity_order_id" to order - "commodity_order_id",
            "an empty commodity_order_id" to order + ("commodity_order_id" to ""),
            "no merchant_pid" to order - "merchant_pid",
            "no notify_id" to order - "notify_id",
            "order_item_num=many" to order + ("order_item_num" to "many"),
        )) {
            val error = assertThrows<AlipayException.Protocol>(what) { verifier.verifyParams(signedByAlipay(params)) }
            val field = what.substringAfter("no ").substringAfter("an empty ").substringBefore("=")
            assertContains(error.reason, field, message = what)
            assertEquals("protocol", error.kind())
        }
        // The same missing order number by body: still a Protocol error, after the signature verified.
        val body = signedByAlipay(order - "commodity_order_id").entries.joinToString("&") { (key, value) ->
            "${java.net.URLEncoder.encode(key, Charsets.UTF_8)}=${java.net.URLEncoder.encode(value, Charsets.UTF_8)}"
        }
        assertThrows<AlipayException.Protocol> { verifier.verifyBody(body.toByteArray()) }
        // Tampered: the signature fails first.
        assertThrows<AlipayException.Signature> {
            verifier.verifyParams(signedByAlipay(order) + ("commodity_order_id" to "202205070000000008344773"))
        }
    }

    @Test
    fun `a plugin authorisation from a service-market order says so`() {
        val pluginId = "2021004100000001"
        val merchantApp = "2021002123650074"
        val authorisedAt = System.currentTimeMillis()
        fun authorisation(context: String, extra: String) = signedByAlipay(
            mapOf(
                "notify_type" to "open_app_auth_notify",
                "notify_id" to "n-plugin-1",
                "notify_time" to "2026-11-21 15:04:05",
                "status" to "execute_auth",
                "app_id" to Apps.APP_ID,
                "charset" to "UTF-8",
                "version" to "1.0",
                "biz_content" to """{"notify_context":$context,"detail":{""" +
                    """"app_auth_token":"202611BBplugin000000000000000000X21",""" +
                    """"app_refresh_token":"202611BBpluginrefresh00000000000R21","user_id":"2088731356422683",""" +
                    """"auth_app_id":"$merchantApp","expires_in":31536000,"re_expires_in":32140800,""" +
                    """"auth_time":$authorisedAt$extra},"error":{}}""",
            ),
        )
        val verifier = Apps.config().notificationVerifier()
        val plugin = verifier.verifyParams(
            authorisation("""{"trigger":"appstore"}""", ""","app_id":"$pluginId","agent_app_id":"${Apps.APP_ID}""""),
        )
        assertIs<Notification.AppAuth>(plugin)
        assertTrue(plugin.pluginAuthorisation)
        assertEquals("appstore", plugin.trigger)
        assertEquals(pluginId, plugin.detail.authorisedAppId)
        assertEquals(Apps.APP_ID, plugin.detail.agentAppId)
        assertEquals(merchantApp, plugin.detail.authAppId)
        assertEquals("202611BBplugin000000000000000000X21", plugin.detail.appAuthToken)
        for (text in listOf(plugin.toString(), plugin.detail.toString())) {
            assertFalse(text.contains("plugin000") || text.contains("pluginrefresh"), text)
        }
        assertContains(plugin.toString(), "trigger=appstore, pluginAuthorisation=true")
        assertContains(plugin.detail.toString(), "authorisedAppId=$pluginId, agentAppId=${Apps.APP_ID}")
        // The registry stores the plugin's token under the merchant's app, as any authorisation.
        Registry.inMemory().use { registry ->
            assertEquals(IngestOutcome.APPLIED, registry.ingestNotification(plugin))
            assertEquals("202611BBplugin000000000000000000X21", registry.tokenFor(merchantApp))
        }
        // The core's rule: `trigger=appstore` or an `agent_app_id` each make it a plugin authorisation.
        val byAgent = verifier.verifyParams(authorisation("{}", ""","agent_app_id":"${Apps.APP_ID}""""))
        assertIs<Notification.AppAuth>(byAgent)
        assertTrue(byAgent.pluginAuthorisation)
        assertNull(byAgent.trigger)
        assertNull(byAgent.detail.authorisedAppId)
        val byTrigger = verifier.verifyParams(authorisation("""{"trigger":"appstore"}""", ""))
        assertIs<Notification.AppAuth>(byTrigger)
        assertTrue(byTrigger.pluginAuthorisation)
        assertNull(byTrigger.detail.agentAppId)
        val console = verifier.verifyParams(authorisation("""{"trigger":"console"}""", ""","app_id":"$merchantApp""""))
        assertIs<Notification.AppAuth>(console)
        assertFalse(console.pluginAuthorisation)
        assertEquals("console", console.trigger)
        assertEquals(merchantApp, console.detail.authorisedAppId)
        // A hand-made authorisation (the positional constructors of before still work): not a plugin one.
        val handMade = Notification.AppAuth(
            "n-hand", null, null, null,
            AppAuthDetail("202611BBhand00000000000000000000X21", null, null, merchantApp, null, null, null, null),
            emptyMap(),
        )
        assertFalse(handMade.pluginAuthorisation)
        assertNull(handMade.trigger)
        assertNull(handMade.detail.authorisedAppId)
    }

    @Test
    fun `the default sign type and the body limit are options`() {
        val params = mutableMapOf("notify_id" to "1", "trade_status" to "TRADE_SUCCESS")
        params["sign"] = Signer(Apps.alipayPrivate, SignType.RSA).signParams(params).sign
        assertThrows<AlipayException.Signature> { NotificationVerifier(Apps.alipayPublic).verifyParams(params) }
        val legacy = NotificationVerifier(Apps.alipayPublic, defaultSignType = SignType.RSA)
        assertIs<Notification.Other>(legacy.verifyParams(params))
        val small = NotificationVerifier(Apps.alipayPublic, maxBodyBytes = 8uL)
        assertThrows<AlipayException.Protocol> { small.verifyBody("notify_id=123456789".toByteArray()) }
        assertThrows<AlipayException.Config> { NotificationVerifier(Apps.alipayPublic, maxBodyBytes = 0uL) }
    }

    @Test
    fun `the acknowledgement and the gateway check answer`() {
        assertEquals("success", successAck())
        assertEquals("alipay.service.check", serviceCheckName())
        val config = Apps.config()
        val xml = config.serviceCheckAnswer()
        val response = xml.substringAfter("<response>").substringBefore("</response>")
        val sign = xml.substringAfter("<sign>").substringBefore("</sign>")
        assertEquals("<success>true</success><biz_content>${Apps.appPublic.toBase64()}</biz_content>", response)
        Verifier(Apps.appPublic).verify(response, sign)
        assertContains(xml, "<sign_type>RSA2</sign_type>")
        assertContains(config.serviceCheckAnswer(verified = false), "VERIFY_FAILED")
    }

    @Test
    fun `binary and random input never crashes`() {
        val verifier = Apps.config().notificationVerifier()
        val random = java.util.Random(11)
        repeat(200) {
            val bytes = ByteArray(random.nextInt(64)) { random.nextInt(256).toByte() }
            val error = runCatching { verifier.verifyBody(bytes) }.exceptionOrNull()
            assertIs<AlipayException>(error)
            assertFalse(error is AlipayException.Internal, "$error")
        }
        assertNull(runCatching { verifier.verifyBody(ByteArray(0)) }.getOrNull())
    }
}
