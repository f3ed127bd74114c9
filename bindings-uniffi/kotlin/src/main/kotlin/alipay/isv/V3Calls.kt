// Hand-written companion of the generated binding (package `alipay.isv`): OpenAPI v3 calls built from
// Kotlin maps and files. The generated `V3Call` takes its query as a list of `QueryParam`s and its
// body as JSON text; these helpers only convert Kotlin values to those (no protocol logic).
package alipay.isv

import java.nio.file.Path

/**
 * Serialises a map to compact JSON text, once (the body of a [V3Call]: `body = jsonOf(mapOf(…))`).
 * The same serialiser as [bizContentOf]: values may be `null`, [String], [Boolean], finite [Number],
 * [Map] with string keys, [Iterable], [Array] or any other object (its `toString()`); insertion
 * order is kept.
 *
 * @throws IllegalArgumentException for a non-finite number or a map key that is not a string.
 */
fun jsonOf(map: Map<String, Any?>): String = bizContentOf(map)

/** Query parameters in the order given (`queryOf("page_num" to "1", "page_size" to "20")`). */
fun queryOf(vararg pairs: Pair<String, String>): List<QueryParam> = pairs.map { (name, value) -> QueryParam(name, value) }

/** Query parameters in the map's iteration order (a `LinkedHashMap`, e.g. `mapOf`, keeps insertion order). */
fun queryOf(map: Map<String, String>): List<QueryParam> = map.map { (name, value) -> QueryParam(name, value) }

/**
 * A [V3Call] whose query is a map and whose body is a map serialised once by [jsonOf] (null: no
 * body) — e.g. `V3Call.of("POST", "/v3/alipay/open/mini/version/list/query", json = mapOf(),
 * appAuthToken = token)`. To send JSON text you already have, use the `V3Call` constructor's `body`.
 *
 * @throws IllegalArgumentException as [jsonOf] does.
 */
fun V3Call.Companion.of(
    method: String,
    path: String,
    query: Map<String, String> = emptyMap(),
    json: Map<String, Any?>? = null,
    appAuthToken: String? = null,
    encrypt: Boolean = false,
    files: List<V3File> = emptyList(),
    requestId: String? = null,
): V3Call = V3Call(method, path, queryOf(query), json?.let(::jsonOf), appAuthToken, encrypt, files, requestId)

/**
 * An upload file held in memory: `V3File.fromBytes("file_content", "shop.jpg", jpeg)`; a null
 * `contentType` is guessed from the extension.
 */
fun V3File.Companion.fromBytes(field: String, fileName: String, bytes: ByteArray, contentType: String? = null): V3File =
    V3File(field, fileName, V3FileSource.Bytes(bytes), contentType)

/**
 * An upload file on disk, streamed when the call is sent: `V3File.fromPath("file_content",
 * Path.of("shop.jpg"))`, sent under the path's own file name unless `fileName` is given; a null
 * `contentType` is guessed from the extension.
 */
fun V3File.Companion.fromPath(field: String, path: Path, contentType: String? = null, fileName: String = ""): V3File =
    V3File(field, fileName, V3FileSource.Path(path.toString()), contentType)
