package alipay.isv

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.test.assertNotNull

/** Helpers of the gateway and registry-order tests: hand-signed notifications, a JDK server around a Gateway. */
object Gateways {
    const val FORM = "application/x-www-form-urlencoded; charset=utf-8"
    private val http: HttpClient = HttpClient.newHttpClient()

    /** `params` form-encoded in UTF-8. */
    fun encode(params: Map<String, String>): String = params.entries.joinToString("&") { (key, value) ->
        URLEncoder.encode(key, Charsets.UTF_8) + "=" + URLEncoder.encode(value, Charsets.UTF_8)
    }

    /**
     * A notification body signed by the test "Alipay" key (the emulators' key) in the V1 form (`sign` and
     * `sign_type` outside the signed content), as the gateway signs asynchronous notifications.
     */
    fun signed(params: Map<String, String>): ByteArray {
        val sign = Signer(Apps.alipayPrivate).signParams(params).sign
        return encode(params + mapOf("sign_type" to "RSA2", "sign" to sign)).toByteArray()
    }

    /** A hand-signed `servicemarket_order_notify` of `orderId` for the merchant `pid` (no mini program unless given). */
    fun order(
        notifyId: String,
        orderId: String,
        pid: String,
        appId: String = Apps.APP_ID,
        miniAppId: String? = null,
        notifyTime: String = "2026-11-21 10:00:00",
    ): ByteArray = signed(
        buildMap {
            put("notify_id", notifyId)
            put("notify_time", notifyTime)
            put("notify_type", "servicemarket_order_notify")
            put("app_id", appId)
            put("commodity_order_id", orderId)
            put("merchant_pid", pid)
            put("name", "杭州测试科技有限公司")
            put("contactor", "测试联系人")
            put("phone", "17826894615")
            put("title", "插件订购")
            put("total_price", "0.00")
            put("order_item_num", "1")
            if (miniAppId != null) put("consumer_miniAppId", miniAppId)
            put("charset", "UTF-8")
            put("version", "1.0")
        },
    )

    /** A hand-signed notification the registry does not keep (a trade status push), with a `notify_id`. */
    fun trade(notifyId: String): ByteArray = signed(
        mapOf(
            "notify_id" to notifyId,
            "notify_time" to "2026-11-21 10:00:00",
            "notify_type" to "trade_status_sync",
            "app_id" to Apps.APP_ID,
            "out_trade_no" to "20261121000001",
            "trade_status" to "TRADE_SUCCESS",
            "charset" to "utf-8",
        ),
    )

    /** POSTs `body` to `url` with `contentType` (none when null). */
    fun post(url: String, body: ByteArray, contentType: String? = FORM): HttpResponse<String> {
        val request = HttpRequest.newBuilder(URI(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        if (contentType != null) request.header("Content-Type", contentType)
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString())
    }

    /** GETs `url`. */
    fun get(url: String): HttpResponse<String> =
        http.send(HttpRequest.newBuilder(URI(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
}

/**
 * A JDK HttpServer on 127.0.0.1 serving `gateway` through [GatewayHttpHandler] at `/alipay/gateway`, on a
 * worker pool; every result is queued (the handler's `onResult`).
 */
class GatewayServer(gateway: Gateway, handlers: GatewayHandlers = GatewayHandlers()) : AutoCloseable {
    private val results = LinkedBlockingQueue<GatewayResult>()
    private val workers: ExecutorService = Executors.newFixedThreadPool(4)
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
        createContext("/alipay/gateway", GatewayHttpHandler(gateway, handlers) { results.add(it) })
        executor = workers
        start()
    }

    /** The application gateway's URL (the emulator's `notifyUrl`). */
    val url: String = "http://127.0.0.1:${server.address.port}/alipay/gateway"

    /** The next result, waiting up to `seconds` (results are queued before the answer is written). */
    fun next(seconds: Long = 10): GatewayResult =
        assertNotNull(results.poll(seconds, TimeUnit.SECONDS), "no gateway result within $seconds s")

    /** Every result queued so far, taken. */
    fun drain(): List<GatewayResult> = ArrayList<GatewayResult>().also { results.drainTo(it) }

    override fun close() {
        server.stop(0)
        workers.shutdownNow()
    }
}
