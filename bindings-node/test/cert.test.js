'use strict'
// Certificate mode (公钥证书模式) offline: every case of tests/vectors/certs.json (sn_cases, root_cases,
// chain_cases, config_cases) run as core/tests/cert.rs runs them, the Certificate and RootBundle
// classes, typed errors for an expired, unchained or tampered certificate and an SM2-only root bundle,
// both SNs signed into requests, and responses and notifications verified by the certificate they name.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const util = require('node:util')

const {
  appCertSn,
  alipayRootCertSn,
  parseCertificates,
  Certificate,
  RootBundle,
  IsvConfig,
  PrivateKey,
  PublicKey,
  Signer,
  signContent,
  ALIPAY_CERT_DOWNLOAD_METHOD,
} = require('..')
const { VECTORS, loadVectors, readKey } = require('./helpers')

const vectors = loadVectors('certs.json')
const PRODUCTION_ROOT_SN = '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6'
/** The production app certificate's SN, as the official SDKs compute it. */
const PRODUCTION_APP_CERT_SN = '866efef280dec9137a87d047ac446315'

/** The bytes of a file named relative to tests/vectors/. */
function bytes(relative) {
  return fs.readFileSync(path.join(VECTORS, relative))
}

/** Asserts that `fn` throws the typed error of `kind` whose lower-cased reason has `reasonContains`. */
function expectError(fn, kind, reasonContains, label) {
  assert.throws(fn, (error) => {
    assert.equal(error.kind, kind, `${label}: ${error.message}`)
    assert.equal(error.code, `ALIPAY_${kind.toUpperCase()}_ERROR`, label)
    assert.ok(error.reason.toLowerCase().includes(reasonContains), `${label}: ${error.reason}`)
    return true
  })
}

test('every sn_case: issuer, decimal serial and SN, from a Buffer and from text', () => {
  assert.ok(vectors.sn_cases.length >= 7)
  for (const c of vectors.sn_cases) {
    const certificate = Certificate.parse(bytes(c.file))
    assert.equal(certificate.issuer, c.issuer, c.file)
    assert.equal(certificate.serialNumber, c.serial_number, c.file)
    assert.equal(certificate.sn, c.sn, c.file)
    assert.equal(appCertSn(bytes(c.file)), c.sn, c.file)
    if (!c.file.endsWith('.der')) assert.equal(appCertSn(bytes(c.file).toString('utf8')), c.sn, c.file)
  }
  const production = vectors.sn_cases.find((c) => c.file.includes('appCertPublicKey_'))
  assert.equal(production.sn, PRODUCTION_APP_CERT_SN)
})

test('every root_case: the RSA-signed roots joined with _, or a typed config error', () => {
  assert.equal(vectors.root_cases[0].sn, PRODUCTION_ROOT_SN)
  let refused = 0
  for (const c of vectors.root_cases) {
    if (c.expect === 'ok') {
      assert.equal(alipayRootCertSn(bytes(c.file)), c.sn, c.file)
      assert.equal(RootBundle.parse(bytes(c.file).toString('utf8')).sn, c.sn, c.file)
    } else {
      assert.equal(c.expect, 'config_error')
      expectError(() => alipayRootCertSn(bytes(c.file)), 'config', c.reason_contains, c.file)
      expectError(() => RootBundle.parse(bytes(c.file)), 'config', c.reason_contains, c.file)
      refused++
    }
  }
  assert.equal(refused, 2, 'the SM2-only and SM2+ECDSA bundles')
  assert.equal(alipayRootCertSn(fs.readFileSync(path.join(VECTORS, 'certs/production/alipayRootCert.crt'), 'utf8')), PRODUCTION_ROOT_SN)
})

test('every chain_case: the leaf at the given time, or a typed signature error', () => {
  const kinds = new Set()
  for (const c of vectors.chain_cases) {
    const roots = RootBundle.parse(bytes(c.root_bundle))
    const label = `${c.alipay_cert} at ${c.at}`
    const check = () => (c.at === null ? roots.verifyChain(bytes(c.alipay_cert)) : roots.verifyChain(bytes(c.alipay_cert), new Date(c.at * 1000)))
    if (c.expect === 'ok') {
      const leaf = check()
      assert.ok(leaf instanceof Certificate)
      assert.equal(leaf.sn, c.sn, label)
      // The same check with epoch milliseconds and with a Certificate (leaf only) when there is no intermediate.
      assert.equal(roots.verifyChain(bytes(c.alipay_cert), Date.now()).sn, c.sn, label)
      if (!c.alipay_cert.includes('intermediate')) assert.equal(roots.verifyChain(Certificate.parse(bytes(c.alipay_cert))).sn, c.sn)
    } else {
      assert.equal(c.expect, 'signature_error')
      expectError(check, 'signature', c.reason_contains, label)
      kinds.add(c.reason_contains)
    }
  }
  for (const wanted of ['expired', 'not chained', 'does not verify', 'not a ca', 'not valid yet']) {
    assert.ok(kinds.has(wanted), `a chain case refuses with "${wanted}"`)
  }
  const roots = RootBundle.parse(bytes('certs/root_bundle.crt'))
  expectError(() => roots.verifyChain(bytes('certs/alipay_cert.crt'), new Date(NaN)), 'config', 'valid date', 'invalid Date')
  expectError(() => roots.verifyChain('not a certificate'), 'config', '', 'garbage')
})

