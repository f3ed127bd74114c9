// Hand-written companion of the generated binding (package `alipay.isv`): OpenAPI v3 answers with
// their headers as a Kotlin map or as the JDK HTTP client's `HttpHeaders`. The generated
// `IsvConfig.v3Verify` takes a `List<HttpHeader>`; these overloads only convert the headers (no
// protocol logic).
package alipay.isv

import java.net.http.HttpHeaders
import java.net.http.HttpResponse

/**
 * Verifies an OpenAPI v3 answer whose headers are a map of one value per name (names in any case).
 * A map cannot carry a header twice: when the answer may repeat one, pass the list of
 * [HttpHeader]s (or the JDK's [HttpHeaders]) so that a repeated signature header is refused. See
 * the `List<HttpHeader>` overload.
 *
 * @throws AlipayException.Signature, AlipayException.Protocol as the `List<HttpHeader>` overload
 *   does.
 */
fun IsvConfig.v3Verify(status: Int, headers: Map<String, String>, body: ByteArray): V3Verdict =
    v3Verify(status, headers.map { (name, value) -> HttpHeader(name, value) }, body)

/**
 * Verifies an OpenAPI v3 answer whose headers are the JDK HTTP client's ([HttpResponse.headers]):
 * every value of every name becomes one [HttpHeader], so a repeated header stays repeated. See the
 * `List<HttpHeader>` overload.
 *
 * @throws AlipayException.Signature, AlipayException.Protocol as the `List<HttpHeader>` overload
 *   does.
 */
fun IsvConfig.v3Verify(status: Int, headers: HttpHeaders, body: ByteArray): V3Verdict =
    v3Verify(status, headers.map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }, body)

/**
 * Verifies an OpenAPI v3 answer of the JDK HTTP client read as bytes
 * (`client.send(request, BodyHandlers.ofByteArray())`): its status, headers and raw body.
 *
 * @throws AlipayException.Signature, AlipayException.Protocol as the `List<HttpHeader>` overload
 *   does.
 */
fun IsvConfig.v3Verify(response: HttpResponse<ByteArray>): V3Verdict =
    v3Verify(response.statusCode(), response.headers(), response.body())
