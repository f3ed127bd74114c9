'use strict'
// Mirrors protocol/src/key: every keys.json case, format round trips, opacity of the key objects.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const { PrivateKey, PublicKey, generateKeyPair } = require('..')
const { loadVectors, readKey, keyBody } = require('./helpers')

const vectors = loadVectors('keys.json')

test('keys.json has the expected number of cases', () => {
  assert.ok(vectors.cases.length >= 29, `only ${vectors.cases.length} cases`)
})

for (const vector of vectors.cases) {
  test(`keys.json: ${vector.name}`, () => {
    const text = readKey(vector.file)
    const load = () =>
      vector.role === 'private' ? PrivateKey.fromText(text) : PublicKey.fromText(text)
    assert.ok(['private', 'public'].includes(vector.role), `unknown role ${vector.role}`)
    if (vector.expect === 'ok') {
      assert.equal(load().bits, vector.bits)
      return
    }
    assert.equal(vector.expect, 'config_error', `unknown expectation ${vector.expect}`)
    assert.throws(load, (error) => {
      assert.ok(error instanceof Error)
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
      assert.equal(error.kind, 'config')
      assert.ok(
        error.reason.toLowerCase().includes(vector.reason_contains),
        `"${error.reason}" lacks "${vector.reason_contains}"`,
      )
      const body = keyBody(text)
      if (body.length > 16) {
        for (const field of [error.reason, error.message, String(error.stack)]) {
          assert.ok(!field.includes(body.slice(0, 16)), 'the key was echoed in the error')
        }
      }
      return true
    })
  })
}

test('every private key format reads as the same key', () => {
  const reference = PrivateKey.fromText(readKey('keys/app_2048_pkcs1.pem'))
  const expected = PublicKey.fromText(readKey('keys/app_2048_public.pem'))
  for (const file of ['pkcs8.pem', 'pkcs8.txt', 'pkcs1.txt', 'pkcs8_crlf.pem', 'pkcs8_oneline.pem']) {
    const key = PrivateKey.fromText(readKey(`keys/app_2048_${file}`))
    assert.ok(key.publicKey().equals(expected), file)
  }
  assert.ok(reference.publicKey().equals(expected))
})

test('private key exports round-trip, in text and in DER', () => {
  const key = PrivateKey.fromText(readKey('keys/app_2048_pkcs8.pem'))
  const pkcs8 = key.toPkcs8Pem()
  const pkcs1 = key.toPkcs1Pem()
  assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----\n/)
  assert.match(pkcs1, /^-----BEGIN RSA PRIVATE KEY-----\n/)
  assert.equal(pkcs8.trim(), readKey('keys/app_2048_pkcs8.pem').trim())
  assert.equal(pkcs1.trim(), readKey('keys/app_2048_pkcs1.pem').trim())
  assert.equal(key.toPkcs8Base64(), readKey('keys/app_2048_pkcs8.txt').trim())
  assert.equal(key.toPkcs1Base64(), readKey('keys/app_2048_pkcs1.txt').trim())
  for (const text of [pkcs8, pkcs1, key.toPkcs8Base64(), key.toPkcs1Base64()]) {
    assert.ok(PrivateKey.fromText(text).publicKey().equals(key.publicKey()))
  }
  for (const base64 of [key.toPkcs8Base64(), key.toPkcs1Base64()]) {
    const der = Buffer.from(base64, 'base64')
    assert.ok(PrivateKey.fromDer(der).publicKey().equals(key.publicKey()))
    assert.ok(PrivateKey.fromDer(new Uint8Array(der)).publicKey().equals(key.publicKey()))
  }
})

test('public key exports and DER input', () => {
  const key = PublicKey.fromText(readKey('keys/app_2048_public_pkcs1.pem'))
  assert.equal(key.bits, 2048)
  assert.equal(key.toPem().trim(), readKey('keys/app_2048_public.pem').trim())
  assert.equal(key.toBase64(), readKey('keys/app_2048_public.txt').trim())
  const der = key.toDer()
  assert.ok(Buffer.isBuffer(der))
  assert.equal(der.toString('base64'), key.toBase64())
  assert.ok(PublicKey.fromDer(der).equals(key))
  const fromCertificate = PublicKey.fromText(readKey('keys/app_2048_cert.pem'))
  assert.ok(fromCertificate.equals(key))
})

test('fingerprint is stable, public and distinguishes keys', () => {
  const app = PublicKey.fromText(readKey('keys/app_2048_public.pem'))
  const again = PublicKey.fromText(readKey('keys/app_2048_public.txt'))
  const alipay = PublicKey.fromText(readKey('keys/alipay_2048_public.pem'))
  assert.match(app.fingerprint, /^SHA256:[0-9a-f]{16}$/)
  assert.equal(app.fingerprint, again.fingerprint)
  assert.notEqual(app.fingerprint, alipay.fingerprint)
  assert.ok(app.equals(again))
  assert.ok(!app.equals(alipay))
})

test('a private key shows no key material in any representation', () => {
  const text = readKey('keys/app_2048_pkcs8.pem')
  const key = PrivateKey.fromText(text)
  const body = keyBody(text)
  const fingerprint = key.publicKey().fingerprint
  assert.equal(String(key), `PrivateKey(2048 bits, ${fingerprint})`)
  assert.equal(`${key}`, String(key))
  const shown = [
    String(key),
    util.inspect(key, { showHidden: true, depth: 5, getters: true }),
    util.format('%o %O %j', key, key, key),
    JSON.stringify(key),
    JSON.stringify({ key }),
    Object.keys(key).join(','),
  ]
  for (const representation of shown) {
    for (let start = 0; start + 16 <= body.length; start += 97) {
      assert.ok(!representation.includes(body.slice(start, start + 16)), representation)
    }
    assert.ok(!representation.includes('MII'), representation)
  }
  assert.equal(String(key.publicKey()), `PublicKey(2048 bits, ${fingerprint})`)
})

test('the classes are created through factories only', () => {
  assert.throws(() => new PrivateKey(readKey('keys/app_2048_pkcs8.pem')))
  assert.throws(() => new PublicKey(readKey('keys/app_2048_public.pem')))
})

test('DER that is not a key is a config error', () => {
  for (const load of [PrivateKey.fromDer, PublicKey.fromDer]) {
    assert.throws(() => load(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), {
      code: 'ALIPAY_CONFIG_ERROR',
    })
  }
  const privateDer = Buffer.from(readKey('keys/app_2048_pkcs8.txt').trim(), 'base64')
  assert.throws(() => PublicKey.fromDer(privateDer), (error) => {
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason, /private key/)
    return true
  })
})

test('generateKeyPair makes 2048-bit keys by default and refuses other sizes', () => {
  const pair = generateKeyPair()
  assert.equal(pair.privateKey.bits, 2048)
  assert.equal(pair.publicKey.bits, 2048)
  assert.ok(pair.privateKey.publicKey().equals(pair.publicKey))
  assert.ok(pair.privateKey instanceof PrivateKey)
  assert.ok(pair.publicKey instanceof PublicKey)
  assert.equal(generateKeyPair(3072).publicKey.bits, 3072)
  for (const bits of [1024, 2047, 8192, 0]) {
    assert.throws(() => generateKeyPair(bits), (error) => {
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
      assert.match(error.reason, new RegExp(String(bits)))
      return true
    })
  }
  const other = generateKeyPair(2048)
  assert.ok(!other.publicKey.equals(pair.publicKey))
})
