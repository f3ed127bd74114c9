// Hand-written companion of the generated binding (package `alipay.isv`): OpenAPI v3 answers with
// their headers as a Kotlin map or as the JDK HTTP client's `HttpHeaders`, and a prepared v3 request
// as a JDK `HttpRequest`. The generated `IsvConfig.v3Verify` and `IsvConfig.readV3Answer` take a
// `List<HttpHeader>`; these overloads only convert the headers and requests (no protocol logic).
package alipay.isv

import java.net.http.HttpHeaders
import java.net.http.HttpRequest
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

/**
 * Verifies and reads an OpenAPI v3 answer whose headers are a map of one value per name (names in
 * any case). See the `List<HttpHeader>` overload; as for [v3Verify], pass a list (or the JDK's
 * [HttpHeaders]) when the answer may repeat a header.
 *
 * @throws AlipayException as the `List<HttpHeader>` overload does.
 */
fun IsvConfig.readV3Answer(status: Int, headers: Map<String, String>, body: ByteArray, encrypted: Boolean = false): V3Response =
    readV3Answer(status, headers.map { (name, value) -> HttpHeader(name, value) }, body, encrypted)

/**
 * Verifies and reads an OpenAPI v3 answer whose headers are the JDK HTTP client's: every value of
 * every name becomes one [HttpHeader]. See the `List<HttpHeader>` overload.
 *
 * @throws AlipayException as the `List<HttpHeader>` overload does.
 */
fun IsvConfig.readV3Answer(status: Int, headers: HttpHeaders, body: ByteArray, encrypted: Boolean = false): V3Response =
    readV3Answer(status, headers.map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }, body, encrypted)

/**
 * Verifies and reads the JDK HTTP client's answer (read as bytes) to a request of [prepareV3];
 * `encrypted` is the prepared request's [V3HttpRequest.encrypted].
 *
 * @throws AlipayException as the `List<HttpHeader>` overload does.
 */
fun IsvConfig.readV3Answer(response: HttpResponse<ByteArray>, encrypted: Boolean = false): V3Response =
    readV3Answer(response.statusCode(), response.headers(), response.body(), encrypted)

/**
 * The JDK `HttpRequest` of a prepared v3 request: its method, URL, every header and the body bytes,
 * unchanged (send it with `HttpClient.send(request, BodyHandlers.ofByteArray())`, then read the answer
 * with `config.readV3Answer(response, prepared.encrypted)`); `timeout` as
 * [HttpRequest.Builder.timeout].
 */
fun V3HttpRequest.toHttpRequest(timeout: java.time.Duration? = null): HttpRequest {
    val publisher = if (body.isEmpty()) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofByteArray(body)
    val builder = HttpRequest.newBuilder(java.net.URI.create(url)).method(method, publisher)
    headers.forEach { builder.header(it.name, it.value) }
    timeout?.let(builder::timeout)
    return builder.build()
}
