package alipay.isv

import alipay.isv.Emulators.REDIRECT
import alipay.isv.Emulators.USER_REDIRECT
import alipay.isv.Emulators.VERSIONS
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * No secret leaks: the whole flow against the emulator (authorise, exchange, registry ingest with
 * encryption at rest, expiry-driven refresh, notifications, user consent, user token, user info,
 * user refresh, faults, revocation) with generated keys and every token and code the flow sees, plus
 * deliberately provoked failures (wrong state, used codes, tampered notification, wrong token key,
 * revoked merchant, bad key text carrying a marker). Then every error text (message, reason,
 * toString, stack trace), every toString of every object touched, and everything written to
 * System.out/err and to the native stdout/stderr is searched: no token, code or private-key material.
 */
class SecretsTest {
    @TempDir
    lateinit var dir: Path

    /** Every text searched, by where it came from. */
    private val shown = ArrayList<Pair<String, String>>()
    private val secrets = SecretCatalog()
    private var errors = 0

    /** Records the `toString()` of each object. */
    private fun show(name: String, vararg objects: Any?) {
        for ((index, value) in objects.withIndex()) shown += "toString of $name #$index" to value.toString()
    }

    /** Records every text of `error`. */
    private fun record(what: String, error: AlipayException) {
        errors++
        shown += "$what: toString" to error.toString()
        shown += "$what: message" to error.message.orEmpty()
        shown += "$what: reason" to error.reason()
        shown += "$what: stack trace" to error.stackTraceToString()
        if (error is AlipayException.Api) {
            shown += "$what: api fields" to listOf(error.code, error.msg, error.subCode, error.subMsg, error.hint).joinToString()
        }
    }

    /** `body` must throw an `AlipayException`, whose texts are recorded. */
    private fun failing(what: String, body: () -> Any?): AlipayException {
        val error = runCatching(body).exceptionOrNull() ?: fail("$what did not fail")
        assertIs<AlipayException>(error, "$what threw $error")
        record(what, error)
        return error
    }

    /** This text with its last character changed (a near miss of a real token). */
    private fun String.altered(): String = dropLast(1) + (if (last() == '0') '1' else '0')

    /** The registry's current tokens of `id`, recorded as secrets. */
    private fun collect(label: String, registry: Registry, id: String): MerchantAuthorisation {
        val record = assertNotNull(registry.get(id))
        secrets.token("$label app_auth_token", record.appAuthToken)
        secrets.token("$label app_refresh_token", record.appRefreshToken)
        return record
    }

    /** The emulator's tokens in `token`, recorded as secrets. */
    private fun collect(label: String, token: AppAuthToken) {
        secrets.token("$label app_auth_token", token.appAuthToken)
        secrets.token("$label app_refresh_token", token.appRefreshToken)
    }

