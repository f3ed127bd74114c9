// A minimal ISV plugin server on the JDK HTTP server (com.sun.net.httpserver), using the Kotlin/JVM
// binding (package `alipay.isv`):
//
//   GET  /alipay/authorize               302 to the merchant authorisation link; the state goes in a cookie
//   GET  /alipay/callback                checks app_id and state, exchanges the code, stores the tokens
//   POST /alipay/gateway                 the application gateway (the library's Gateway on the JDK server
//                                        through GatewayHttpHandler): verifies, stores authorisations,
//                                        cancellations and service-market orders, runs the handlers below,
//                                        answers `success` (`fail` when a handler throws: Alipay retries),
//                                        and the signed answer to alipay.service.check
//   GET  /merchants/<authAppId>/versions one delegated call on the merchant's behalf
//
// Merchants and orders live in a Registry (a SQLite file): durable across restarts, fed idempotently
// (Alipay's retried notifications change nothing), tokens refreshed before they expire, revoked merchants
// refused. A merchant's order of the plugin is accepted by the order handler, through the registry.
//
// Every binding call blocks (RSA, network), so the handlers run on a worker pool, never on a
// selector thread — in a coroutine server, wrap them in withContext(Dispatchers.IO).
// PluginServerRun.kt drives it against the emulator.
package alipay.isv.examples

import alipay.isv.AlipayException
import alipay.isv.Client
import alipay.isv.Gateway
import alipay.isv.GatewayHandlers
import alipay.isv.GatewayHttpHandler
import alipay.isv.GatewayResult
import alipay.isv.IsvConfig
import alipay.isv.Notification
import alipay.isv.Registry
import alipay.isv.StateCheck
import alipay.isv.appAuthLink
import alipay.isv.orderPlaced
import alipay.isv.parseAppAuthCallback
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue

/**
 * The plugin server. `authHost` is `production`, `sandbox` or the emulator's base URL; merchants are
 * kept in the registry file `registryPath` (created if missing); the server listens on
 * 127.0.0.1:`port` (0: any free port).
 */
class PluginServer(
    private val config: IsvConfig,
    private val client: Client,
    private val authHost: String,
    registryPath: String,
    port: Int = 0,
) : AutoCloseable {
    private val workers: ExecutorService = Executors.newFixedThreadPool(4)
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", port), 0)

    /**
     * The merchants (PID – auth_app_id – app_auth_token) and their service-market orders, durable. In
     * production, also pass `TokenKey.fromBase64(secret)` so that tokens are encrypted in the file, and
     * `clients = listOf(…)` for the clients of further apps or plugins.
     */
    val registry: Registry = Registry.open(registryPath, client = client)

    /** Every verified notification handed to a handler, in arrival order (for the runner to watch). */
    val notifications = LinkedBlockingQueue<Notification>()

    /** What the gateway did with each request (a host logs `outcome` and `error`). */
    val gatewayResults = LinkedBlockingQueue<GatewayResult>()

    /**
     * The application gateway: every notification is verified and stored before its handler runs; the
     * answer is `success` once the handler returned, `fail` when it threw (Alipay retries; the retry
     * stores nothing twice).
     */
    private val gateway = Gateway(config, registry)

    private val handlers = GatewayHandlers(
        // A merchant ordered the plugin in the service market: accept the order (接单). The plugin
        // authorisation comes as its own notification, stored under the plugin's app.
        onOrder = { delivery ->
            val order = delivery.notification as Notification.ServiceMarketOrder
            notifications.add(order)
            // A retried delivery runs the handler again: accept only an order still awaiting us.
            if (registry.order(order.commodityOrderId)?.status == orderPlaced()) {
                registry.acceptOrder(order.commodityOrderId)
            }
        },
        onAuthorisation = { notifications.add(it.notification) },
        onCancellation = { notifications.add(it.notification) },
        onOther = { notifications.add(it.notification) },
    )

    /** `http://127.0.0.1:PORT`. */
    val baseUrl: String

    init {
        server.executor = workers
        server.createContext("/alipay/authorize") { handle(it, ::authorize) }
        server.createContext("/alipay/callback") { handle(it, ::callback) }
        server.createContext("/alipay/gateway", GatewayHttpHandler(gateway, handlers) { gatewayResults.add(it) })
        server.createContext("/merchants/") { handle(it, ::versions) }
        server.start()
        baseUrl = "http://127.0.0.1:${server.address.port}"
    }

    /** The answer of a handler: status, body, extra headers. */
    private class Answer(val status: Int, val body: String, val headers: Map<String, String> = emptyMap())

    private fun handle(exchange: HttpExchange, handler: (HttpExchange) -> Answer) {
        val answer = try {
            handler(exchange)
        } catch (error: AlipayException) {
            // Typed and free of secrets: safe to log and to show. A Store error here is an unknown or
            // revoked merchant (no call was made).
            val status = when (error) {
                is AlipayException.Api -> 502
                is AlipayException.Store -> 404
                else -> 400
            }
            Answer(status, "${error.kind()}: ${error.reason()}")
        }
        val bytes = answer.body.toByteArray()
        answer.headers.forEach { (name, value) -> exchange.responseHeaders.add(name, value) }
        exchange.responseHeaders.add("Content-Type", "text/plain; charset=utf-8")
        exchange.sendResponseHeaders(answer.status, if (bytes.isEmpty()) -1 else bytes.size.toLong())
        exchange.responseBody.use { it.write(bytes) }
    }

    private fun authorize(exchange: HttpExchange): Answer {
        val link = appAuthLink(authHost, config.appId(), "$baseUrl/alipay/callback")
        return Answer(
            302,
            "",
            mapOf(
                "Location" to link.url,
                // The state comes back with the callback: keep it where only this browser has it.
                "Set-Cookie" to "alipay_state=${link.state}; Path=/alipay; HttpOnly; SameSite=Lax",
            ),
        )
    }

    private fun callback(exchange: HttpExchange): Answer {
        val issued = exchange.requestHeaders["Cookie"].orEmpty()
            .flatMap { it.split(';') }
            .map { it.trim() }
            .firstOrNull { it.startsWith("alipay_state=") }
            ?.substringAfter('=')
            ?: return Answer(400, "no authorisation in progress in this browser")
        val query = exchange.requestURI.rawQuery ?: ""
        val callback = parseAppAuthCallback(query, config.appId(), StateCheck.Expect(issued))
        val tokens = client.exchangeAppAuthCode(callback.appAuthCode)
        registry.ingestTokens(tokens)
        return Answer(200, "authorised: ${tokens.joinToString { it.authAppId }}")
    }

    private fun versions(exchange: HttpExchange): Answer {
        val parts = exchange.requestURI.path.trim('/').split('/')
        if (parts.size != 3 || parts[2] != "versions") return Answer(404, "not found")
        // The registry finds the merchant's token (refreshing it if due) and makes the call.
        val response = registry.executeFor(parts[1], "alipay.open.mini.version.list.query")
        return Answer(200, response.fieldsJson)
    }

    override fun close() {
        server.stop(0)
        workers.shutdown()
        registry.close()
    }
}
