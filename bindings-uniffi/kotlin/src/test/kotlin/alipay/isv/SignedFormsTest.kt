package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Notifications in every form the real gateway has signed them in: the emulator pushes in one fixed
 * form per run (`pushForm`) or a seeded mix (`pushForm = "mixed"`), each `Delivery` says its
 * `signedForm`, and the application gateway's `NotificationVerifier.verifyBodyWithForm` reports the
 * same form for every push it receives; a tampered push is an `AlipayException.Signature`.
 */
class SignedFormsTest {
    private val basicForms = listOf("v1", "v1+empty", "v2", "v2+empty")
    private val everyForm = basicForms + listOf(
        "v1+alipay_cert_sn", "v1+empty+alipay_cert_sn", "v2+alipay_cert_sn", "v2+empty+alipay_cert_sn",
    )

    private fun start(notifyUrl: String, pushForm: String?, seed: ULong? = null, certMode: Boolean = false): Emulator =
        Emulator(
            Apps.APP_ID, Apps.appPublic, notifyUrl = notifyUrl, alipayPrivateKey = Apps.alipayPrivate,
            certMode = certMode, pushForm = pushForm, pushFormSeed = seed,
        )

    /** The application gateway's verifier: by `alipay_cert_sn` in certificate mode, else the public key. */
    private fun verifier(emulator: Emulator): NotificationVerifier =
        if (emulator.isCertMode()) {
            IsvConfig.fromCertificates(
                Apps.APP_ID, Apps.appPrivate, emulator.issueAppCert(Apps.appPublic), emulator.alipayCertPem(),
                emulator.rootCertBundlePem(), gateway = emulator.gatewayUrl(),
            ).notificationVerifier()
        } else {
            NotificationVerifier(emulator.alipayPublicKey())
        }

    /** `merchants` merchants authorise, then each revokes; returns the deliveries once all are acknowledged. */
    private fun authoriseAndRevoke(emulator: Emulator, merchants: Int): List<Delivery> {
        val apps = (1..merchants).map {
            emulator.merchantAuthorizes(appAuthLink(emulator.baseUrl(), Apps.APP_ID, Emulators.REDIRECT).url)
            emulator.deliveries().last().authAppId
        }
        apps.forEach { emulator.revoke(it) }
        assertTrue(emulator.waitForDeliveries((2 * merchants).toUInt(), Duration.ofSeconds(20)))
        val deliveries = emulator.deliveries()
        assertEquals(2 * merchants, deliveries.size)
        assertTrue(deliveries.all { it.acknowledged }, "$deliveries")
        return deliveries
    }

    private fun notifyIdOf(notification: Notification): String? = when (notification) {
        is Notification.AppAuth -> notification.notifyId
        is Notification.Message -> notification.notifyId
        is Notification.ServiceMarketOrder -> notification.notifyId
        is Notification.Other -> notification.params["notify_id"]
    }

    private fun paramsOf(notification: Notification): Map<String, String> = when (notification) {
        is Notification.AppAuth -> notification.params
        is Notification.Message -> notification.params
        is Notification.ServiceMarketOrder -> notification.params
        is Notification.Other -> notification.params
    }

    /** Verifies every body the receiver got: each reports its delivery's form. Returns the forms seen. */
    private fun checkReceived(
        verifier: NotificationVerifier,
        receiver: NotificationReceiver,
        deliveries: List<Delivery>,
    ): Set<String> {
        val byId = deliveries.associateBy { it.notifyId }
        return deliveries.map {
            val verified = verifier.verifyBodyWithForm(receiver.next())
            val delivery = assertNotNull(byId[notifyIdOf(verified.notification)], "$verified")
            assertEquals(delivery.signedForm, verified.signedForm, "$delivery")
            val params = paramsOf(verified.notification)
            assertEquals("+empty" in delivery.signedForm, "isv_ticket" in params, "$delivery")
            assertEquals("+alipay_cert_sn" in delivery.signedForm, "alipay_cert_sn" in params, "$delivery")
            when (val notification = verified.notification) {
                is Notification.AppAuth -> assertEquals("open_app_auth_notify", delivery.kind)
                is Notification.Message -> assertTrue(notification.isAppAuthCancelled)
                is Notification.ServiceMarketOrder, is Notification.Other -> throw AssertionError("unexpected $notification")
            }
            verified.signedForm
        }.toSet()
    }