    @Test
    fun `no token, code or key material in any error, toString or captured output`() {
        val app = generateKeyPair()
        val alipay = generateKeyPair()
        secrets.privateKey("app private key", app.privateKey)
        controlKeyPem = app.privateKey.toPkcs1Pem()
        secrets.privateKey("alipay private key", alipay.privateKey)
        val tokenKeyText = generateTokenKey()
        secrets.base64("token key", tokenKeyText)
        val tokenKey = TokenKey.fromBase64(tokenKeyText)
        show("keys", app, alipay, app.privateKey, app.publicKey, alipay.privateKey, tokenKey)

        val hooks = DebugHooks.available()
        if (!hooks) {
            println("SecretsTest: no debug-only hooks in this build: native fd 2 probed by a write, not a Rust panic")
        }
        val capture = OutputCapture()
        try {
            capture.writeNative(1, "native stdout probe 51c2\n")
            if (hooks) {
                // A panic prints its message on the native stderr: the probe that the capture sees Rust output.
                failing("panic probe") { DebugHooks.panicForTests("native stderr probe 9e0d") }
            } else {
                // A release build has no hook to panic with (DebugHooks): native fd 2 is probed by a write.
                capture.writeNative(2, "native stderr probe 9e0d\n")
            }
            flow(app, alipay, tokenKey)
            badKeys(app)
        } finally {
            capture.close()
        }
        val captured = capture.texts()
        assertContains(captured.single { it.first == "native fd 1" }.second, "native stdout probe 51c2")
        assertContains(captured.single { it.first == "native fd 2" }.second, "native stderr probe 9e0d")
        shown += captured

        assertTrue(secrets.tokens >= 12, "the flow collected ${secrets.tokens} tokens and codes")
        assertTrue(errors >= 20, "only $errors errors were provoked")
        val findings = secrets.findIn(shown)
        assertTrue(findings.isEmpty(), "secrets found in ${shown.size} texts:\n" + findings.joinToString("\n"))
        val chars = shown.sumOf { it.second.length }
        println(
            "SecretsTest: ${shown.size} texts ($chars chars) clean of ${secrets.tokens} tokens and codes, " +
                "2 private keys and a token key; $errors errors provoked",
        )

        // The search itself finds what it must (and not a masked prefix).
        val token = controlToken ?: fail("no control token")
        assertTrue(secrets.findIn(listOf("control" to "x${token}y")).isNotEmpty())
        assertTrue(secrets.findIn(listOf("control" to token.substring(3, 15))).isNotEmpty())
        assertTrue(secrets.findIn(listOf("control" to "${token.take(4)}…(${token.length} chars)")).isEmpty())
        assertTrue(secrets.findIn(listOf("control" to controlKeyPem!!.lines()[15])).isNotEmpty())
        assertTrue(secrets.findIn(listOf("control" to "202611BB0123456789ab")).isNotEmpty(), "an unseen token shape")
    }

    /** A token and a private key PEM of the flow, for the control checks of the search. */
    private var controlToken: String? = null
    private var controlKeyPem: String? = null

