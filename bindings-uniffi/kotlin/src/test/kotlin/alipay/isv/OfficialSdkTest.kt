package alipay.isv

import com.alipay.api.AlipayApiException
import com.alipay.api.internal.util.AlipaySignature
import org.json.JSONObject
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * Conformance with the official Alipay Java SDK (`com.alipay.sdk:alipay-sdk-java`,
 * `AlipaySignature`) on every sign.json case: same canonical content where its rules coincide with
 * ours, byte-identical signatures, and its verification accepts ours.
 *
 * The SDK loads only PKCS#8 private keys and SPKI public keys as bare Base64: the other vector
 * formats are converted for it with the JDK alone ([JdkKeys]), so no case is skipped for its key
 * formats.
 */
class OfficialSdkTest {
    /** Cases where the SDK's content rules differ from ours in every builder, with the named reason (none). */
    private val ruleSkips = mapOf<String, String>()

    /** Cases that `getSignContent` (the request-side builder) alone builds differently. */
    private val requestContentSkips = ruleSkips + listOf(
        "sign_excluded_sign_type_included",
        "notification_shaped_params",
    ).associateWith {
        "getSignContent does not drop a `sign` parameter (requests never hold one); " +
            "getSignCheckContentV2 and rsaCheckV2 cover this case"
    }

    private fun ourSign(case: JSONObject, content: String): String =
        Signer(Vectors.privateKey(case), Vectors.signType(case), Vectors.charset(case)).sign(content)

    private fun sdkPrivate(case: JSONObject) = JdkKeys.pkcs8Base64(Vectors.keyText(case.getString("private_key")))

    private fun sdkPublic(case: JSONObject) = JdkKeys.spkiBase64(Vectors.keyText(case.getString("public_key")))

    @Test
    fun `the skip lists are small and name only cases that exist`() {
        val names = Vectors.signCases.map { it.getString("name") }.toSet()
        // Empty since keys are ordered as Java orders them (UTF-16 code units): the SDK agrees everywhere.
        assertEquals(0, ruleSkips.size, "rule skips changed: ${ruleSkips.keys}")
        assertEquals(2, requestContentSkips.size, "request content skips changed: ${requestContentSkips.keys}")
        for (case in Vectors.signCases) {
            val name = case.getString("name")
            val hasSign = "sign" in Vectors.params(case)
            assertEquals(hasSign || name in ruleSkips, name in requestContentSkips, name)
        }
        for (name in requestContentSkips.keys) assertTrue(name in names, "unknown case $name")
        assertTrue(Vectors.signCases.size - requestContentSkips.size >= 30)
    }

    @Test
    fun `the sdk builds the same canonical content`() {
        var compared = 0
        for (case in Vectors.signCases) {
            val name = case.getString("name")
            val ours = signContent(Vectors.params(case))
            assertEquals(case.getString("content"), ours, name)
            val request = AlipaySignature.getSignContent(HashMap(Vectors.params(case)))
            val check = AlipaySignature.getSignCheckContentV2(HashMap(Vectors.params(case)))
            if (name in requestContentSkips) {
                assertNotEquals(ours, request, "$name is listed as a skip but the SDK now agrees: drop it")
            } else {
                assertEquals(ours, request, "$name (getSignContent)")
                compared++
            }
            if (name in ruleSkips) {
                assertNotEquals(ours, check, "$name is listed as a skip but the SDK now agrees: drop it")
            } else {
                assertEquals(ours, check, "$name (getSignCheckContentV2)")
            }
        }
        assertEquals(Vectors.signCases.size - requestContentSkips.size, compared)
    }

    @Test
    fun `the sdk makes byte-identical signatures`() {
        for (case in Vectors.signCases) {
            val name = case.getString("name")
            val content = case.getString("content")
            val charset = case.getString("charset")
            val signType = case.getString("sign_type")
            val key = sdkPrivate(case)
            val sdk = AlipaySignature.rsaSign(content, key, charset, signType)
            assertEquals(case.getString("sign"), sdk, name)
            assertEquals(ourSign(case, content), sdk, name)
            val specific = when (signType) {
                "RSA2" -> AlipaySignature.rsa256Sign(content, key, charset)
                else -> AlipaySignature.rsaSign(content, key, charset)
            }
            assertEquals(sdk, specific, name)
        }
    }

    @Test
    fun `the sdk accepts our signatures`() {
        for (case in Vectors.signCases) {
            val name = case.getString("name")
            val content = case.getString("content")
            val charset = case.getString("charset")
            val signType = case.getString("sign_type")
            val key = sdkPublic(case)
            val sign = ourSign(case, content)
            assertTrue(AlipaySignature.rsaCheck(content, sign, key, charset, signType), name)
            val specific = when (signType) {
                "RSA2" -> AlipaySignature.rsa256CheckContent(content, sign, key, charset)
                else -> AlipaySignature.rsaCheckContent(content, sign, key, charset)
            }
            assertTrue(specific, name)
            val tampered = content.replaceFirst("2021000000000001", "2021000000000002")
            if (tampered != content) {
                assertTrue(!AlipaySignature.rsaCheck(tampered, sign, key, charset, signType), "$name tampered")
            }
        }
    }

    @Test
    fun `the sdk rsaCheckV1 and rsaCheckV2 accept parameters we sign`() {
        var checked = 0
        for (case in Vectors.signCases) {
            val name = case.getString("name")
            if (name in ruleSkips) continue
            val charset = case.getString("charset")
            val signType = case.getString("sign_type")
            val key = sdkPublic(case)
            val signer = Signer(Vectors.privateKey(case), Vectors.signType(case), Vectors.charset(case))
            // V2 (responses, new notifications): everything but `sign` is signed.
            val v2 = HashMap(Vectors.params(case))
            v2["sign"] = signer.signParams(v2).sign
            assertTrue(AlipaySignature.rsaCheckV2(v2, key, charset, signType), "$name (rsaCheckV2)")
            // V1 (classic notifications): `sign_type` is left out of the signed content as well.
            val v1Params = Vectors.params(case).filterKeys { it != "sign_type" && it != "sign" }
            val signed = signer.signParams(v1Params)
            val v1 = HashMap(v1Params)
            v1["sign"] = signed.sign
            v1["sign_type"] = signType
            assertEquals(signed.content, AlipaySignature.getSignCheckContentV1(HashMap(v1)), name)
            assertTrue(AlipaySignature.rsaCheckV1(v1, key, charset, signType), "$name (rsaCheckV1)")
            v1["sign"] = signer.sign(signed.content + "&x=1")
            assertFalse(AlipaySignature.rsaCheckV1(v1, key, charset, signType), "$name (rsaCheckV1, wrong sign)")
            checked++
        }
        assertEquals(Vectors.signCases.size - ruleSkips.size, checked)
    }

    @Test
    fun `the sdk reaches our verdict on every verify case`() {
        for (case in Vectors.verifyCases) {
            val name = case.getString("name")
            val key = JdkKeys.spkiBase64(Vectors.keyText(case.getString("public_key")))
            val verdict = try {
                AlipaySignature.rsaCheck(
                    case.getString("content"), case.getString("sign"), key,
                    case.getString("charset"), case.getString("sign_type"),
                )
            } catch (rejected: AlipayApiException) {
                false
            }
            assertEquals(case.getBoolean("valid"), verdict, name)
        }
    }
}
