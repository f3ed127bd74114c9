'use strict'
// Mirrors protocol/src/sign: every sign.json case and verify case, options, charsets, failure modes.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const {
  PrivateKey,
  PublicKey,
  Signer,
  Verifier,
  signContent,
  generateKeyPair,
  looksLikeOwnKey,
} = require('..')
const { loadVectors, readKey } = require('./helpers')

const vectors = loadVectors('sign.json')
const privateKey = (file) => PrivateKey.fromText(readKey(file))
const publicKey = (file) => PublicKey.fromText(readKey(file))
const options = (vector) => ({ signType: vector.sign_type, charset: vector.charset })

test('sign.json has the expected number of cases', () => {
  assert.ok(vectors.cases.length >= 41, `only ${vectors.cases.length} cases`)
  assert.ok(vectors.verify_cases.length >= 18, `only ${vectors.verify_cases.length} verify cases`)
})

for (const vector of vectors.cases) {
  test(`sign.json: ${vector.name}`, () => {
    const content = signContent(vector.params)
    assert.equal(content, vector.content)
    const signer = new Signer(privateKey(vector.private_key), options(vector))
    assert.equal(signer.signType, vector.sign_type)
    assert.equal(signer.charset, vector.charset)
    assert.equal(signer.sign(content), vector.sign)
    assert.deepEqual(signer.signParams(vector.params), { content: vector.content, sign: vector.sign })
    const verifier = new Verifier(publicKey(vector.public_key), options(vector))
    assert.equal(verifier.verify(content, vector.sign), undefined)
  })
}

for (const vector of vectors.verify_cases) {
  test(`sign.json verify_cases: ${vector.name}`, () => {
    const verifier = new Verifier(publicKey(vector.public_key), options(vector))
    const verify = () => verifier.verify(vector.content, vector.sign)
    if (vector.valid) {
      verify()
    } else {
      assert.throws(verify, (error) => {
        assert.ok(error instanceof Error)
        assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
        assert.equal(error.kind, 'signature')
        return true
      })
    }
  })
}

test('options default to RSA2 and UTF-8, and are case-insensitive', () => {
  const key = privateKey('keys/app_2048_pkcs1.pem')
  const signer = new Signer(key)
  assert.equal(signer.signType, 'RSA2')
  assert.equal(signer.charset, 'UTF-8')
  assert.equal(new Signer(key, {}).signType, 'RSA2')
  assert.equal(new Signer(key, null).charset, 'UTF-8')
  const lower = new Signer(key, { signType: 'rsa', charset: 'gbk' })
  assert.equal(lower.signType, 'RSA')
  assert.equal(lower.charset, 'GBK')
  const verifier = new Verifier(publicKey('keys/app_2048_public.pem'))
  assert.equal(verifier.signType, 'RSA2')
  assert.equal(verifier.charset, 'UTF-8')
})

test('unknown sign type or charset is a config error', () => {
  const key = privateKey('keys/app_2048_pkcs1.pem')
  const pub = publicKey('keys/app_2048_public.pem')
  for (const bad of [{ signType: 'RSA3' }, { charset: 'latin1' }]) {
    assert.throws(() => new Signer(key, bad), { code: 'ALIPAY_CONFIG_ERROR', kind: 'config' })
    assert.throws(() => new Verifier(pub, bad), { code: 'ALIPAY_CONFIG_ERROR', kind: 'config' })
  }
})

test('RSA2 with the 1024-bit key is a config error; legacy RSA works', () => {
  const key = privateKey('keys/app_1024_pkcs1.pem')
  const pub = publicKey('keys/app_1024_public.pem')
  assert.throws(() => new Signer(key, { signType: 'RSA2' }), (error) => {
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason, /2048/)
    assert.match(error.reason, /1024/)
    return true
  })
  assert.throws(() => new Signer(key), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => new Verifier(pub), { code: 'ALIPAY_CONFIG_ERROR' })
  const sign = new Signer(key, { signType: 'RSA' }).sign('a=1')
  new Verifier(pub, { signType: 'RSA' }).verify('a=1', sign)
})

test('a character GBK cannot encode is a config error, in signing and verifying', () => {
  const key = privateKey('keys/app_2048_pkcs1.pem')
  const pub = publicKey('keys/app_2048_public.pem')
  const content = 'subject=grinning 😀'
  assert.throws(() => new Signer(key, { charset: 'GBK' }).sign(content), (error) => {
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason.toLowerCase(), /gbk/)
    return true
  })
  assert.throws(() => new Signer(key, { charset: 'GBK' }).signParams({ subject: '😀' }), {
    code: 'ALIPAY_CONFIG_ERROR',
  })
  const utf8Sign = new Signer(key).sign(content)
  assert.throws(() => new Verifier(pub, { charset: 'GBK' }).verify(content, utf8Sign), {
    code: 'ALIPAY_CONFIG_ERROR',
  })
})

