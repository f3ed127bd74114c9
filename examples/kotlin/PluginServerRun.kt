// Runs PluginServer.kt against the offline emulator and checks every step (exit code 1 on the first
// failure): the merchant opens /alipay/authorize, authorises on the emulator's page, comes back to
// /alipay/callback; the app-auth notification reaches /alipay/gateway and verifies; a signed
// alipay.service.check gets the signed answer; one delegated call; then the merchant revokes and the
// registry (a SQLite file in a temporary directory) holds the merchant as revoked, also after a restart.
// Last, a merchant orders the plugin in the service market: the order handler accepts the order through
// the registry, the plugin authorisation is stored, the item is completed and confirmed on the
// merchant's behalf, and the order's history survives the restart.
package alipay.isv.examples

import alipay.isv.AuthStatus
import alipay.isv.Client
import alipay.isv.Emulator
import alipay.isv.IsvConfig
import alipay.isv.Notification
import alipay.isv.OrderItemTarget
import alipay.isv.Registry
import alipay.isv.Signer
import alipay.isv.generateKeyPair
import alipay.isv.itemDone
import alipay.isv.orderAccepted
import alipay.isv.serviceCheckName
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess

/** The runner, as a class with a `main`. */
object PluginServerRun {
    private const val APP_ID = "2021000000000001"
    private val http: HttpClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()

    private fun check(condition: Boolean, what: String) {
        if (!condition) {
            System.err.println("FAILED: $what")
            exitProcess(1)
        }
        println("ok: $what")
    }