test('every config_case: a certificate-mode IsvConfig with the three SNs, or a typed config error', () => {
  let built = 0
  for (const c of vectors.config_cases) {
    const options = {
      appId: c.app_id,
      privateKey: readKey(c.private_key),
      appCert: bytes(c.app_cert),
      alipayCert: bytes(c.alipay_cert),
      rootCert: bytes(c.root_bundle),
    }
    if (c.expect === 'ok') {
      const config = new IsvConfig(options)
      assert.equal(config.isCertMode, true)
      assert.equal(config.appCertSn, c.app_cert_sn)
      assert.equal(config.alipayCertSn, c.alipay_cert_sn)
      assert.equal(config.alipayRootCertSn, c.alipay_root_cert_sn)
      assert.deepEqual(config.trustedAlipayCertSns(), [c.alipay_cert_sn])
      // Text works as well as a Buffer.
      const fromText = new IsvConfig({
        ...options,
        appCert: bytes(c.app_cert).toString('utf8'),
        alipayCert: bytes(c.alipay_cert).toString('utf8'),
        rootCert: bytes(c.root_bundle).toString('utf8'),
      })
      assert.equal(fromText.alipayRootCertSn, c.alipay_root_cert_sn)
      built++
    } else {
      assert.equal(c.expect, 'config_error')
      expectError(() => new IsvConfig(options), 'config', c.reason_contains, JSON.stringify(c))
    }
  }
  assert.equal(built, 2)
})

test('the four refusals of the issue, each typed', () => {
  const key = readKey('keys/app_2048_pkcs8.pem')
  const base = { appId: '2021000000000001', privateKey: key, appCert: bytes('certs/app_cert.crt'), rootCert: bytes('certs/root_bundle.crt') }
  const roots = RootBundle.parse(bytes('certs/root_bundle.crt'))
  // Expired, not chained, tampered: a signature error from the chain check, a config error at configuration.
  for (const [file, reason] of [
    ['certs/alipay_cert_expired.crt', 'expired'],
    ['certs/alipay_cert_not_chained.crt', 'not chained'],
    ['certs/alipay_cert_tampered.crt', 'does not verify'],
  ]) {
    expectError(() => roots.verifyChain(bytes(file)), 'signature', reason, file)
    expectError(() => new IsvConfig({ ...base, alipayCert: bytes(file) }), 'config', reason, file)
  }
  // A root bundle of only SM2 (and ECDSA) roots.
  for (const file of ['certs/root_bundle_only_sm2.crt', 'certs/root_bundle_only_sm2_ec.crt']) {
    expectError(() => new IsvConfig({ ...base, alipayCert: bytes('certs/alipay_cert.crt'), rootCert: bytes(file) }), 'config', 'no rsa-signed certificate', file)
  }
})