test('garbage, empty and tampered signatures are signature errors', () => {
  const key = privateKey('keys/app_2048_pkcs1.pem')
  const verifier = new Verifier(publicKey('keys/app_2048_public.pem'))
  const sign = new Signer(key).sign('a=1&b=2')
  verifier.verify('a=1&b=2', sign)
  for (const bad of ['not base64 at all!', '', 'AAAA', sign.slice(0, -8) + 'AAAAAAA=']) {
    assert.throws(() => verifier.verify('a=1&b=2', bad), (error) => {
      assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
      assert.equal(error.kind, 'signature')
      assert.equal(typeof error.reason, 'string')
      return true
    })
  }
  assert.throws(() => verifier.verify('a=1&b=3', sign), (error) => {
    assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
    assert.ok(error.reason.includes(verifier.signType))
    return true
  })
})

test('a signature wrapped over several lines still verifies', () => {
  const signer = new Signer(privateKey('keys/app_2048_pkcs1.pem'))
  const verifier = new Verifier(publicKey('keys/app_2048_public.pem'))
  const sign = signer.sign('a=1')
  verifier.verify('a=1', sign.replace(/(.{64})/g, '$1\n'))
})

test('signContent applies the canonical rules', () => {
  assert.equal(signContent({ b: '2', a: '1', sign: 'x', c: '' }), 'a=1&b=2')
  assert.equal(signContent({ a: '0', b: ' \t', c: '', d: 'x', e: ' y ' }), 'a=0&d=x&e= y ')
  assert.equal(signContent({ sign_type: 'RSA2', x: 'a&b=c%2B+' }), 'sign_type=RSA2&x=a&b=c%2B+')
  assert.equal(signContent({ B: '2', a: '1', ab: '3', a_b: '4', 'a.b': '5' }), 'B=2&a=1&a.b=5&a_b=4&ab=3')
  assert.equal(signContent({}), '')
  assert.equal(signContent({ sign: 'only' }), '')
})

test('signParams signs what signContent builds', () => {
  const signer = new Signer(privateKey('keys/app_2048_pkcs8.pem'))
  const params = { method: 'alipay.open.auth.token.app', app_id: '2021000000000001', sign: 'old' }
  const signed = signer.signParams(params)
  assert.deepEqual(Object.keys(signed).sort(), ['content', 'sign'])
  assert.equal(signed.content, signContent(params))
  assert.equal(signed.sign, signer.sign(signed.content))
  new Verifier(publicKey('keys/app_2048_public.pem')).verify(signed.content, signed.sign)
})

test('signBytes and verifyBytes work on encoded bytes', () => {
  const content = 'subject=年货大礼包'
  const key = privateKey('keys/app_2048_pkcs1.pem')
  const pub = publicKey('keys/app_2048_public.pem')
  const utf8 = Buffer.from(content, 'utf8')
  const sign = new Signer(key).signBytes(utf8)
  assert.equal(sign, new Signer(key).sign(content))
  new Verifier(pub).verifyBytes(utf8, sign)
  new Verifier(pub).verifyBytes(new Uint8Array(utf8), sign)
  const gbkSign = new Signer(key, { charset: 'GBK' }).sign(content)
  assert.notEqual(gbkSign, sign)
  assert.throws(() => new Verifier(pub).verifyBytes(utf8, gbkSign), { code: 'ALIPAY_SIGNATURE_ERROR' })
  const legacy = new Signer(key, { signType: 'RSA' }).signBytes(new Uint8Array([0, 1, 2, 255]))
  new Verifier(pub, { signType: 'RSA' }).verifyBytes(Buffer.from([0, 1, 2, 255]), legacy)
})

test('a generated key pair signs and verifies', () => {
  const { privateKey: generated, publicKey: generatedPublic } = generateKeyPair(2048)
  const signed = new Signer(generated).signParams({ app_id: '2021000000000001', method: 'x' })
  new Verifier(generatedPublic).verify(signed.content, signed.sign)
  assert.throws(
    () => new Verifier(publicKey('keys/app_2048_public.pem')).verify(signed.content, signed.sign),
    { code: 'ALIPAY_SIGNATURE_ERROR' },
  )
})

test('looksLikeOwnKey spots the app public key configured as the Alipay key', () => {
  const app = privateKey('keys/app_2048_pkcs1.pem')
  assert.equal(looksLikeOwnKey(app, publicKey('keys/app_2048_public.pem')), true)
  assert.equal(looksLikeOwnKey(app, publicKey('keys/app_2048_cert.pem')), true)
  assert.equal(looksLikeOwnKey(app, app.publicKey()), true)
  assert.equal(looksLikeOwnKey(app, publicKey('keys/alipay_2048_public.pem')), false)
  assert.equal(looksLikeOwnKey(app, generateKeyPair().publicKey), false)
})

test('wrong argument types are rejected before reaching the core', () => {
  const key = privateKey('keys/app_2048_pkcs1.pem')
  assert.throws(() => new Signer(publicKey('keys/app_2048_public.pem')))
  assert.throws(() => new Signer({}))
  assert.throws(() => signContent({ a: 1 }))
  assert.throws(() => new Signer(key).sign(42))
})
