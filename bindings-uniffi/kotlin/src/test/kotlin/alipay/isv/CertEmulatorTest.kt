package alipay.isv

import alipay.isv.Emulators.VERSIONS
import alipay.isv.Emulators.step
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * Certificate mode end to end against the emulator (`certMode = true`): an app certificate issued by
 * the emulator, the configuration in certificate mode, exchange, a delegated call, a push verified by
 * its `alipay_cert_sn`, then an Alipay certificate rotation the client follows through
 * `alipay.open.app.alipaycert.download`, and a downloaded certificate that fails the chain check.
 */
class CertEmulatorTest {
    private val download = alipayCertDownloadMethod()

    private fun start(notifyUrl: String? = null): Emulator = Emulator(
        Apps.APP_ID, Apps.appPublic, notifyUrl = notifyUrl, alipayPrivateKey = Apps.alipayPrivate, certMode = true,
    )

    /** The test app in certificate mode on `gateway`, certificates given as PEM text. */
    private fun certConfig(appCert: String, alipayCert: String, rootCert: String, gateway: String): IsvConfig =
        IsvConfig.fromCertificates(Apps.APP_ID, Apps.appPrivate, appCert, alipayCert, rootCert, gateway = gateway)

    private fun certConfig(emulator: Emulator): IsvConfig = certConfig(
        emulator.issueAppCert(Apps.appPublic), emulator.alipayCertPem(), emulator.rootCertBundlePem(),
        emulator.gatewayUrl(),
    )

    private fun delegated(token: AppAuthToken) = CallOptions(appAuthToken = token.appAuthToken)

    @Test
    fun `the emulator hands out a bundle with an ECDSA root and matching SNs`() {
        start().use { emulator ->
            assertTrue(emulator.isCertMode())
            val bundle = emulator.rootCertBundlePem()
            assertEquals(2, Regex("BEGIN CERTIFICATE").findAll(bundle).count())
            assertEquals(emulator.alipayRootCertSn(), alipayRootCertSn(bundle))
            assertFalse('_' in emulator.alipayRootCertSn(), "the ECDSA root is left out")
            assertEquals(emulator.alipayCertSn(), appCertSn(emulator.alipayCertPem()))
            val appCert = emulator.issueAppCert(Apps.appPublic)
            assertEquals(Apps.appPublic, Certificate.fromText(appCert).publicKey())
            val config = certConfig(emulator)
            assertEquals(emulator.alipayCertSn(), config.alipayCertSn())
            assertEquals(emulator.alipayPublicKey(), config.alipayPublicKey())
        }
        Emulators.start().use { plain ->
            assertFalse(plain.isCertMode())
            assertThrows<AlipayException.Config> { plain.rootCertBundlePem() }
            assertThrows<AlipayException.Config> { plain.rotateAlipayCert() }
            assertThrows<AlipayException.Config> { plain.issueAppCert(Apps.appPublic) }
        }
    }