    /** The emulator flow, merchant and user, with its provoked failures. */
    private fun flow(app: KeyPair, alipay: KeyPair, tokenKey: TokenKey) {
        NotificationReceiver().use { receiver ->
            Emulator(
                Apps.APP_ID,
                app.publicKey,
                notifyUrl = receiver.url,
                alipayPrivateKey = alipay.privateKey,
                appAuthTokenTtl = Duration.ofHours(1),
            ).use { emulator ->
                val config = IsvConfig(Apps.APP_ID, app.privateKey, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl())
                val options = TransportOptions(connectTimeout = Duration.ofSeconds(2), readTimeout = Duration.ofSeconds(2))
                val client = Client(config, options)
                val verifier = config.notificationVerifier()
                show("setup", emulator, config, client, verifier, options, config.responseVerifier())

                // The merchant authorises; the callback is checked, wrongly too.
                val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, REDIRECT)
                val callbackUrl = emulator.merchantAuthorizes(link.url)
                val callback = parseAppAuthCallback(callbackUrl, Apps.APP_ID, StateCheck.Expect(link.state))
                secrets.token("app_auth_code", callback.appAuthCode)
                show("callback", link, callback, StateCheck.Expect(link.state))
                failing("wrong state") { parseAppAuthCallback(callbackUrl, Apps.APP_ID, StateCheck.Expect(generateState())) }
                failing("unexpected state") { parseAppAuthCallback(callbackUrl, Apps.APP_ID, StateCheck.AllowMissing(generateState())) }
                failing("another app") { parseAppAuthCallback(callbackUrl, "2021999999999999", StateCheck.Expect(link.state)) }

                val tokens = client.exchangeAppAuthCode(callback.appAuthCode)
                tokens.forEach { collect("exchanged", it) }
                show("tokens", tokens, *tokens.toTypedArray())
                failing("used app_auth_code") { client.exchangeAppAuthCode(callback.appAuthCode) }
                val token = tokens.single()
                val id = token.authAppId
                controlToken = token.appAuthToken

                val path = dir.resolve("secrets.db").toString()
                Registry.open(path, tokenKey, client = client, refreshMargin = Duration.ofHours(2)).use { registry ->
                    show("ingest", registry, registry.ingestTokens(tokens))
                    // The margin exceeds the token's life: tokenFor refreshes.
                    val current = registry.tokenFor(id)
                    assertNotEquals(token.appAuthToken, current)
                    val record = collect("registry-refreshed", registry, id)
                    assertEquals(current, record.appAuthToken)
                    show("records", record, registry.list(), registry.byMerchant(assertNotNull(token.userId)))
                    failing("wrong token key") { Registry.open(path, TokenKey.fromBase64(generateTokenKey())) }
                    failing("no token key") { Registry.open(path) }

                    // The authorisation push, verified, ingested, and tampered with.
                    val granted = verifier.verifyBody(receiver.next())
                    assertIs<Notification.AppAuth>(granted)
                    secrets.token("pushed app_auth_token", granted.detail.appAuthToken)
                    secrets.token("pushed app_refresh_token", granted.detail.appRefreshToken)
                    show("push", granted, granted.detail, registry.ingestNotification(granted))
                    val pushed = emulator.deliveries().first().body
                    val tampered = pushed.replace(granted.detail.appAuthToken, granted.detail.appAuthToken.altered())
                    assertNotEquals(pushed, tampered)
                    failing("tampered push") { verifier.verifyBody(tampered.toByteArray()) }
                    failing("push with an extra parameter") { verifier.verifyBody("$pushed&extra=1".toByteArray()) }
                    failing("truncated push") { verifier.verifyBody(pushed.take(pushed.length / 2).toByteArray()) }

                    // The user consents; the code is exchanged on the merchant's behalf.
                    val consent = userConsentLink(emulator.baseUrl(), id, listOf(UserScope.AUTH_USER), USER_REDIRECT)
                    val userCallbackUrl = emulator.userConsents(consent.url)
                    val userCallback = parseUserAuthCallback(userCallbackUrl, id, StateCheck.Expect(consent.state))
                    secrets.token("auth_code", userCallback.authCode)
                    show("user callback", consent, userCallback)
                    failing("wrong user state") { parseUserAuthCallback(userCallbackUrl, id, StateCheck.Expect(generateState())) }
                    val user = client.exchangeUserAuthCode(userCallback.authCode, current)
                    secrets.token("access_token", user.accessToken)
                    secrets.token("user refresh_token", user.refreshToken)
                    show("user token", user)
                    failing("used auth_code") { client.exchangeUserAuthCode(userCallback.authCode, current) }
                    show("user info", client.userInfoShare(user.accessToken, current))
                    failing("bad access_token") { client.userInfoShare(user.accessToken.altered(), current) }
                    val refreshedUser = client.refreshUserToken(assertNotNull(user.refreshToken), current)
                    secrets.token("refreshed access_token", refreshedUser.accessToken)
                    secrets.token("refreshed user refresh_token", refreshedUser.refreshToken)
                    show("refreshed user", refreshedUser)
                    failing("bad user refresh_token") { client.refreshUserToken(user.refreshToken!!.altered(), current) }

                    // Delegated calls, a query, requests signed by hand.
                    val delegated = CallOptions(appAuthToken = current, authToken = refreshedUser.accessToken)
                    show("calls", delegated, registry.executeFor(id, VERSIONS), client.queryAppAuthToken(current))
                    show("record after executeFor", collect("executeFor-refreshed", registry, id))
                    val signed = config.signRequest(VERSIONS, delegated)
                    show("signed request", signed, signed.httpRequest())
                    failing("unknown app_auth_token") { client.queryAppAuthToken(current.altered()) }
                    failing("unknown token on a call") { client.execute(VERSIONS, CallOptions(appAuthToken = current.altered())) }
                    failing("bad app_refresh_token") { client.refreshAppAuthToken(record.appRefreshToken!!.altered()) }
                    failing("a wrong signature over token content") {
                        Verifier(app.publicKey).verify("app_auth_token=$current&auth_token=${refreshedUser.accessToken}", "AAAA")
                    }

                    // Faults on calls whose answers carry tokens (an unsigned refresh answer is refused).
                    val small = Client(config, TransportOptions(readTimeout = Duration.ofSeconds(2), maxResponseBytes = 1024UL * 1024UL))
                    for (fault in listOf(Fault.Unsigned, Fault.TruncatedBody, Fault.BadGateway, Fault.Oversized(2UL * 1024UL * 1024UL))) {
                        emulator.setFault(fault, 1u)
                        failing("$fault on a user refresh") { small.refreshUserToken(refreshedUser.refreshToken!!, current) }
                        show("fault", fault)
                    }
                    emulator.setFault(Fault.Unsigned, 1u)
                    failing("unsigned exchange") { client.exchangeUserAuthCode(userCallback.authCode, current) }

                    // The merchant revokes: every use of its tokens fails.
                    emulator.revoke(id)
                    val cancelled = verifier.verifyBody(receiver.next())
                    show("cancellation", cancelled, registry.ingestNotification(cancelled), assertNotNull(registry.get(id)))
                    failing("revoked: tokenFor") { registry.tokenFor(id) }
                    failing("revoked: executeFor") { registry.executeFor(id, VERSIONS) }
                    failing("revoked: call") { client.execute(VERSIONS, CallOptions(appAuthToken = current)) }
                    failing("revoked: refresh") { client.refreshAppAuthToken(record.appRefreshToken!!) }
                    val revokedInfo = client.queryAppAuthToken(current)
                    assertTrue(!revokedInfo.isValid, "$revokedInfo")
                    show("revoked query", revokedInfo)
                }
                assertTrue(emulator.waitForDeliveries(2u, Duration.ofSeconds(10)))
                show("deliveries", emulator.deliveries(), *emulator.deliveries().toTypedArray())
                emulator.stop()
                failing("stopped emulator") { emulator.merchantAuthorizes(link.url) }
                show("stopped", emulator)
            }
        }
    }

    /** Key text that does not parse, carrying a marker or real key material: never echoed. */
    private fun badKeys(app: KeyPair) {
        val marker = "Zq7SECRETMARKERxK9"
        secrets.marker("the marker", marker)
        val pkcs8 = app.privateKey.toPkcs8Base64()
        val pkcs1 = app.privateKey.toPkcs1Base64()
        val pem = app.privateKey.toPkcs8Pem()
        val texts = listOf(
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${marker}AAAA\n-----END PRIVATE KEY-----\n",
            "MIIEvQIBADAN$marker",
            "not a key $marker !!!",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n$marker\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\n${pkcs1.take(pkcs1.length / 2)}\n-----END RSA PRIVATE KEY-----\n",
            pkcs8.substring(0, 600) + "!" + pkcs8.substring(601),
            pkcs8.take(pkcs8.length - 40),
            pem.replace("-----END PRIVATE KEY-----", ""),
            "-----BEGIN CERTIFICATE-----\n$pkcs8\n-----END CERTIFICATE-----\n",
        )
        for ((index, text) in texts.withIndex()) {
            failing("PrivateKey.fromText #$index") { PrivateKey.fromText(text) }
            failing("PublicKey.fromText #$index") { PublicKey.fromText(text) }
        }
        failing("a private key as a public key") { PublicKey.fromText(pem) }
        failing("a private key as the emulator's public key") { Emulator.fromPem(Apps.APP_ID, pem) }
        val der = java.util.Base64.getDecoder().decode(pkcs8)
        failing("truncated DER") { PrivateKey.fromDer(der.copyOf(der.size - 1)) }
        failing("a private key's DER as a public key") { PublicKey.fromDer(der) }
        failing("marker DER") { PrivateKey.fromDer(marker.toByteArray()) }
        failing("a marker token key") { TokenKey.fromBase64(marker) }
        failing("a bad key pair size") { generateKeyPair(1000u) }
    }
}
