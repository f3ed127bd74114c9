// Hand-written companion of the generated binding (package `alipay.isv`): certificate mode
// (公钥证书模式) with certificates given as text (PEM or Base64) or as file paths. The generated API
// takes every certificate as the file's bytes; these overloads only read or encode them (no
// protocol logic).
package alipay.isv

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant

/**
 * Builds a certificate-mode configuration from certificate texts (PEM or Base64): the app
 * public-key certificate, the Alipay public-key certificate and the Alipay root bundle. See the
 * `ByteArray` overload.
 *
 * @throws AlipayException.Config as the `ByteArray` overload does.
 */
fun IsvConfig.Companion.fromCertificates(
    appId: String,
    privateKey: PrivateKey,
    appCert: String,
    alipayCert: String,
    rootCert: String,
    signType: SignType? = null,
    charset: Charset? = null,
    gateway: String? = null,
    aesKey: AesKey? = null,
    maxBodyBytes: ULong? = null,
    v3Base: String? = null,
    v3AdditionalAuthInfo: String? = null,
): IsvConfig = fromCertificates(
    appId, privateKey, appCert.toByteArray(), alipayCert.toByteArray(), rootCert.toByteArray(),
    signType, charset, gateway, aesKey, maxBodyBytes, v3Base, v3AdditionalAuthInfo,
)

/**
 * Builds a certificate-mode configuration from certificate files (`appCertPublicKey_<app_id>.crt`,
 * `alipayCertPublicKey_RSA2.crt`, `alipayRootCert.crt`). See the `ByteArray` overload.
 *
 * @throws java.io.IOException when a file cannot be read.
 * @throws AlipayException.Config as the `ByteArray` overload does.
 */
fun IsvConfig.Companion.fromCertificates(
    appId: String,
    privateKey: PrivateKey,
    appCert: Path,
    alipayCert: Path,
    rootCert: Path,
    signType: SignType? = null,
    charset: Charset? = null,
    gateway: String? = null,
    aesKey: AesKey? = null,
    maxBodyBytes: ULong? = null,
    v3Base: String? = null,
    v3AdditionalAuthInfo: String? = null,
): IsvConfig = fromCertificates(
    appId, privateKey, Files.readAllBytes(appCert), Files.readAllBytes(alipayCert), Files.readAllBytes(rootCert),
    signType, charset, gateway, aesKey, maxBodyBytes, v3Base, v3AdditionalAuthInfo,
)

/**
 * The `app_cert_sn` of a certificate given as PEM or Base64 text.
 *
 * @throws AlipayException.Config when the text holds no certificate that parses.
 */
fun appCertSn(cert: String): String = appCertSn(cert.toByteArray())

/**
 * The `app_cert_sn` of a certificate file.
 *
 * @throws java.io.IOException when the file cannot be read.
 * @throws AlipayException.Config when it holds no certificate that parses.
 */
fun appCertSn(cert: Path): String = appCertSn(Files.readAllBytes(cert))

/**
 * The `alipay_root_cert_sn` of a root bundle given as PEM or Base64 text.
 *
 * @throws AlipayException.Config when the bundle holds no RSA-signed certificate or an unreadable block.
 */
fun alipayRootCertSn(bundle: String): String = alipayRootCertSn(bundle.toByteArray())

/**
 * The `alipay_root_cert_sn` of a root bundle file (`alipayRootCert.crt`).
 *
 * @throws java.io.IOException when the file cannot be read.
 * @throws AlipayException.Config as the `String` overload does.
 */
fun alipayRootCertSn(bundle: Path): String = alipayRootCertSn(Files.readAllBytes(bundle))

/**
 * The first certificate of a PEM or Base64 text.
 *
 * @throws AlipayException.Config when the text holds no certificate that parses.
 */
fun Certificate.Companion.fromText(text: String): Certificate = Certificate(text.toByteArray())

/**
 * The first certificate of a file (PEM, DER or Base64).
 *
 * @throws java.io.IOException when the file cannot be read.
 * @throws AlipayException.Config when it holds no certificate that parses.
 */
fun Certificate.Companion.fromPath(path: Path): Certificate = Certificate(Files.readAllBytes(path))

/**
 * A root bundle given as PEM or Base64 text.
 *
 * @throws AlipayException.Config as the `RootBundle(ByteArray)` constructor does.
 */
fun RootBundle.Companion.fromText(text: String): RootBundle = RootBundle(text.toByteArray())

/**
 * A root bundle file (`alipayRootCert.crt`).
 *
 * @throws java.io.IOException when the file cannot be read.
 * @throws AlipayException.Config as the `RootBundle(ByteArray)` constructor does.
 */
fun RootBundle.Companion.fromPath(path: Path): RootBundle = RootBundle(Files.readAllBytes(path))

/**
 * Checks an Alipay certificate given as PEM or Base64 text against this bundle at [at] (null: now).
 *
 * @throws AlipayException as the `ByteArray` overload does.
 */
fun RootBundle.verifyChain(alipayCert: String, at: Instant? = null): Certificate =
    verifyChain(alipayCert.toByteArray(), at)

/**
 * Verifies a notification body given as the exact form text received (see the `ByteArray` overload,
 * preferred: it keeps the bytes as posted) — blocking when a certificate must be downloaded.
 *
 * @throws AlipayException as the `ByteArray` overload does.
 */
fun Client.verifyNotification(body: String): Notification = verifyNotification(body.toByteArray())
