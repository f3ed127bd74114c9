'use strict'
// Mirrors protocol/src/response: every responses.json case, the API error fields, bytes vs text, limits.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { ResponseVerifier, IsvConfig, PublicKey, PrivateKey, Signer, AesKey } = require('..')
const { loadVectors, readKey, assertSubset } = require('./helpers')

const vectors = loadVectors('responses.json')
const EXPECTED_CODES = {
  signature_error: 'ALIPAY_SIGNATURE_ERROR',
  protocol_error: 'ALIPAY_PROTOCOL_ERROR',
  config_error: 'ALIPAY_CONFIG_ERROR',
  api_error: 'ALIPAY_API_ERROR',
}

/** The exact bytes of a case's body. */
const bodyOf = (vector) =>
  vector.body_base64 != null ? Buffer.from(vector.body_base64, 'base64') : Buffer.from(vector.body, 'utf8')

function verifierFor(vector) {
  const options = { signType: vector.sign_type, charset: vector.charset }
  if (vector.aes_key) options.aesKey = vector.aes_key
  if (vector.max_body_bytes != null) options.maxBodyBytes = vector.max_body_bytes
  return new ResponseVerifier(readKey(vector.alipay_public_key), options)
}

test('responses.json has the expected number of cases', () => {
  assert.ok(vectors.cases.length >= 36, `only ${vectors.cases.length} cases`)
  const kinds = new Set(vectors.cases.map((vector) => vector.expect))
  assert.deepEqual([...kinds].sort(), ['api_error', 'config_error', 'ok', 'protocol_error', 'signature_error'])
})

for (const vector of vectors.cases) {
  test(`responses.json: ${vector.name}`, () => {
    const verifier = verifierFor(vector)
    const verify = (body) => verifier.verify(vector.method, body)
    const bodies = [bodyOf(vector)]
    // Text bodies are accepted as strings too (sent as their UTF-8 bytes).
    if (vector.body != null) bodies.push(vector.body)
    for (const body of bodies) {
      if (vector.expect === 'ok') {
        const verified = verify(body)
        assert.deepEqual(Object.keys(verified).sort(), ['alipayCertSn', 'fields'])
        assertSubset(assert, verified.fields, vector.fields, 'fields')
        continue
      }
      const code = EXPECTED_CODES[vector.expect]
      assert.ok(code, `unknown expectation ${vector.expect}`)
      assert.throws(() => verify(body), (error) => {
        assert.ok(error instanceof Error)
        assert.equal(error.code, code, `${error.code}: ${error.reason}`)
        assert.equal(error.kind, vector.expect.replace('_error', ''))
        if (vector.expect === 'api_error') {
          assert.equal(error.apiCode, vector.code)
          assert.equal(error.subCode, vector.sub_code)
          assert.equal(error.signed, vector.signed)
          assert.equal(typeof error.msg, 'string')
        }
        return true
      })
    }
  })
}

test('a certificate-mode body reports its alipay_cert_sn; others report null', () => {
  const withSn = vectors.cases.find((vector) => vector.name === 'alipay_cert_sn_between_node_and_sign')
  const sn = JSON.parse(withSn.body).alipay_cert_sn
  assert.match(sn, /^[0-9a-f]+$/)
  assert.equal(verifierFor(withSn).verify(withSn.method, withSn.body).alipayCertSn, sn)
  const plain = vectors.cases.find((vector) => vector.name === 'token_app_success_flat')
  assert.equal(verifierFor(plain).verify(plain.method, plain.body).alipayCertSn, null)
})

test('API errors carry the hint for well-known sub-codes', () => {
  const vector = vectors.cases.find((v) => v.name === 'method_node_self_invoke_forbidden_signed')
  assert.throws(() => verifierFor(vector).verify(vector.method, vector.body), (error) => {
    assert.match(error.hint, /app_auth_token/)
    assert.equal(error.signed, true)
    return true
  })
})

