// A minimal ISV plugin server on the JDK HTTP server (com.sun.net.httpserver), using the Kotlin/JVM
// binding (package `alipay.isv`):
//
//   GET  /alipay/authorize               302 to the merchant authorisation link; the state goes in a cookie
//   GET  /alipay/callback                checks app_id and state, exchanges the code, stores the tokens
//   POST /alipay/gateway                 the application gateway: verifies notifications, ingests them,
//                                        answers `success` (and the signed answer to alipay.service.check)
//   GET  /merchants/<authAppId>/versions one delegated call on the merchant's behalf
//
// Merchants live in a Registry (a SQLite file): durable across restarts, fed idempotently (Alipay's
// retried notifications change nothing), tokens refreshed before they expire, revoked merchants refused.
//
// Every binding call blocks (RSA, network), so the handlers run on a worker pool, never on a
// selector thread — in a coroutine server, wrap them in withContext(Dispatchers.IO).
// PluginServerRun.kt drives it against the emulator.
package alipay.isv.examples

import alipay.isv.AlipayException
import alipay.isv.Client
import alipay.isv.IsvConfig
import alipay.isv.Notification
import alipay.isv.Registry
import alipay.isv.StateCheck
import alipay.isv.appAuthLink
import alipay.isv.parseAppAuthCallback
import alipay.isv.serviceCheckName
import alipay.isv.successAck
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue

/** The largest body the gateway endpoint reads (the library's own limit for notifications). */
private const val MAX_BODY_BYTES = 10 * 1024 * 1024

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
    private val verifier = config.notificationVerifier()

    /**
     * The merchants: PID – auth_app_id – app_auth_token, durable. In production, also pass
     * `TokenKey.fromBase64(secret)` so that tokens are encrypted in the file.
     */
    val registry: Registry = Registry.open(registryPath, client = client)

    /** Every verified notification, in arrival order (for the runner to watch). */
    val notifications = LinkedBlockingQueue<Notification>()

    /** `http://127.0.0.1:PORT`. */
    val baseUrl: String

    init {
        server.executor = workers
        server.createContext("/alipay/authorize") { handle(it, ::authorize) }
        server.createContext("/alipay/callback") { handle(it, ::callback) }
        server.createContext("/alipay/gateway") { handle(it, ::gateway) }
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

    private fun gateway(exchange: HttpExchange): Answer {
        if (exchange.requestMethod != "POST") return Answer(405, "POST only")
        // Never more than a notification may hold: one byte past the limit is enough to refuse it.
        val body = exchange.requestBody.readNBytes(MAX_BODY_BYTES + 1)
        if (body.size > MAX_BODY_BYTES) return Answer(413, "too large")
        val notification = verifier.verifyBody(body)
        notifications.add(notification)
        return when (notification) {
            is Notification.Other ->
                if (notification.params["service"] == serviceCheckName()) {
                    Answer(200, config.serviceCheckAnswer(true))
                } else {
                    Answer(200, successAck())
                }
            // A merchant's order of the plugin in the service market: no token comes with it (the plugin
            // authorisation follows as an AppAuth with `pluginAuthorisation`); act on `commodityOrderId`
            // (Alipay's retries repeat it) and acknowledge.
            is Notification.ServiceMarketOrder -> Answer(200, successAck())
            is Notification.AppAuth, is Notification.Message -> {
                // Authorisations and cancellations; retries are duplicates, late messages stale. Answer
                // `success` only once the registry has it (a failure answers 4xx: Alipay retries).
                registry.ingestNotification(notification)
                Answer(200, successAck())
            }
        }
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