    @Test
    fun `the whole flow in certificate mode, through a certificate rotation`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url).use { emulator ->
                val config = certConfig(emulator)
                val client = Client(config)
                val first = emulator.alipayCertSn()
                val firstPem = emulator.alipayCertPem()

                val token = step("exchange") { Emulators.authorise(emulator, client) }
                val answer = step("delegated call") { client.execute(VERSIONS, delegated(token)) }
                assertEquals(first, answer.alipayCertSn)

                val pushed = step("app-auth push") { receiver.next() }
                assertContains(String(pushed), "alipay_cert_sn=$first")
                val granted = assertIs<Notification.AppAuth>(config.notificationVerifier().verifyBody(pushed))
                assertEquals(token.appAuthToken, granted.detail.appAuthToken)
                assertIs<Notification.AppAuth>(client.verifyNotification(pushed))
                assertEquals(0uL, emulator.callCount(download))

                val rotated = step("rotate") { emulator.rotateAlipayCert() }
                assertNotEquals(first, rotated)
                assertEquals(rotated, emulator.alipayCertSn())
                assertFalse(rotated in config.trustedAlipayCertSns())
                val after = step("call after rotation") { client.execute(VERSIONS, delegated(token)) }
                assertEquals(rotated, after.alipayCertSn)
                assertEquals(1uL, emulator.callCount(download), "downloaded once")
                assertEquals(listOf(first, rotated).sorted(), config.trustedAlipayCertSns())
                client.execute(VERSIONS, delegated(token))
                assertEquals(1uL, emulator.callCount(download), "cached")
                assertFalse(client.fetchAlipayCert(first))
                assertFalse(client.fetchAlipayCert(rotated))

                step("revoke") { emulator.revoke(token.authAppId) }
                assertTrue(emulator.waitForDeliveries(2u, Duration.ofSeconds(10)))
                val cancelled = step("cancellation push") { receiver.next() }
                assertContains(String(cancelled), "alipay_cert_sn=$rotated")
                val message = assertIs<Notification.Message>(client.verifyNotification(cancelled))
                assertTrue(message.isAppAuthCancelled)
                assertEquals(1uL, emulator.callCount(download), "already trusted")

                val freshConfig = certConfig(
                    emulator.issueAppCert(Apps.appPublic), firstPem, emulator.rootCertBundlePem(), emulator.gatewayUrl(),
                )
                val fresh = Client(freshConfig)
                val sansIo = assertThrows<AlipayException.Signature> {
                    freshConfig.notificationVerifier().verifyBody(cancelled)
                }
                assertContains(sansIo.reason(), rotated)
                assertIs<Notification.Message>(fresh.verifyNotification(String(cancelled)))
                assertEquals(2uL, emulator.callCount(download), "a fresh configuration downloads it once")

                val unknown = assertThrows<AlipayException.Api> { client.fetchAlipayCert("0123456789abcdef0123456789abcdef") }
                assertEquals("api", unknown.kind())
            }
        }
    }

    @Test
    fun `a public-key client is refused by a certificate-mode gateway`() {
        start().use { emulator ->
            val client = Client(IsvConfig(Apps.APP_ID, Apps.appPrivate, emulator.alipayPublicKey(), gateway = emulator.gatewayUrl()))
            val error = assertThrows<AlipayException.Api> { client.execute(VERSIONS) }
            assertEquals("isv.invalid-app-cert-sn", error.subCode, error.toString())
        }
    }

    @Test
    fun `a downloaded certificate that does not chain to the configured root is refused`() {
        start().use { gateway ->
            start().use { other ->
                // Both emulators name their CAs and number their serials alike and sign with the same
                // "Alipay" key, so the other emulator's first Alipay certificate has the same SN and key
                // as the gateway's while its root is a different key: the configuration below works
                // until the gateway rotates, and the rotated certificate does not chain to it.
                assertNotEquals(gateway.rootCertBundlePem(), other.rootCertBundlePem())
                assertEquals(gateway.alipayRootCertSn(), other.alipayRootCertSn())
                assertEquals(gateway.alipayCertSn(), other.alipayCertSn())
                val config = certConfig(
                    gateway.issueAppCert(Apps.appPublic), other.alipayCertPem(), other.rootCertBundlePem(),
                    gateway.gatewayUrl(),
                )
                val client = Client(config)
                val token = step("exchange before the rotation") { Emulators.authorise(gateway, client) }
                client.execute(VERSIONS, delegated(token))

                val rotated = gateway.rotateAlipayCert()
                val refused = assertThrows<AlipayException.Signature> { client.execute(VERSIONS, delegated(token)) }
                assertEquals("signature", refused.kind())
                assertEquals(1uL, gateway.callCount(download), "the certificate was downloaded, then refused")
                assertFalse(rotated in config.trustedAlipayCertSns(), "a refused certificate is not trusted")
                assertContains(refused.reason(), "the Alipay certificate $rotated does not chain to the root bundle")
                val again = assertThrows<AlipayException.Signature> { client.fetchAlipayCert(rotated) }
                assertContains(again.reason(), "does not chain")
                assertEquals(2uL, gateway.callCount(download))
            }
        }
    }
}