test('a body we sign with the Alipay key verifies; the verifier from the config agrees', () => {
  const alipaySigner = new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')))
  const node = '{"code":"10000","msg":"Success","user_id":"2088102000000001","nick_name":"小店 \\"}{\\""}'
  const body = `{"alipay_user_info_share_response":${node},"sign":"${alipaySigner.sign(node)}"}`
  const config = new IsvConfig({
    appId: '2021000000000001',
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    alipayPublicKey: PublicKey.fromText(readKey('keys/alipay_2048_public.pem')),
  })
  for (const verifier of [config.responseVerifier(), new ResponseVerifier(readKey('keys/alipay_2048_public.pem'))]) {
    const { fields } = verifier.verify('alipay.user.info.share', body)
    assert.deepEqual(fields, JSON.parse(node))
    assert.throws(() => verifier.verify('alipay.user.info.share', body.replace('0001', '0002')), {
      code: 'ALIPAY_SIGNATURE_ERROR',
    })
  }
  // The config's limit applies to its verifiers.
  const small = new IsvConfig({
    appId: '2021000000000001',
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
    maxBodyBytes: 64,
  })
  assert.throws(() => small.responseVerifier().verify('alipay.user.info.share', body), { code: 'ALIPAY_PROTOCOL_ERROR' })
})

test('an encrypted node decrypts with the config AES key or an AesKey object', () => {
  const vector = vectors.cases.find((v) => v.name === 'aes_encrypted_success')
  const config = new IsvConfig({
    appId: '2021000000000001',
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
    aesKey: vector.aes_key,
  })
  assertSubset(assert, config.responseVerifier().verify(vector.method, vector.body).fields, vector.fields)
  const verifier = new ResponseVerifier(readKey(vector.alipay_public_key), { aesKey: AesKey.fromBase64(vector.aes_key) })
  assertSubset(assert, verifier.verify(vector.method, Buffer.from(vector.body)).fields, vector.fields)
})

test('no input crashes: binary, huge, empty, wrongly typed', () => {
  const verifier = new ResponseVerifier(readKey('keys/alipay_2048_public.pem'))
  for (const body of [Buffer.from([0xff, 0xfe, 0x00, 0x7b]), Buffer.alloc(0), '{', '{"a":', '[]', 'null', '{"error_response":1}']) {
    assert.throws(() => verifier.verify('alipay.user.info.share', body), (error) => {
      assert.ok(error.code.startsWith('ALIPAY_'), error.code)
      return true
    })
  }
  const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)
  assert.throws(() => verifier.verify('x.y', huge), (error) => {
    assert.equal(error.code, 'ALIPAY_PROTOCOL_ERROR')
    assert.match(error.reason, /limit/)
    return true
  })
  assert.throws(() => verifier.verify('x.y', 42))
  for (const maxBodyBytes of [0, -5, 2.5, Number.NaN, Infinity]) {
    assert.throws(() => new ResponseVerifier(readKey('keys/alipay_2048_public.pem'), { maxBodyBytes }), {
      code: 'ALIPAY_CONFIG_ERROR',
    })
  }
  assert.throws(() => new ResponseVerifier('not a key'), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => new ResponseVerifier(readKey('keys/app_1024_public.pem')), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('verification errors never contain the tokens of the body', () => {
  const token = '202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21'
  const verifier = new ResponseVerifier(readKey('keys/alipay_2048_public.pem'))
  const failing = vectors.cases.filter((v) => v.expect !== 'ok' && (v.body ?? '').includes(token))
  assert.ok(failing.length >= 5, `${failing.length} failing bodies carry the token`)
  for (const vector of failing) {
    try {
      verifierFor(vector).verify(vector.method, bodyOf(vector))
      assert.fail(`${vector.name} verified`)
    } catch (error) {
      const everything = `${error.message} ${error.reason} ${error.stack} ${JSON.stringify(error)}`
      assert.ok(!everything.includes(token), `${vector.name}: ${everything}`)
    }
  }
  assert.ok(verifier)
})