test('certificates parse from PEM, DER and Base64; bundles keep their non-RSA blocks out of the root SN', () => {
  const production = parseCertificates(bytes('certs/production/alipayRootCert.crt'))
  assert.equal(production.length, 4)
  assert.equal(production[0].signatureAlgorithm, '1.2.156.10197.1.501')
  assert.equal(production[0].isRsaSigned, false)
  assert.deepEqual(
    production.filter((c) => c.isRsaSigned).map((c) => c.sn).join('_'),
    PRODUCTION_ROOT_SN,
  )
  const roots = RootBundle.parse(bytes('certs/production/alipayRootCert.crt')).roots
  assert.equal(roots.length, 2)
  assert.ok(roots.every((root) => root.isRsaSigned))

  const der = bytes('certs/alipay_cert.der')
  const fromDer = Certificate.fromDer(der)
  assert.ok(Certificate.parse(der).equals(fromDer))
  assert.ok(Certificate.parse(der.toString('base64')).equals(fromDer))
  assert.ok(Certificate.parse(Buffer.from(fromDer.pem).toString('base64')).equals(fromDer))
  assert.ok(Certificate.parse(bytes('certs/alipay_cert.crt')).equals(fromDer))
  assert.deepEqual(fromDer.der, der)
  assert.match(fromDer.pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/)
  assert.equal(parseCertificates(Buffer.concat([der, der])).length, 2)
  assert.equal(RootBundle.parse(bytes('certs/root_bundle_crlf.crt')).roots.length, 1)
  assert.ok(!RootBundle.parse(bytes('certs/root_bundle_crlf.crt')).sn.includes('_'))
  for (const garbage of [Buffer.alloc(0), 'not a certificate', der.subarray(0, 40), '-----BEGIN CERTIFICATE-----\nAAAA']) {
    assert.throws(() => parseCertificates(garbage), { code: 'ALIPAY_CONFIG_ERROR' })
    assert.throws(() => Certificate.parse(garbage), { code: 'ALIPAY_CONFIG_ERROR' })
  }
  assert.throws(() => Certificate.fromDer(Buffer.from('nope')), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('a Certificate shows its public facts: names, serial, algorithm, validity, key, fingerprint', () => {
  const certificate = Certificate.parse(bytes('certs/alipay_cert.crt'))
  assert.equal(certificate.sn, '30e132f3a48c03a7b46807eecb7b3b80')
  assert.match(certificate.subject, /^CN=alipay-isv Test Alipay Certificate,/)
  assert.equal(certificate.signatureAlgorithm, '1.2.840.113549.1.1.11')
  assert.equal(certificate.isRsaSigned, true)
  assert.ok(certificate.notBefore instanceof Date && certificate.notAfter instanceof Date)
  assert.ok(certificate.notBefore < new Date() && new Date() < certificate.notAfter)
  const alipayKey = PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')).publicKey()
  assert.ok(certificate.publicKey() instanceof PublicKey)
  assert.ok(certificate.publicKey().equals(alipayKey))
  assert.match(certificate.fingerprint, /^SHA256:[0-9a-f]{16}$/)
  assert.notEqual(certificate.fingerprint, alipayKey.fingerprint)
  const shown = String(certificate)
  assert.equal(util.inspect(certificate), shown)
  for (const part of [certificate.sn, certificate.subject, certificate.issuer, certificate.serialNumber, certificate.fingerprint]) {
    assert.ok(shown.includes(part), `${shown} shows ${part}`)
  }
  const expired = Certificate.parse(bytes('certs/alipay_cert_expired.crt'))
  assert.ok(expired.notAfter < new Date())
  // The production SM2 root has no RSA key.
  const sm2 = parseCertificates(bytes('certs/production/alipayRootCert.crt'))[0]
  assert.throws(() => sm2.publicKey(), { code: 'ALIPAY_CONFIG_ERROR' })
  const bundle = RootBundle.parse(bytes('certs/root_bundle.crt'))
  assert.equal(String(bundle), `RootBundle(${bundle.sn}, 1 RSA roots)`)
  assert.equal(util.inspect(bundle), String(bundle))
})

/** A certificate-mode configuration for the test app and the test "Alipay" certificate. */
function certConfig(extra = {}) {
  return new IsvConfig({
    appId: '2021000000000001',
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    appCert: bytes('certs/app_cert.crt'),
    alipayCert: bytes('certs/alipay_cert.crt'),
    rootCert: bytes('certs/root_bundle.crt'),
    gateway: 'http://gateway.test/gateway.do',
    ...extra,
  })
}

test('both SNs are signed parameters of every request; the config shows them, never a key', () => {
  const config = certConfig()
  const request = config.signRequest('alipay.user.info.share')
  assert.equal(request.param('app_cert_sn'), config.appCertSn)
  assert.equal(request.param('alipay_root_cert_sn'), config.alipayRootCertSn)
  assert.ok(request.signContent.includes(`app_cert_sn=${config.appCertSn}`))
  assert.ok(request.signContent.includes(`alipay_root_cert_sn=${config.alipayRootCertSn}`))
  assert.ok(request.httpRequest().url.includes('alipay_root_cert_sn='))
  const alipayKey = PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')).publicKey()
  assert.ok(config.alipayPublicKey.equals(alipayKey))
  assert.match(String(config), /, app cert SN 18feac943e0e73ebd5ded952d45a1f7f, Alipay cert SN 30e132f3a48c03a7b46807eecb7b3b80\)$/)
  assert.equal(util.inspect(config), String(config))

  // The Alipay public key may be given too, but must be the certificate's.
  assert.equal(certConfig({ alipayPublicKey: alipayKey }).alipayCertSn, config.alipayCertSn)
  expectError(() => certConfig({ alipayPublicKey: readKey('keys/app_2048_public.pem') }), 'config', 'is not the key of the alipay certificate', 'mismatch')
  // All three certificates, or none.
  expectError(() => certConfig({ rootCert: undefined }), 'config', 'missing: rootcert', 'partial')
  expectError(
    () => new IsvConfig({ appId: '2021000000000001', privateKey: readKey('keys/app_2048_pkcs8.pem') }),
    'config',
    'no alipay public key',
    'no key',
  )

  // Public-key mode: no SNs.
  const plain = new IsvConfig({ appId: '2021000000000001', privateKey: readKey('keys/app_2048_pkcs8.pem'), alipayPublicKey: alipayKey })
  assert.equal(plain.isCertMode, false)
  assert.equal(plain.appCertSn, null)
  assert.equal(plain.alipayCertSn, null)
  assert.equal(plain.alipayRootCertSn, null)
  assert.deepEqual(plain.trustedAlipayCertSns(), [])
  assert.equal(plain.signRequest('alipay.user.info.share').param('app_cert_sn'), null)
})

const alipaySigner = () => new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')))

/** A response body whose node is signed by `signer`, naming `sn` when given. */
function responseBody(node, raw, sn, signer = alipaySigner()) {
  const named = sn ? `,"alipay_cert_sn":"${sn}"` : ''
  return `{"${node}":${raw}${named},"sign":"${signer.sign(raw)}"}`
}

test('responses are verified with the certificate they name; an unknown SN is reported by check', () => {
  const config = certConfig()
  const verifier = config.responseVerifier()
  const sn = config.alipayCertSn
  const method = 'alipay.user.info.share'
  const node = 'alipay_user_info_share_response'
  const ok = '{"code":"10000","msg":"Success","user_id":"2088"}'

  const verified = verifier.verify(method, responseBody(node, ok, sn))
  assert.equal(verified.alipayCertSn, sn)
  assert.equal(verified.fields.user_id, '2088')
  const checked = verifier.check(method, Buffer.from(responseBody(node, ok, sn)))
  assert.equal(checked.needsCertificate, null)
  assert.equal(checked.response.fields.user_id, '2088')

  expectError(() => verifier.verify(method, responseBody(node, ok, null)), 'signature', 'names no alipay_cert_sn', 'missing SN')
  const error = '{"code":"40004","msg":"Business Failed","sub_code":"x"}'
  assert.throws(() => verifier.verify(method, responseBody(node, error, null)), { code: 'ALIPAY_API_ERROR', signed: true })

  const unknownSn = '0123456789abcdef0123456789abcdef'
  const unknown = responseBody(node, ok, unknownSn)
  assert.deepEqual(verifier.check(method, unknown), { response: null, needsCertificate: unknownSn })
  expectError(() => verifier.verify(method, unknown), 'signature', ALIPAY_CERT_DOWNLOAD_METHOD, 'unknown SN')
  assert.equal(ALIPAY_CERT_DOWNLOAD_METHOD, 'alipay.open.app.alipaycert.download')

  const wrong = new Signer(PrivateKey.fromText(readKey('keys/app_2048_pkcs8.pem')))
  assert.throws(() => verifier.check(method, responseBody(node, ok, sn, wrong)), { code: 'ALIPAY_SIGNATURE_ERROR' })
})

/** A notification form body signed by `signer`, naming `sn` when given. */
function notificationBody(sn, signer = alipaySigner()) {
  const params = { notify_id: 'n1', notify_type: 'trade_status_sync', charset: 'utf-8' }
  const form = new URLSearchParams({ ...params, sign_type: 'RSA2', sign: signer.sign(signContent(params)) })
  if (sn) form.append('alipay_cert_sn', sn)
  return form.toString()
}

test('notifications pick the key by alipay_cert_sn; an unknown SN is a signature error naming it', () => {
  const config = certConfig()
  const verifier = config.notificationVerifier()
  assert.equal(verifier.verifyBody(notificationBody(config.alipayCertSn)).params.notify_id, 'n1')
  assert.equal(verifier.verifyBody(notificationBody(null)).params.notify_id, 'n1')
  expectError(() => verifier.verifyBody(notificationBody('ffff')), 'signature', 'ffff', 'unknown SN')
  expectError(() => verifier.verifyBody(notificationBody(config.alipayCertSn, new Signer(PrivateKey.fromText(readKey('keys/app_2048_pkcs8.pem'))))), 'signature', 'none of the forms', 'wrong key')
})
