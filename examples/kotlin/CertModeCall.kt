// Certificate-mode example of the Kotlin/JVM binding (公钥证书模式): configure the app with its
// certificates, call the gateway, follow an Alipay certificate rotation.
//
// Run it with scripts/test-kotlin.sh (it exits non-zero if anything does not behave as shown). The
// offline emulator plays the gateway and hands out the certificates; a real app reads its three
// files instead: `IsvConfig.fromCertificates(appId, key, Path.of("appCertPublicKey_<appId>.crt"),
// Path.of("alipayCertPublicKey_RSA2.crt"), Path.of("alipayRootCert.crt"))`.
package alipay.isv.examples

import alipay.isv.CallOptions
import alipay.isv.Client
import alipay.isv.Emulator
import alipay.isv.IsvConfig
import alipay.isv.StateCheck
import alipay.isv.alipayCertDownloadMethod
import alipay.isv.alipayRootCertSn
import alipay.isv.appAuthLink
import alipay.isv.fromCertificates
import alipay.isv.generateKeyPair
import alipay.isv.parseAppAuthCallback
import kotlin.system.exitProcess

/** The example as a class with a `main`. */
object CertModeCall {
    @JvmStatic
    fun main(args: Array<String>) {
        val app = generateKeyPair()
        Emulator("2021000000000001", app.publicKey, certMode = true).use { gateway ->
            // The three files of certificate mode, as PEM text.
            val appCert = gateway.issueAppCert(app.publicKey)
            val rootCert = gateway.rootCertBundlePem()
            println("alipay_root_cert_sn = ${alipayRootCertSn(rootCert)}")

            val config = IsvConfig.fromCertificates(
                "2021000000000001", app.privateKey, appCert, gateway.alipayCertPem(), rootCert,
                gateway = gateway.gatewayUrl(),
            )
            println(config) // app id, gateway, fingerprints and the three SNs
            val client = Client(config)

            // A merchant authorises the app on the emulator's page; its token makes delegated calls.
            val link = appAuthLink(gateway.baseUrl(), "2021000000000001", "https://isv.example.com/callback")
            val callback = parseAppAuthCallback(
                gateway.merchantAuthorizes(link.url), "2021000000000001", StateCheck.Expect(link.state),
            )
            val token = client.exchangeAppAuthCode(callback.appAuthCode).first().appAuthToken
            fun call(): String? = client.execute(
                "alipay.open.mini.version.list.query", CallOptions(appAuthToken = token),
            ).alipayCertSn // the Alipay certificate that signed the answer
            println("first call signed by ${call()}")

            // Alipay rotates its certificate: the client downloads the new one, checks it against the
            // root bundle and trusts it — once.
            val rotated = gateway.rotateAlipayCert()
            val signer = call()
            println("after rotation signed by $signer")
            if (signer != rotated) exitProcess(1)
            val downloads = gateway.callCount(alipayCertDownloadMethod())
            println("trusted = ${config.trustedAlipayCertSns()}, downloads = $downloads")
            if (rotated !in config.trustedAlipayCertSns() || downloads != 1uL) exitProcess(1)
        }
    }
}
