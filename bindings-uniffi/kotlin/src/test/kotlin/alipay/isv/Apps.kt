package alipay.isv

import java.net.URLDecoder
import java.nio.charset.Charset as JavaCharset

/** The test app shared by the protocol tests: its id and keys (tests/vectors/keys), the Alipay keys, an AES key. */
object Apps {
    const val APP_ID = "2021000000000001"
    const val SANDBOX = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
    const val AES_TEXT = "aa4BtZ4tspm2wnXLb1ThQA=="
    const val TIMESTAMP = "2026-11-21 23:04:05"
    const val APP_AUTH_TOKEN = "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21"
    const val ACCESS_TOKEN = "authusrBa1b2c3d4e5f6a7b8c9d0e1f2X21"
    const val NOTIFY_URL = "https://isv.example.com/notify?x=1&y=2"

    /** A biz_content with characters every encoding step must survive (HTML, `&`, quotes, Chinese). */
    const val BIZ = """{"out_trade_no":"20261121150405000001","subject":"年货 & <礼盒> \"精选\"","total_amount":"88.88"}"""

    /** The parameters that travel in the URL query of an `execute` request (the rest go in the body). */
    val SYSTEM = setOf(
        "app_id", "method", "format", "charset", "sign_type", "sign", "timestamp", "version", "notify_url",
        "return_url", "encrypt_type", "auth_token", "app_cert_sn", "alipay_root_cert_sn",
    )

    val appPrivate: PrivateKey by lazy { PrivateKey.fromText(Vectors.keyText("keys/app_2048_pkcs8.pem")) }
    val appPublic: PublicKey by lazy { appPrivate.publicKey() }
    val alipayPrivate: PrivateKey by lazy { PrivateKey.fromText(Vectors.keyText("keys/alipay_2048_pkcs8.pem")) }
    val alipayPublic: PublicKey by lazy { PublicKey.fromText(Vectors.keyText("keys/alipay_2048_public.pem")) }

    /** The test app on the sandbox gateway, with the AES key. */
    fun config(
        charset: Charset = Charset.UTF8,
        signType: SignType = SignType.RSA2,
    ): IsvConfig = IsvConfig(APP_ID, appPrivate, alipayPublic, signType, charset, "sandbox", AesKey(AES_TEXT))

    /** The options of a delegated `alipay.trade.create` at a fixed time. */
    fun tradeOptions(): CallOptions = CallOptions(
        appAuthToken = APP_AUTH_TOKEN,
        authToken = ACCESS_TOKEN,
        notifyUrl = NOTIFY_URL,
        bizContent = BIZ,
        timestamp = TIMESTAMP,
    )

    /**
     * Decodes `k=v&k=v` form text with the JDK (`+` is a space, `%XX` a byte in `charset`), refusing a
     * parameter given twice.
     */
    fun decodeForm(text: String, charset: String = "UTF-8"): Map<String, String> {
        val decoded = LinkedHashMap<String, String>()
        if (text.isEmpty()) return decoded
        val jdk = JavaCharset.forName(charset)
        for (pair in text.split('&')) {
            val at = pair.indexOf('=')
            require(at > 0) { "segment without '=': $pair" }
            val key = URLDecoder.decode(pair.substring(0, at), jdk)
            val previous = decoded.put(key, URLDecoder.decode(pair.substring(at + 1), jdk))
            require(previous == null) { "$key appears twice" }
        }
        return decoded
    }

    /** Splits `gateway?query` into the gateway and the decoded query. */
    fun splitUrl(url: String, charset: String = "UTF-8"): Pair<String, Map<String, String>> {
        val at = url.indexOf('?')
        return url.substring(0, at) to decodeForm(url.substring(at + 1), charset)
    }

    /** The form action and hidden inputs of a page form, HTML entities decoded. */
    fun readForm(html: String): Pair<String, Map<String, String>> {
        val action = Regex("""<form [^>]*action="([^"]*)"""").find(html)?.groupValues?.get(1)
            ?: error("no form action in $html")
        val inputs = Regex("""<input type=["']hidden["'] name=["']([^"']*)["'] value=["']([^"]*)["']""").findAll(html)
            .associate { unescape(it.groupValues[1]) to unescape(it.groupValues[2]) }
        return unescape(action) to inputs
    }

    private fun unescape(text: String): String = text.replace("&quot;", "\"").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&")
}
