package alipay.isv

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.time.Duration
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.test.assertNotNull

/** Helpers of the emulator tests: the test app against a fresh emulator, and a stdlib notification receiver. */
object Emulators {
    const val REDIRECT = "https://isv.example.com/alipay/callback"
    const val USER_REDIRECT = "https://isv.example.com/user/callback"
    const val VERSIONS = "alipay.open.mini.version.list.query"

    /** An emulator for the test app (the vector keys: no key generation), pushing to `notifyUrl`. */
    fun start(notifyUrl: String? = null): Emulator =
        Emulator(Apps.APP_ID, Apps.appPublic, notifyUrl = notifyUrl, alipayPrivateKey = Apps.alipayPrivate)

    /** The test app's configuration on `emulator`'s gateway. */
    fun config(emulator: Emulator): IsvConfig =
        IsvConfig(Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl())

    /** A client of the test app on `emulator`, reads timing out after `readTimeout`. */
    fun client(emulator: Emulator, readTimeout: Duration = Duration.ofSeconds(10)): Client =
        Client(config(emulator), TransportOptions(connectTimeout = Duration.ofSeconds(2), readTimeout = readTimeout))

    /** A merchant authorises through the emulator's page: returns its (first) token. */
    fun authorise(emulator: Emulator, client: Client): AppAuthToken {
        val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
        val callback = parseAppAuthCallback(emulator.merchantAuthorizes(link.url), Apps.APP_ID, StateCheck.Expect(link.state))
        return client.exchangeAppAuthCode(callback.appAuthCode).first()
    }

    /** Runs `body` with `what` in the failure message when it throws. */
    inline fun <T> step(what: String, body: () -> T): T = try {
        body()
    } catch (error: Throwable) {
        throw AssertionError("step failed: $what: $error", error)
    }
}

/**
 * The application gateway of a test: a JDK HttpServer on 127.0.0.1 that queues every POSTed body and
 * answers `success`.
 */
class NotificationReceiver : AutoCloseable {
    private val bodies = LinkedBlockingQueue<ByteArray>()
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
        createContext("/alipay/gateway") { exchange ->
            bodies.add(exchange.requestBody.readAllBytes())
            val answer = successAck().toByteArray()
            exchange.sendResponseHeaders(200, answer.size.toLong())
            exchange.responseBody.use { it.write(answer) }
        }
        start()
    }

    /** The URL to give the emulator as `notifyUrl`. */
    val url: String = "http://127.0.0.1:${server.address.port}/alipay/gateway"

    /** The next body posted, waiting up to `seconds`. */
    fun next(seconds: Long = 10): ByteArray =
        assertNotNull(bodies.poll(seconds, TimeUnit.SECONDS), "no notification within $seconds s")

    override fun close() = server.stop(0)
}
