package alipay.isv

import java.io.File
import org.json.JSONObject

/** Loads the shared cross-language vectors of tests/vectors (the `vectors.dir` system property). */
object Vectors {
    /** The tests/vectors directory, set by Surefire. */
    val dir: File = File(
        System.getProperty("vectors.dir") ?: error("the vectors.dir system property is not set"),
    )

    /** The parsed keys.json. */
    val keys: JSONObject by lazy { load("keys.json") }

    /** The parsed sign.json. */
    val sign: JSONObject by lazy { load("sign.json") }

    /** Every case of keys.json. */
    val keyCases: List<JSONObject> by lazy { objects(keys, "cases") }

    /** Every signing case of sign.json. */
    val signCases: List<JSONObject> by lazy { objects(sign, "cases") }

    /** Every verification case of sign.json. */
    val verifyCases: List<JSONObject> by lazy { objects(sign, "verify_cases") }

    /** Every case of responses.json. */
    val responseCases: List<JSONObject> by lazy { objects(load("responses.json"), "cases") }

    /** Every case of notifications.json. */
    val notificationCases: List<JSONObject> by lazy { objects(load("notifications.json"), "cases") }

    /** Every case of real_notifications.json: genuine notifications signed by Alipay, and tampered twins. */
    val realNotificationCases: List<JSONObject> by lazy { objects(load("real_notifications.json"), "cases") }

    /** The parsed certs.json (certificate mode). */
    val certs: JSONObject by lazy { load("certs.json") }

    /** Every case of one list of certs.json: `sn_cases`, `root_cases`, `chain_cases` or `config_cases`. */
    fun certCases(list: String): List<JSONObject> = objects(certs, list)

    /** The exact bytes of a file, `relative` to tests/vectors. */
    fun bytes(relative: String): ByteArray = File(dir, relative).readBytes()

    /** A file, `relative` to tests/vectors. */
    fun file(relative: String): File = File(dir, relative)

    /** The exact bytes of a protocol case: `body` as UTF-8, or `body_base64` decoded. */
    fun body(case: JSONObject): ByteArray = if (case.has("body")) {
        case.getString("body").toByteArray(Charsets.UTF_8)
    } else {
        java.util.Base64.getDecoder().decode(case.getString("body_base64"))
    }

    /** A string field that is absent or JSON null, as null. */
    fun optText(case: JSONObject, field: String): String? = if (case.isNull(field)) null else case.get(field).toString()

    /** Whether `actual` holds every entry of `expected`, compared as JSON values. */
    fun containsJson(actual: JSONObject, expected: JSONObject): Boolean = expected.keySet().all { key ->
        actual.has(key) && sameJson(actual.get(key), expected.get(key))
    }

    private fun sameJson(actual: Any?, expected: Any?): Boolean = when (expected) {
        is JSONObject -> expected.similar(actual)
        is org.json.JSONArray -> expected.similar(actual)
        is Number -> actual is Number && actual.toString() == expected.toString()
        else -> actual == expected
    }

    /** The text of a key file, `relative` to tests/vectors. */
    fun keyText(relative: String): String = File(dir, relative).readText(Charsets.UTF_8)

    /** The `params` object of a signing case, as a map. */
    fun params(case: JSONObject): Map<String, String> {
        val params = case.getJSONObject("params")
        return params.keySet().associateWith { params.getString(it) }
    }

    /** The private key of a case. */
    fun privateKey(case: JSONObject): PrivateKey = PrivateKey.fromText(keyText(case.getString("private_key")))

    /** The public key of a case. */
    fun publicKey(case: JSONObject): PublicKey = PublicKey.fromText(keyText(case.getString("public_key")))

    /** The sign type of a case, parsed by the binding. */
    fun signType(case: JSONObject): SignType = parseSignType(case.getString("sign_type"))

    /** The charset of a case, parsed by the binding. */
    fun charset(case: JSONObject): Charset = parseCharset(case.getString("charset"))

    /** The Base64 body of a PEM or bare Base64 key file (armour lines, even inline, and whitespace removed). */
    fun base64Body(text: String): String = text.replace(ARMOUR, "").filterNot { it.isWhitespace() }

    private val ARMOUR = Regex("-----(BEGIN|END) [A-Z0-9 ]+-----")

    private fun load(name: String): JSONObject = JSONObject(File(dir, name).readText(Charsets.UTF_8))

    private fun objects(root: JSONObject, field: String): List<JSONObject> {
        val array = root.getJSONArray(field)
        return (0 until array.length()).map { array.getJSONObject(it) }
    }
}
