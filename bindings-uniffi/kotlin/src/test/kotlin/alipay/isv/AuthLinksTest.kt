package alipay.isv

import alipay.isv.Emulators.REDIRECT
import org.json.JSONObject
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.URLDecoder
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/** Authorisation links, `state`, enums and callback parsing (core `auth`), without the network. */
class AuthLinksTest {
    @Test
    fun `merchant links on production, sandbox and a URL`() {
        val production = appAuthLink("production", Apps.APP_ID, REDIRECT, state = "c3RhdGU")
        assertEquals(
            "https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=${Apps.APP_ID}" +
                "&redirect_uri=https%3A%2F%2Fisv.example.com%2Falipay%2Fcallback&state=c3RhdGU",
            production.url,
        )
        assertEquals("c3RhdGU", production.state)
        assertTrue(appAuthLink("sandbox", Apps.APP_ID, REDIRECT).url.startsWith("https://openauth-sandbox.dl.alipaydev.com/"))
        assertTrue(appAuthLink("http://127.0.0.1:9/", Apps.APP_ID, REDIRECT).url.startsWith("http://127.0.0.1:9/oauth2/"))
        val batch = appAuthLink("production", Apps.APP_ID, REDIRECT, ApplicationType.entries.toList())
        assertContains(batch.url, "appToAppBatchAuth.htm")
        assertContains(batch.url, "application_type=MOBILEAPP%2CWEBAPP%2CPUBLICAPP%2CTINYAPP%2CARAPP%2CBASEAPP")
    }

    @Test
    fun `console and user consent links`() {
        val console = consoleAuthLink("production", Apps.APP_ID, REDIRECT, listOf(ApplicationType.TINY_APP))
        val bizData = URLDecoder.decode(console.url.substringAfter("bizData="), Charsets.UTF_8)
        val param = JSONObject(bizData).getJSONObject("agentOpParam")
        assertEquals(Apps.APP_ID, param.getString("isvAppId"))
        assertEquals(console.state, param.getString("state"))
        assertEquals("TINYAPP", param.getJSONArray("appTypes").getString(0))
        assertThrows<AlipayException.Config> { consoleAuthLink("production", Apps.APP_ID, REDIRECT, listOf()) }
        assertThrows<AlipayException.Config> { consoleAuthLink("sandbox", Apps.APP_ID, REDIRECT, listOf(ApplicationType.TINY_APP)) }

        val consent = userConsentLink("production", "2021000000000999", listOf(UserScope.AUTH_USER, UserScope.AUTH_BASE), REDIRECT)
        assertContains(consent.url, "/oauth2/publicAppAuthorize.htm?app_id=2021000000000999&scope=auth_user%2Cauth_base&")
        assertThrows<AlipayException.Config> { userConsentLink("production", Apps.APP_ID, listOf(), REDIRECT) }
    }

    @Test
    fun `bad link inputs are config errors`() {
        assertThrows<AlipayException.Config> { appAuthLink("staging", Apps.APP_ID, REDIRECT) }
        assertThrows<AlipayException.Config> { appAuthLink("production", "", REDIRECT) }
        assertThrows<AlipayException.Config> { appAuthLink("production", Apps.APP_ID, "isv.example.com/cb") }
        assertThrows<AlipayException.Config> { appAuthLink("production", Apps.APP_ID, REDIRECT, state = "not base64!") }
    }

    @Test
    fun `states are random base64 and compared exactly`() {
        val first = generateState()
        val second = generateState()
        assertEquals(32, first.length)
        assertNotEquals(first, second)
        assertTrue(first.all { it.isLetterOrDigit() || it == '-' || it == '_' }, first)
        assertTrue(statesMatch(first, first))
        assertFalse(statesMatch(first, second))
        assertFalse(statesMatch(first, first + "A"))
    }

    @Test
    fun `enums have their wire names`() {
        for (kind in ApplicationType.entries) assertEquals(kind, parseApplicationType(kind.wireName().lowercase()))
        assertEquals("TINYAPP", ApplicationType.TINY_APP.wireName())
        assertEquals(UserScope.AUTH_BASE, parseUserScope("auth_base"))
        assertEquals("auth_user", UserScope.AUTH_USER.wireName())
        assertThrows<AlipayException.Config> { parseApplicationType("DESKTOPAPP") }
        assertThrows<AlipayException.Config> { parseUserScope("auth_all") }
    }

    @Test
    fun `callbacks parse from a URL or a bare query`() {
        val query = "app_id=${Apps.APP_ID}&source=alipay_app_auth&app_auth_code=P5f3code&state=c3RhdGU"
        for (input in listOf("$REDIRECT?$query", query, "?$query")) {
            val callback = parseAppAuthCallback(input, Apps.APP_ID, StateCheck.Expect("c3RhdGU"))
            assertEquals("P5f3code", callback.appAuthCode)
            assertEquals("alipay_app_auth", callback.source)
        }
        assertThrows<AlipayException.Protocol> {
            parseAppAuthCallback("$query&app_auth_code=again", Apps.APP_ID, StateCheck.Expect("c3RhdGU"))
        }
        val user = parseUserAuthCallback(
            "$REDIRECT?app_id=2021000000000999&source=alipay_wallet&scope=auth_user&auth_code=abc&state=c3RhdGU",
            "2021000000000999",
            StateCheck.Expect("c3RhdGU"),
        )
        assertEquals("abc", user.authCode)
        assertEquals("auth_user", user.scope)
    }

    @Test
    fun `biz_content maps become JSON text`() {
        val text = bizContentOf(
            linkedMapOf(
                "out_trade_no" to "20261121",
                "subject" to "年货 \"礼盒\"\n",
                "total_amount" to 88.5,
                "quantity" to 2,
                "whole" to 3.0,
                "flag" to true,
                "none" to null,
                "goods_detail" to listOf(mapOf("goods_id" to "g1"), arrayOf(1, 2)),
            ),
        )
        assertEquals(
            """{"out_trade_no":"20261121","subject":"年货 \"礼盒\"\n","total_amount":88.5,"quantity":2,""" +
                """"whole":3,"flag":true,"none":null,"goods_detail":[{"goods_id":"g1"},[1,2]]}""",
            text,
        )
        assertTrue(JSONObject(text).similar(JSONObject(text)))
        assertThrows<IllegalArgumentException> { bizContentOf(mapOf("x" to Double.NaN)) }
    }
}