    @ParameterizedTest
    @ValueSource(strings = ["v1", "v1+empty", "v2", "v2+empty"])
    fun `every push in a fixed form verifies as that form`(form: String) {
        NotificationReceiver().use { receiver ->
            start(receiver.url, form).use { emulator ->
                val deliveries = authoriseAndRevoke(emulator, 2)
                assertEquals(setOf(form), deliveries.map { it.signedForm }.toSet())
                assertEquals(setOf(form), checkReceived(verifier(emulator), receiver, deliveries))
                val params = Apps.decodeForm(deliveries.first().body)
                assertEquals(form, verifier(emulator).verifyParamsWithForm(params).signedForm)
            }
        }
    }

    @Test
    fun `a seeded mix uses every basic form, each push verifying as its own`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url, "mixed", seed = 7uL).use { emulator ->
                val deliveries = authoriseAndRevoke(emulator, 6)
                assertEquals(basicForms.toSet(), checkReceived(verifier(emulator), receiver, deliveries))
                assertTrue(deliveries.none { "alipay_cert_sn" in it.body })
            }
        }
    }

    @Test
    fun `a seeded mix in certificate mode uses every form`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url, "mixed", seed = 11uL, certMode = true).use { emulator ->
                val deliveries = authoriseAndRevoke(emulator, 4)
                assertEquals(everyForm.toSet(), checkReceived(verifier(emulator), receiver, deliveries))
            }
        }
    }

    @Test
    fun `by default authorisations are v1 and cancellations v2, and verifyBody still works`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url, null).use { emulator ->
                val deliveries = authoriseAndRevoke(emulator, 1)
                assertEquals(listOf("v1", "v2"), deliveries.map { it.signedForm })
                val verifier = verifier(emulator)
                deliveries.forEach {
                    val plain = verifier.verifyBody(it.body.toByteArray())
                    assertEquals(verifier.verifyBodyWithForm(it.body.toByteArray()).notification, plain)
                }
                checkReceived(verifier, receiver, deliveries)
            }
        }
    }

    @Test
    fun `tampered pushes fail with a signature exception`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url, "v1+empty").use { emulator ->
                val deliveries = authoriseAndRevoke(emulator, 1)
                val verifier = verifier(emulator)
                for (delivery in deliveries) {
                    assertTrue("&isv_ticket=&" in delivery.body)
                    val withoutEmpty = delivery.body.replace("&isv_ticket=&", "&")
                    assertThrows<AlipayException.Signature> { verifier.verifyBodyWithForm(withoutEmpty.toByteArray()) }
                    assertThrows<AlipayException.Signature> { verifier.verifyBody(withoutEmpty.toByteArray()) }
                    val changed = delivery.body.replaceFirst("notify_id=", "notify_id=0")
                    assertThrows<AlipayException.Signature> { verifier.verifyBodyWithForm(changed.toByteArray()) }
                }
            }
        }
    }

    @Test
    fun `toString shows the form and no token`() {
        NotificationReceiver().use { receiver ->
            start(receiver.url, "v2+empty").use { emulator ->
                val delivery = authoriseAndRevoke(emulator, 1).first()
                val verified = verifier(emulator).verifyBodyWithForm(delivery.body.toByteArray())
                val auth = verified.notification as Notification.AppAuth
                for (shown in listOf(delivery.toString(), verified.toString())) {
                    assertTrue("signedForm=v2+empty" in shown, shown)
                    assertFalse(auth.detail.appAuthToken in shown, shown)
                }
            }
        }
    }

    @Test
    fun `bad push forms are config exceptions`() {
        NotificationReceiver().use { receiver ->
            assertThrows<AlipayException.Config> { start(receiver.url, "v3") }
            assertThrows<AlipayException.Config> { start(receiver.url, "v1", seed = 1uL) }
            val outside = assertThrows<AlipayException.Config> { start(receiver.url, "v1+alipay_cert_sn") }
            assertTrue("certificate mode" in outside.reason(), outside.reason())
        }
    }
}
