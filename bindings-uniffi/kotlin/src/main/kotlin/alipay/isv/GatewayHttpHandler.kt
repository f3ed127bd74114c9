// Hand-written companion of the generated binding (package `alipay.isv`): the application gateway as
// a JDK `com.sun.net.httpserver.HttpHandler`. It reads the request (bounded), calls
// `Gateway.handle` and writes the result back as it is; the answers themselves are the core's.
package alipay.isv

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpHandler

/**
 * The application gateway (应用网关) on the JDK HTTP server (`com.sun.net.httpserver.HttpServer`):
 * mount it at the URL configured in the open-platform console.
 * ```
 * val gateway = Gateway(config, registry)
 * server.createContext("/alipay/gateway", GatewayHttpHandler(gateway, GatewayHandlers(onOrder = { … })))
 * server.executor = Executors.newFixedThreadPool(4)   // the gateway blocks: never the dispatcher thread
 * ```
 *
 * For each request: anything but `POST` is answered 405 (with `Allow: POST`); the body is read up to
 * [Gateway.maxBodyBytes] + 1 bytes, never more, so a longer one is answered 413 without being read
 * whole; the `Content-Type` header and the raw body go to [Gateway.handle] with [handlers]; its
 * [GatewayResult] is written back — status, `Content-Type` and body, exactly (`success`, `fail`, or the
 * signed XML of the gateway check). What went wrong is never in the body: it is in the result's
 * `error`, which [onResult] receives (for the host's logs) before the answer is written; what
 * [onResult] throws still lets the answer be written, then reaches the server.
 *
 * The handler blocks (signature verification, disk, and the handlers' own calls): give the server an
 * executor (`server.executor = Executors.newFixedThreadPool(n)`). Thread-safe.
 */
class GatewayHttpHandler(
    /** The gateway the requests go to. */
    private val gateway: Gateway,
    /** What to do with each verified notification (default: nothing; each is stored and acknowledged). */
    private val handlers: GatewayHandlers = GatewayHandlers(),
    /** Called with every result before it is written (for the host's logs and metrics). */
    private val onResult: (GatewayResult) -> Unit = {},
) : HttpHandler {
    /** Handles one request: see the class documentation. */
    override fun handle(exchange: HttpExchange) {
        try {
            if (exchange.requestMethod != "POST") {
                exchange.responseHeaders.set("Allow", "POST")
                write(exchange, 405, "text/plain; charset=utf-8", "POST only")
                return
            }
            // One byte past the limit is enough for the gateway to refuse the body (413).
            val limit = gateway.maxBodyBytes().coerceAtMost((Int.MAX_VALUE - 16).toULong()).toInt()
            val body = exchange.requestBody.readNBytes(limit + 1)
            val result = gateway.handle(exchange.requestHeaders.getFirst("Content-Type"), body, handlers)
            try {
                onResult(result)
            } finally {
                write(exchange, result.status, result.contentType, result.body)
            }
        } finally {
            exchange.close()
        }
    }

    /** Writes `status`, `Content-Type` and `body` (never empty). */
    private fun write(exchange: HttpExchange, status: Int, contentType: String, body: String) {
        val bytes = body.toByteArray(Charsets.UTF_8)
        exchange.responseHeaders.set("Content-Type", contentType)
        exchange.sendResponseHeaders(status, if (bytes.isEmpty()) -1 else bytes.size.toLong())
        exchange.responseBody.use { it.write(bytes) }
    }
}
