'use strict'
// Certificate mode against the official Node SDK, npm `alipay-sdk` 4.x:
// 1. its SN functions `getSN` (content or Buffer) and `getSNFromPath` (a file) agree with ours on every
//    certificate of certs.json it can read; the certificates it reads differently are listed below
//    with the reason, and each listed difference is checked to be real, so a stale entry fails;
// 2. its certificate-mode configuration (`appCertContent`, `alipayPublicCertContent`,
//    `alipayRootCertContent`) computes the three SNs and the Alipay public key ours does;
// 3. a certificate-mode request signed by its `sdkExecute` is byte-identical to ours (content and
//    signature): both SNs included, in the same place.
//
// `getSN` / `getSNFromPath` live in the SDK's `antcertutil` module, which its package `exports` map
// does not list; it is loaded by file path next to the SDK's resolved entry point.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const { AlipaySdk } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const antcertutil = require(path.join(path.dirname(require.resolve('alipay-sdk')), 'antcertutil.js'))
const { appCertSn, alipayRootCertSn, IsvConfig, PublicKey } = require('..')
const { VECTORS, loadVectors, readKey } = require('./helpers')

const vectors = loadVectors('certs.json')
const file = (relative) => path.join(VECTORS, relative)

/** Certificates the SDK's getSN reads differently from Alipay's rules, and why. */
const SN_SKIPS = {
  'certs/alipay_cert.der': 'the SDK reads PEM only (@fidm/x509 Certificate.fromPEM): a DER file throws',
  'certs/escaped_issuer.crt':
    'the SDK joins `shortName=value` without RFC 2253 escaping, hex-encoding of unknown attributes or ' +
    'multi-valued RDNs, so its issuer string (and SN) differ from Java X500Principal.getName()',
}

/** Root bundles the SDK's getSN(…, true) reads differently, and why. */
const ROOT_SKIPS = {
  'certs/root_bundle_crlf.crt': 'the SDK cannot read PEM with CRLF line endings and text between blocks: it throws',
  'certs/root_bundle_only_sm2.crt': 'the SDK returns an empty root SN for a bundle without RSA roots instead of refusing it',
  'certs/root_bundle_only_sm2_ec.crt': 'the SDK returns an empty root SN for a bundle without RSA roots instead of refusing it',
}

/** The SDK's SN of a file, or the error it throws. */
function sdkSn(relative, isRoot) {
  try {
    return { sn: antcertutil.getSNFromPath(file(relative), isRoot) }
  } catch (error) {
    return { error }
  }
}

test(`official alipay-sdk ${SDK_VERSION}: getSN / getSNFromPath agree on every certificate they read`, () => {
  assert.match(SDK_VERSION, /^4\./)
  assert.equal(typeof antcertutil.getSN, 'function')
  assert.equal(typeof antcertutil.getSNFromPath, 'function')
  let compared = 0
  for (const c of vectors.sn_cases) {
    const sdk = sdkSn(c.file, false)
    if (c.file in SN_SKIPS) {
      assert.ok(sdk.error || sdk.sn !== c.sn, `${c.file} is listed as a difference but the SDK agrees now`)
      continue
    }
    assert.equal(sdk.error, undefined, `${c.file}: ${sdk.error}`)
    assert.equal(sdk.sn, c.sn, c.file)
    assert.equal(antcertutil.getSN(fs.readFileSync(file(c.file))), appCertSn(fs.readFileSync(file(c.file))), c.file)
    assert.equal(antcertutil.getSN(fs.readFileSync(file(c.file), 'utf8')), c.sn, c.file)
    compared++
  }
  for (const c of vectors.root_cases) {
    const sdk = sdkSn(c.file, true)
    if (c.file in ROOT_SKIPS) {
      assert.ok(sdk.error || sdk.sn !== c.sn, `${c.file} is listed as a difference but the SDK agrees now`)
      continue
    }
    assert.equal(c.expect, 'ok')
    assert.equal(sdk.sn, c.sn, c.file)
    assert.equal(antcertutil.getSN(fs.readFileSync(file(c.file), 'utf8'), true), alipayRootCertSn(fs.readFileSync(file(c.file))), c.file)
    compared++
  }
  // The production values: the root bundle and the official SDK's own app certificate fixture.
  assert.equal(antcertutil.getSNFromPath(file('certs/production/alipayRootCert.crt'), true), '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6')
  assert.equal(antcertutil.getSNFromPath(file('certs/production/appCertPublicKey_2021001161683774.crt')), '866efef280dec9137a87d047ac446315')
  assert.equal(compared, 8, 'five certificates and three root bundles compared')
  assert.equal(Object.keys(SN_SKIPS).length + Object.keys(ROOT_SKIPS).length, 5, 'the known differences stay few')
})