    private fun get(url: String, cookie: String? = null): HttpResponse<String> {
        val request = HttpRequest.newBuilder(URI(url)).GET()
        if (cookie != null) request.header("Cookie", cookie)
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString())
    }

    private fun post(url: String, form: Map<String, String>): HttpResponse<String> {
        val body = form.entries.joinToString("&") { (k, v) ->
            URLEncoder.encode(k, Charsets.UTF_8) + "=" + URLEncoder.encode(v, Charsets.UTF_8)
        }
        val request = HttpRequest.newBuilder(URI(url))
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        return http.send(request, HttpResponse.BodyHandlers.ofString())
    }

    @JvmStatic
    fun main(args: Array<String>) {
        val app = generateKeyPair()
        val alipay = generateKeyPair() // the emulator signs with it; the runner signs the service check
        val directory = Files.createTempDirectory("alipay-isv-plugin")
        // Removed however the run ends (a failed check exits at once).
        Runtime.getRuntime().addShutdownHook(Thread { directory.toFile().deleteRecursively() })
        // A SQLite file, or a database shared by several instances: ALIPAY_ISV_REGISTRY_URL
        // (postgres://…, mysql://…) when set.
        val registryPath = System.getenv("ALIPAY_ISV_REGISTRY_URL") ?: directory.resolve("merchants.db").toString()
        var revokedAppId = ""
        var orderId = ""
        var orderItem: OrderItemTarget? = null
        Emulator(APP_ID, app.publicKey, alipayPrivateKey = alipay.privateKey).use { emulator ->
            val config = IsvConfig(APP_ID, app.privateKey, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl())
            PluginServer(config, Client(config), authHost = emulator.baseUrl(), registryPath = registryPath).use { plugin ->
                emulator.setNotifyUrl("${plugin.baseUrl}/alipay/gateway")
                println("plugin server on ${plugin.baseUrl}, emulator on ${emulator.baseUrl()}")

                val authorize = get("${plugin.baseUrl}/alipay/authorize")
                val location = authorize.headers().firstValue("Location").orElse("")
                val cookie = authorize.headers().firstValue("Set-Cookie").orElse("").substringBefore(';')
                check(authorize.statusCode() == 302 && location.startsWith(emulator.baseUrl()), "/alipay/authorize redirects to the emulator's page")
                check(cookie.startsWith("alipay_state="), "the state is kept in a cookie")

                val callback = emulator.merchantAuthorizes(location)
                check(callback.startsWith("${plugin.baseUrl}/alipay/callback?"), "the merchant authorises and is sent back to /alipay/callback")
                check(get(callback).statusCode() == 400, "a callback without the browser's state is refused")
                val back = get(callback, cookie)
                check(back.statusCode() == 200 && back.body().startsWith("authorised: "), "the callback exchanges the code: ${back.body()}")
                val authAppId = back.body().removePrefix("authorised: ").split(", ").first()
                check(plugin.registry.get(authAppId)?.status == AuthStatus.ACTIVE, "the merchant is active in the registry")
                check(get(callback, cookie).statusCode() == 502, "replaying the callback fails: the code is single-use")

                check(emulator.waitForDeliveries(1u, Duration.ofSeconds(10)), "the app-auth notification is delivered")
                check(emulator.deliveries().first().acknowledged, "the plugin answered `success`")
                val granted = plugin.notifications.poll(5, TimeUnit.SECONDS)
                check(granted is Notification.AppAuth && granted.detail.authAppId == authAppId, "it verified as an AppAuth notification")
                val pid = plugin.registry.get(authAppId)?.merchantPid.orEmpty()
                check(plugin.registry.byMerchant(pid).map { it.authAppId } == listOf(authAppId), "one record for the merchant $pid, whichever arrived first")

                val checkParams = mapOf(
                    "service" to serviceCheckName(),
                    "charset" to "utf-8",
                    "biz_content" to "<XML><AppId><![CDATA[$APP_ID]]></AppId></XML>",
                )
                val sign = Signer(alipay.privateKey).signParams(checkParams).sign
                val answer = post("${plugin.baseUrl}/alipay/gateway", checkParams + mapOf("sign_type" to "RSA2", "sign" to sign))
                check(answer.statusCode() == 200 && answer.body().contains("<success>true</success>"), "alipay.service.check gets the signed answer")
                val forgedCheck = post("${plugin.baseUrl}/alipay/gateway", checkParams + mapOf("sign_type" to "RSA2", "sign" to sign.reversed()))
                check(forgedCheck.statusCode() == 200 && forgedCheck.body().contains("<success>false</success>"), "a forged check gets a signed `false`")
                val forged = post(
                    "${plugin.baseUrl}/alipay/gateway",
                    mapOf("notify_id" to "forged-1", "notify_type" to "trade_status_sync", "sign_type" to "RSA2", "sign" to sign),
                )
                check(forged.statusCode() == 400 && forged.body() == "fail", "a forged notification is refused")
                val refusal = plugin.gatewayResults.last()
                check(refusal.outcome == "refused" && refusal.error?.kind() == "signature", "the refusal says why, for the logs: ${refusal.error?.reason()}")

                val versions = get("${plugin.baseUrl}/merchants/$authAppId/versions")
                check(versions.statusCode() == 200 && versions.body().contains("\"code\":\"10000\""), "the delegated call succeeds: ${versions.body()}")

                emulator.revoke(authAppId)
                check(emulator.waitForDeliveries(2u, Duration.ofSeconds(10)), "the cancellation is delivered")
                check(emulator.deliveries().last().acknowledged, "the plugin answered `success` after ingesting it")
                check(plugin.registry.get(authAppId)?.status == AuthStatus.REVOKED, "the merchant is revoked in the registry")
                val calls = emulator.totalCalls()
                val refused = get("${plugin.baseUrl}/merchants/$authAppId/versions")
                check(refused.statusCode() == 404 && refused.body().contains(authAppId), "no delegated call for a revoked merchant: ${refused.body()}")
                check(emulator.totalCalls() == calls, "nothing reached the gateway")
                revokedAppId = authAppId

                // A merchant orders the plugin: the order message and the plugin authorisation are pushed.
                val subscription = emulator.subscribe()
                check(emulator.waitForDeliveries(4u, Duration.ofSeconds(10)), "the order message and the plugin authorisation are delivered")
                check(emulator.deliveries().all { it.acknowledged }, "the plugin answered `success` to both")
                val order = plugin.registry.order(subscription.commodityOrderId)
                check(order?.status == orderAccepted(), "the order handler accepted the order through the registry: ${order?.status}")
                check(
                    plugin.registry.orderAuthorisation(subscription.commodityOrderId)?.authAppId == subscription.authAppId,
                    "the plugin authorisation is stored and goes with the order",
                )
                val item = OrderItemTarget.MiniApp(subscription.authAppId)
                plugin.registry.completeOrderItem(subscription.commodityOrderId, item)
                val done = plugin.registry.confirmOrderItem(subscription.commodityOrderId, item)
                check(done.itemStatus(item) == itemDone(), "the item is completed, then confirmed on the merchant's behalf")
                check(
                    done.history.map { it.source } == listOf("notification", "accept", "item.complete", "item.confirm"),
                    "the order's history shows each step: ${done.history.map { it.source }}",
                )
                val pluginVersions = get("${plugin.baseUrl}/merchants/${subscription.authAppId}/versions")
                check(pluginVersions.statusCode() == 200, "a delegated call with the plugin's token succeeds")
                orderId = subscription.commodityOrderId
                orderItem = item
            }
        }
        Registry.open(registryPath).use { reopened ->
            check(reopened.get(revokedAppId)?.status == AuthStatus.REVOKED, "after a restart the registry file still holds the revoked merchant")
            check(reopened.order(orderId)?.itemStatus(orderItem!!) == itemDone(), "after a restart the registry file still holds the order, done")
        }
        println("plugin server example: every step passed")
    }
}
