// Sign-and-verify example of the Kotlin/JVM binding (package `alipay.isv`).
//
// Run it with scripts/test-kotlin.sh, which builds the native library, generates the binding,
// compiles this file with the Maven project in bindings-uniffi/kotlin and runs it. It exits non-zero
// if anything does not behave as shown.
package alipay.isv.examples

import alipay.isv.AlipayException
import alipay.isv.Charset
import alipay.isv.SignType
import alipay.isv.Signer
import alipay.isv.Verifier
import alipay.isv.generateKeyPair
import kotlin.system.exitProcess

/** Generates a key pair, signs an `alipay.open.auth.token.app` request, verifies it, then tampers. */
fun main() {
    // A new app key pair; upload `publicKey.toBase64()` to the Alipay console.
    val pair = generateKeyPair()
    println("generated ${pair.privateKey}")
    println("public key to upload: ${pair.publicKey.toBase64().take(24)}…")

    // The request parameters of the token exchange (the merchant's authorization code).
    val params = mapOf(
        "app_id" to "2021000000000001",
        "method" to "alipay.open.auth.token.app",
        "format" to "JSON",
        "charset" to "UTF-8",
        "sign_type" to "RSA2",
        "timestamp" to "2026-11-21 15:04:05",
        "version" to "1.0",
        "biz_content" to """{"grant_type":"authorization_code","code":"P5f3b1c2d4e6a7b8c9d0e1f2a3b4c5d6"}""",
    )
    val signer = Signer(pair.privateKey, SignType.RSA2, Charset.UTF8)
    val signed = signer.signParams(params)
    println("canonical content: ${signed.content}")
    println("sign: ${signed.sign.take(32)}…")

    // Whoever holds the public key checks the signature.
    val verifier = Verifier(pair.publicKey, SignType.RSA2, Charset.UTF8)
    verifier.verify(signed.content, signed.sign)
    println("verified: ok")

    // Any change to the content makes verification throw AlipayException.Signature.
    val tampered = signed.content.replace("authorization_code", "refresh_token")
    try {
        verifier.verify(tampered, signed.sign)
        System.err.println("tampered content verified: this must never happen")
        exitProcess(1)
    } catch (error: AlipayException.Signature) {
        println("tampered content rejected (${error.kind()}): ${error.reason}")
    }
}