/** The SDK in certificate mode for a config case. */
function sdkFor(c) {
  return new AlipaySdk({
    appId: c.app_id,
    privateKey: readKey(c.private_key),
    keyType: 'PKCS8',
    // Our request charset, spelled as we sign it (the SDK's default is `utf-8`).
    charset: 'UTF-8',
    appCertContent: fs.readFileSync(file(c.app_cert)),
    alipayPublicCertContent: fs.readFileSync(file(c.alipay_cert)),
    alipayRootCertContent: fs.readFileSync(file(c.root_bundle)),
  })
}

/** Our configuration for a config case. */
function oursFor(c) {
  return new IsvConfig({
    appId: c.app_id,
    privateKey: readKey(c.private_key),
    appCert: fs.readFileSync(file(c.app_cert)),
    alipayCert: fs.readFileSync(file(c.alipay_cert)),
    rootCert: fs.readFileSync(file(c.root_bundle)),
  })
}

/** Config cases the SDK cannot load, and why. */
const CONFIG_SKIPS = {
  'certs/root_bundle_crlf.crt': ROOT_SKIPS['certs/root_bundle_crlf.crt'],
}

test(`official alipay-sdk ${SDK_VERSION}: its certificate-mode config computes our SNs and Alipay key`, () => {
  let compared = 0
  for (const c of vectors.config_cases.filter((c) => c.expect === 'ok')) {
    if (c.root_bundle in CONFIG_SKIPS) {
      assert.throws(() => sdkFor(c), undefined, `${c.root_bundle} is listed as unreadable but the SDK reads it now`)
      continue
    }
    const sdk = sdkFor(c)
    const ours = oursFor(c)
    assert.equal(sdk.config.appCertSn, ours.appCertSn)
    assert.equal(sdk.config.alipayCertSn, ours.alipayCertSn)
    assert.equal(sdk.config.alipayRootCertSn, ours.alipayRootCertSn)
    assert.ok(PublicKey.fromText(sdk.config.alipayPublicKey).equals(ours.alipayPublicKey))
    compared++
  }
  assert.equal(compared, 1)
})

test(`official alipay-sdk ${SDK_VERSION}: a certificate-mode request is byte-identical to ours`, () => {
  const c = vectors.config_cases.find((c) => c.expect === 'ok' && !(c.root_bundle in CONFIG_SKIPS))
  const ours = oursFor(c).signRequest('alipay.open.mini.version.list.query', {
    bizContent: { bundle_id: 'com.alipay.alipaywallet' },
    timestamp: '2024-05-01 12:00:00',
  })
  const params = ours.params
  assert.equal(params.app_cert_sn, c.app_cert_sn)
  assert.equal(params.alipay_root_cert_sn, c.alipay_root_cert_sn)

  // The SDK adds method, app_id, charset, version, sign_type and both SNs itself; the rest is passed.
  const own = new Set(['method', 'app_id', 'charset', 'version', 'sign_type', 'sign', 'biz_content', 'app_cert_sn', 'alipay_root_cert_sn'])
  const passed = Object.fromEntries(Object.entries(params).filter(([key]) => !own.has(key)))
  const sdk = sdkFor(c)
  const original = crypto.createSign
  const fed = []
  crypto.createSign = (...args) => {
    const hash = original(...args)
    const update = hash.update.bind(hash)
    hash.update = (data, encoding) => {
      fed.push(data)
      return update(data, encoding)
    }
    return hash
  }
  let orderString
  try {
    orderString = sdk.sdkExecute('alipay.open.mini.version.list.query', { ...passed, bizContent: JSON.parse(params.biz_content) }, { bizContentAutoSnakeCase: false })
  } finally {
    crypto.createSign = original
  }
  assert.equal(fed.length, 1, 'the SDK no longer signs through crypto.createSign')
  const sdkParams = new URLSearchParams(orderString)
  assert.equal(sdkParams.get('app_cert_sn'), params.app_cert_sn)
  assert.equal(sdkParams.get('alipay_root_cert_sn'), params.alipay_root_cert_sn)
  assert.equal(fed[0], ours.signContent)
  assert.equal(sdkParams.get('sign'), params.sign)
})
