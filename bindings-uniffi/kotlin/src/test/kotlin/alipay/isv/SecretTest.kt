package alipay.isv

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Mirrors core `secret`: the one masking rule. Every record type the package returns is collected from a
 * real flow against the emulator (and a `CallOptions` carrying both tokens), and every one of its fields
 * that the rule calls secret (by its protocol name: `appAuthToken` is `app_auth_token`) is fed through
 * it: `toString()` must show the rule's mask of the value and never the value. A field holding a token
 * or a code under a name the rule does not list fails the test, so a new secret field cannot slip past
 * (bar the catalogue codes of a service-market order, [NOT_SECRET_CODES]). The personal fields of the
 * rule (`contactor`, `phone` of an order, from genuine Alipay-signed orders) are checked the same way:
 * `toString()` shows `shown(name, value)`, never the value.
 */
class SecretTest {
    /** `appAuthToken` → `app_auth_token`. */
    private fun snake(name: String): String = name.replace(Regex("[A-Z]")) { "_" + it.value.lowercase() }

    /** The declared fields of a record and their values (Java reflection on the generated data class). */
    private fun fields(record: Any): List<Pair<String, Any?>> =
        record.javaClass.declaredFields
            .filter { !java.lang.reflect.Modifier.isStatic(it.modifiers) }
            .map { field -> field.isAccessible = true; field.name to field.get(record) }

    /** The genuine order of real_notifications.json `name`, verified with its Alipay key. */
    private fun realOrder(name: String): Notification.ServiceMarketOrder {
        val case = Vectors.realNotificationCases.single { it.getString("name") == name }
        val verifier = NotificationVerifier(PublicKey.fromText(Vectors.keyText(case.getString("alipay_public_key"))))
        val order = verifier.verifyBody(Vectors.body(case))
        assertIs<Notification.ServiceMarketOrder>(order)
        return order
    }

    /**
     * One instance of every record type that can hold a secret or personal data, from a flow on the
     * emulator and from genuine orders.
     */
    private fun records(): Map<String, Any> {
        val found = linkedMapOf<String, Any>()
        // The EasySDK 2020 sample (a mini-program order; its contact person is also the merchant name),
        // and the 2019 one (with a service code).
        found["Notification.ServiceMarketOrder"] = realOrder("easysdk_2020_servicemarket_order_notify")
        found["Notification.ServiceMarketOrder (2019)"] = realOrder("node_2019_servicemarket_order_notify")
        NotificationReceiver().use { receiver ->
            Emulators.start(receiver.url).use { emulator ->
                val client = Emulators.client(emulator)
                val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, Emulators.REDIRECT)
                val callback = parseAppAuthCallback(
                    emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state),
                )
                found["AppAuthCallback"] = callback
                val token = client.exchangeAppAuthCode(callback.appAuthCode).single()
                found["AppAuthToken"] = token
                found["AppAuthTokenInfo"] = client.queryAppAuthToken(token.appAuthToken)
                val notification = Emulators.config(emulator).notificationVerifier().verifyBody(receiver.next())
                assertIs<Notification.AppAuth>(notification)
                found["Notification.AppAuth"] = notification
                found["AppAuthDetail"] = notification.detail
                Registry.inMemory(client).use { registry ->
                    registry.ingestNotification(notification)
                    found["MerchantAuthorisation"] = assertNotNull(registry.get(token.authAppId))
                    val console = emulator.consoleAppAuthToken(token.authAppId)
                    found["ConsoleToken"] = console
                    found["TokenImport"] = registry.importToken(console.appAuthToken)
                }
                val consent = userConsentLink(
                    emulator.baseUrl(), token.authAppId, listOf(UserScope.AUTH_USER), Emulators.USER_REDIRECT,
                )
                val userCallback = parseUserAuthCallback(
                    emulator.userConsents(consent.url), token.authAppId, StateCheck.Expect(consent.state),
                )
                found["UserAuthCallback"] = userCallback
                val user = client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken)
                found["UserToken"] = user
                found["CallOptions"] = CallOptions(appAuthToken = token.appAuthToken, authToken = user.accessToken)
            }
        }
        return found
    }

    @Test
    fun `the rule is the core one`() {
        val names = secretFields()
        for (expected in listOf("app_auth_token", "app_refresh_token", "access_token", "refresh_token")) {
            assertTrue(expected in names && isSecretField(expected), expected)
        }
        for (name in names) assertTrue(isSecretField(name), name)
        assertFalse(isSecretField("auth_app_id"))
        assertFalse(isSecretField("appAuthToken"), "protocol spelling only")
        assertEquals("2023…(26 chars)", maskSecret("202311BBsecretsecretsecret"))
        assertEquals("…(5 chars)", maskSecret("short"))
        assertEquals("2021000000000001", shown("auth_app_id", "2021000000000001"))
        assertEquals("(12 chars)", shown("biz_content", """{"code":"x"}"""))
        // Personal data: the length only, not even a prefix.
        assertEquals(listOf("contactor", "phone"), personalFields().sorted())
        for (name in personalFields()) assertTrue(isPersonalField(name) && !isSecretField(name), name)
        assertFalse(isPersonalField("merchant_pid"))
        assertEquals("…(11 chars)", shown("phone", "17826894615"))
        assertEquals("…(3 chars)", shown("contactor", "赵华杰"))
    }

    @Test
    fun `every secret field of every record type is masked by the rule`() {
        val fed = mutableSetOf<String>()
        val personal = mutableSetOf<String>()
        val exempted = mutableSetOf<String>()
        for ((typeName, record) in records()) {
            val text = record.toString()
            for ((name, value) in fields(record)) {
                val protocolName = snake(name)
                if (Regex("_(token|code)$").containsMatchIn(protocolName) && value is String) {
                    if (protocolName in NOT_SECRET_CODES) {
                        exempted += protocolName
                    } else {
                        assertTrue(isSecretField(protocolName), "$typeName.$name holds a secret the rule misses")
                    }
                }
                if (isPersonalField(protocolName) && value != null) {
                    assertIs<String>(value, "$typeName.$name")
                    assertFalse(text.contains(value), "$typeName.$name shown in $text")
                    assertTrue(text.contains("$name=${shown(protocolName, value)}"), "$typeName.$name not shown by the rule: $text")
                    personal += protocolName
                    continue
                }
                if (!isSecretField(protocolName) || value == null) continue
                assertIs<String>(value, "$typeName.$name")
                assertTrue(value.length > 8, "$typeName.$name")
                assertFalse(text.contains(value), "$typeName.$name shown in $text")
                assertTrue(text.contains(maskSecret(value)), "$typeName.$name not masked by the rule: $text")
                fed += protocolName
            }
        }
        assertEquals(emptyList(), secretFields().filter { it !in fed }, "secret fields no record type fed")
        assertEquals(emptyList(), personalFields().filter { it !in personal }, "personal fields no record type fed")
        // A catalogue code was really seen (the 2019 order has a service code): the exemption is exercised.
        assertTrue("service_code" in exempted, "no order with a service code")
    }

    private companion object {
        /**
         * `_code` fields that are not secrets: the service-market catalogue codes of an order (the service
         * and the item ordered, the same for every merchant).
         */
        val NOT_SECRET_CODES = setOf("service_code", "item_code")
    }
}
