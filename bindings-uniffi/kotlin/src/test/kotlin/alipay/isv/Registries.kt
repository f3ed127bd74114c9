package alipay.isv

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration

/** Helpers of the registry tests: authorisations on the emulator, its verified pushes, hand-made records and messages. */
object Registries {
    const val TOKEN_METHOD = "alipay.open.auth.token.app"
    const val APP_AUTH_NOTIFY = "open_app_auth_notify"
    const val CANCELLED = "alipay.open.auth.appauth.cancelled"
    const val PID = "2088000000000001"

    /** An emulator for the test app whose merchant tokens live `tokenTtl`. */
    fun emulator(tokenTtl: Duration): Emulator = Emulator(
        Apps.APP_ID,
        Apps.appPublic,
        alipayPrivateKey = Apps.alipayPrivate,
        appAuthTokenTtl = tokenTtl,
    )

    /**
     * A merchant authorises through the emulator's page (a batch of `types` when given; again for
     * `authAppId` when given): every token of the exchange.
     */
    fun authoriseAll(
        emulator: Emulator,
        client: Client,
        types: List<ApplicationType> = emptyList(),
        authAppId: String? = null,
    ): List<AppAuthToken> {
        val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, Emulators.REDIRECT, types)
        val url = if (authAppId == null) link.url else "${link.url}&auth_app_id=$authAppId"
        val callback = parseAppAuthCallback(emulator.merchantAuthorizes(url), Apps.APP_ID, StateCheck.Expect(link.state))
        return client.exchangeAppAuthCode(callback.appAuthCode)
    }

    /** The latest push of `kind`, verified the way an application gateway does. */
    fun pushed(emulator: Emulator, verifier: NotificationVerifier, kind: String): Notification {
        val delivery = emulator.deliveries().last { it.kind == kind }
        return verifier.verifyBody(delivery.body.toByteArray())
    }

    /** A token record as an exchange returns it. */
    fun token(authAppId: String, value: String, expiresIn: Long = 31_536_000) =
        AppAuthToken(value, "$value-refresh", authAppId, PID, expiresIn, 32_140_800)

    /** A (hand-made) authorisation notification of `value`, authorised at `authTimeMs`. */
    fun authorisation(notifyId: String, authAppId: String, value: String, authTimeMs: Long) = Notification.AppAuth(
        notifyId = notifyId,
        notifyTime = null,
        appId = Apps.APP_ID,
        status = "execute_auth",
        detail = AppAuthDetail(value, "$value-refresh", PID, authAppId, 31_536_000, 32_140_800, authTimeMs, null),
        params = emptyMap(),
    )

    /** A (hand-made) cancellation of `authAppId` sent at `atMs`. */
    fun cancellation(notifyId: String, authAppId: String, atMs: Long) = Notification.Message(
        msgMethod = CANCELLED,
        notifyId = notifyId,
        utcTimestamp = atMs.toString(),
        appId = Apps.APP_ID,
        msgAppId = authAppId,
        msgUid = PID,
        bizContentJson = """{"auth_app_id":"$authAppId"}""",
        isAppAuthCancelled = true,
        params = emptyMap(),
    )

    /** The bytes of the SQLite file at `path` and of its write-ahead log, if any. */
    fun fileBytes(path: Path): ByteArray {
        val wal = Path.of("$path-wal")
        return Files.readAllBytes(path) + (if (Files.exists(wal)) Files.readAllBytes(wal) else ByteArray(0))
    }

    /** Whether `needle` occurs in `haystack`. */
    fun contains(haystack: ByteArray, needle: String): Boolean =
        String(haystack, Charsets.ISO_8859_1).contains(needle)
}
