// Signed-call example of the Kotlin/JVM binding (package `alipay.isv`): configure the app, sign a
// delegated request, verify the gateway's answer and a notification.
//
// Run it with scripts/test-kotlin.sh (it exits non-zero if anything does not behave as shown). The
// "Alipay" key pair is generated here so that the example can play the gateway too; a real app
// loads its own private key and the Alipay public key copied from the console.
package alipay.isv.examples

import alipay.isv.AlipayException
import alipay.isv.CallOptions
import alipay.isv.IsvConfig
import alipay.isv.Notification
import alipay.isv.Signer
import alipay.isv.generateKeyPair
import alipay.isv.successAck
import kotlin.system.exitProcess

/** The example as a class with a `main`, next to SignAndVerify.kt in the same package. */
object SignedCall {
    @JvmStatic
    fun main(args: Array<String>) {
        val app = generateKeyPair()
        val alipay = generateKeyPair() // stands in for the gateway's key pair
        val config = IsvConfig("2021000000000001", app.privateKey, alipay.publicKey, gateway = "sandbox")
        println(config)

        // A delegated call for a merchant (代调用): its app_auth_token, biz_content as JSON text.
        val request = config.signRequest(
            "alipay.trade.query",
            CallOptions(
                appAuthToken = "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21",
                bizContent = """{"out_trade_no":"20261121150405000001"}""",
            ),
        )
        val http = request.httpRequest() // POST http.body to http.url with http.contentType
        println("$request\n$http")

        // The gateway's answer, verified over the exact bytes received.
        val node = """{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}"""
        val sign = Signer(alipay.privateKey).sign(node)
        val body = """{"alipay_trade_query_response":$node,"sign":"$sign"}""".toByteArray()
        val response = config.responseVerifier().verify("alipay.trade.query", body)
        println("trade_status = ${response.fields["trade_status"]}")

        // A tampered answer is refused with a typed error.
        val tampered = String(body).replace("TRADE_SUCCESS", "TRADE_CLOSED").toByteArray()
        try {
            config.responseVerifier().verify("alipay.trade.query", tampered)
            println("a tampered answer was accepted")
            exitProcess(1)
        } catch (refused: AlipayException.Signature) {
            println("tampered answer refused: ${refused.kind()}")
        }

        // A message on the application gateway: a merchant revoked the authorisation.
        val params = mapOf("msg_method" to "alipay.open.auth.appauth.cancelled", "notify_id" to "n1", "biz_content" to "{}")
        val notification = config.notificationVerifier()
            .verifyParams(params + ("sign" to Signer(alipay.privateKey).signParams(params).sign))
        when (notification) {
            is Notification.Message -> println("${notification.msgMethod}: cancelled=${notification.isAppAuthCancelled}")
            is Notification.AppAuth, is Notification.ServiceMarketOrder, is Notification.Other -> exitProcess(1)
        }
        println("answer: ${successAck()}")
    }
}
