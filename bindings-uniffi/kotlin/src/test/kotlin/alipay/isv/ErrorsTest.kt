package alipay.isv

import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The sealed `AlipayException` hierarchy: seven kinds, each with `kind()` and `reason()`. */
class ErrorsTest {
    /** Every kind, built as the binding would build it. */
    private val all: List<AlipayException> = listOf(
        AlipayException.Config("bad key"),
        AlipayException.Signature("does not verify"),
        AlipayException.Api("40004", "Business Failed", "isv.code-invalid", "授权码无效", false, "ask the merchant again", null, null, emptyList()),
        AlipayException.Transport("connect timed out", false),
        AlipayException.Protocol("duplicate root node"),
        AlipayException.Store("disk full"),
        AlipayException.Internal("unexpected panic"),
    )

    /** Exhaustive over the sealed class: a new kind breaks compilation here. */
    private fun describe(error: AlipayException): String = when (error) {
        is AlipayException.Config -> "config:${error.reason}"
        is AlipayException.Signature -> "signature:${error.reason}"
        is AlipayException.Api -> "api:${error.code}"
        is AlipayException.Transport -> "transport:${error.reason}:${error.requestSent}"
        is AlipayException.Protocol -> "protocol:${error.reason}"
        is AlipayException.Store -> "store:${error.reason}"
        is AlipayException.Internal -> "internal:${error.reason}"
    }

    @Test
    fun `every kind has a stable name and a reason`() {
        val kinds = all.map { it.kind() }
        assertEquals(listOf("config", "signature", "api", "transport", "protocol", "store", "internal"), kinds)
        for (error in all) {
            assertIs<Exception>(error)
            assertTrue(describe(error).startsWith(error.kind() + ":"))
            assertTrue(error.reason().isNotEmpty(), error.kind())
            assertTrue(error.message.orEmpty().isNotEmpty(), error.kind())
        }
        assertEquals("bad key", all[0].reason())
        assertEquals("unexpected panic", all[6].reason())
        assertFalse((all[3] as AlipayException.Transport).requestSent)
        assertTrue(AlipayException.Transport("read timed out", true).requestSent)
    }

    @Test
    fun `api errors carry every gateway field`() {
        val api = all[2] as AlipayException.Api
        assertEquals("40004", api.code)
        assertEquals("Business Failed", api.msg)
        assertEquals("isv.code-invalid", api.subCode)
        assertEquals("授权码无效", api.subMsg)
        assertFalse(api.signed)
        assertEquals("ask the merchant again", api.hint)
        val reason = api.reason()
        for (part in listOf("40004", "Business Failed", "isv.code-invalid", "授权码无效", "[unsigned]", "ask the merchant")) {
            assertTrue(reason.contains(part), reason)
        }
        assertNull(api.httpStatus)
        assertNull(api.traceId)
        assertTrue(api.links.isEmpty())
        val bare = AlipayException.Api("20000", "Service Currently Unavailable", null, null, true, null, null, null, emptyList())
        assertNull(bare.subCode)
        assertFalse(bare.reason().contains("[unsigned]"), bare.reason())
        // An OpenAPI v3 error: the HTTP status and trace id in the reason, the links as given.
        val v3 = AlipayException.Api(
            "self-invoke-forbidden", "不允许自调用", null, null, false, "pass the merchant's app_auth_token",
            403.toUShort(), "0b1f00001", listOf("https://open.alipay.com/api/errCheck?traceId=0b1f00001"),
        )
        for (part in listOf("self-invoke-forbidden", "HTTP 403", "不允许自调用", "[unsigned]", "app_auth_token", "trace id 0b1f00001")) {
            assertTrue(v3.reason().contains(part), v3.reason())
        }
        assertEquals(1, v3.links.size)
    }

    @Test
    fun `real failures arrive as the right subclass and can be caught as the base`() {
        val config: AlipayException = assertThrows<AlipayException> { PrivateKey.fromText("not a key") }
        assertIs<AlipayException.Config>(config)
        assertEquals("config", config.kind())
        assertTrue(config.message.orEmpty().contains(config.reason()), config.message)
        val verifier = Verifier(PublicKey.fromText(Vectors.keyText("keys/app_2048_public.pem")))
        val signature = assertThrows<AlipayException> { verifier.verify("a=1", "AAAA") }
        assertIs<AlipayException.Signature>(signature)
        assertTrue(signature.reason().contains("SHA256:"), signature.reason())
        val thrown = runCatching { generateKeyPair(1u) }.exceptionOrNull()
        assertIs<AlipayException.Config>(thrown)
    }

    @Test
    fun `a caught panic arrives as the internal kind of the base type`() {
        // Rust panics are caught at the boundary and become `Internal` (see error.rs unit tests);
        // nothing here may raise uniffi's own InternalException instead.
        val internal: AlipayException = AlipayException.Internal("unexpected panic in Signer.sign: boom")
        assertIs<AlipayException.Internal>(internal)
        assertEquals("internal", internal.kind())
        assertTrue(internal.message.orEmpty().contains("boom"), internal.message)
        assertEquals(AlipayException.Config("x").reason, AlipayException.Config("x").reason())
    }
}
