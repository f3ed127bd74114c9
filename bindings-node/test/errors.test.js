'use strict'
// Mirrors protocol/src/error: the one mapping from core errors to JavaScript errors, for all six kinds.
// Kinds the core cannot raise yet (API, transport, protocol, store) are thrown through a hook that
// exists in debug builds only (`__throwCoreErrorForTests`), as is `__panicForTests`.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const binding = require('..')
const { PrivateKey, PublicKey, Verifier } = binding
const { readKey, keyBody } = require('./helpers')

const KINDS = {
  config: 'ALIPAY_CONFIG_ERROR',
  signature: 'ALIPAY_SIGNATURE_ERROR',
  api: 'ALIPAY_API_ERROR',
  transport: 'ALIPAY_TRANSPORT_ERROR',
  protocol: 'ALIPAY_PROTOCOL_ERROR',
  store: 'ALIPAY_STORE_ERROR',
}
const API_FIELDS = ['apiCode', 'msg', 'subCode', 'subMsg', 'signed', 'hint', 'httpStatus', 'traceId', 'links']

function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an error')
}

test('the debug build carries the test hooks, the typings do not', () => {
  assert.equal(typeof binding.__throwCoreErrorForTests, 'function')
  assert.equal(typeof binding.__panicForTests, 'function')
  const dts = require('node:fs').readFileSync(require.resolve('../index.d.ts'), 'utf8')
  assert.ok(!dts.includes('ForTests'))
})

for (const [kind, code] of Object.entries(KINDS)) {
  test(`core ${kind} error becomes an Error with code ${code}`, () => {
    const error = thrown(() => binding.__throwCoreErrorForTests(kind))
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'Error')
    assert.equal(error.code, code)
    assert.equal(error.kind, kind)
    assert.equal(typeof error.reason, 'string')
    assert.ok(error.reason.length > 0)
    assert.ok(error.message.includes(error.reason), error.message)
    assert.ok(typeof error.stack === 'string' && error.stack.length > 0)
    if (kind !== 'api') {
      assert.equal(error.reason, `sample ${kind} error`)
      for (const field of API_FIELDS) assert.ok(!(field in error), `${kind} error has ${field}`)
    }
    assert.equal('requestSent' in error, kind === 'transport', `${kind} error and requestSent`)
  })
}

test('a transport error says whether the request may have reached the gateway', () => {
  assert.equal(thrown(() => binding.__throwCoreErrorForTests('transport')).requestSent, true)
  const unsent = thrown(() => binding.__throwCoreErrorForTests('transport_unsent'))
  assert.equal(unsent.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(unsent.requestSent, false)
})

test('error codes are the six stable strings and all different', () => {
  assert.equal(new Set(Object.values(KINDS)).size, 6)
  for (const code of Object.values(KINDS)) assert.match(code, /^ALIPAY_[A-Z]+_ERROR$/)
})

test('an API error carries every gateway field', () => {
  const error = thrown(() => binding.__throwCoreErrorForTests('api'))
  assert.equal(error.code, 'ALIPAY_API_ERROR')
  assert.equal(error.apiCode, '40004')
  assert.equal(error.msg, 'Business Failed')
  assert.equal(error.subCode, 'isv.code-invalid')
  assert.equal(error.subMsg, '授权码code无效')
  assert.equal(error.signed, true)
  assert.equal(error.hint, 'ask the merchant to authorise again')
  for (const part of ['40004', 'Business Failed', 'isv.code-invalid', '授权码code无效']) {
    assert.ok(error.reason.includes(part), error.reason)
  }
  // A classic gateway.do error: no HTTP status, trace id or links.
  assert.equal(error.httpStatus, null)
  assert.equal(error.traceId, null)
  assert.deepEqual(error.links, [])
})

test('an OpenAPI v3 API error carries its HTTP status, trace id and links', () => {
  const error = thrown(() => binding.__throwCoreErrorForTests('api_v3'))
  assert.equal(error.code, 'ALIPAY_API_ERROR')
  assert.equal(error.kind, 'api')
  assert.equal(error.apiCode, 'invalid-app-auth-token')
  assert.equal(error.msg, '无效的应用授权令牌')
  assert.equal(error.subCode, null)
  assert.equal(error.subMsg, null)
  assert.equal(error.signed, false)
  assert.equal(error.hint, 'the merchant must authorise again')
  assert.equal(error.httpStatus, 401)
  assert.equal(error.traceId, '0b2f6a1717756911576')
  assert.deepEqual(error.links, [
    'https://open.alipay.com/api/errCheck?traceId=0b2f6a1717756911576',
    'https://opendocs.alipay.com/common/02km9f',
  ])
  for (const part of ['invalid-app-auth-token', 'HTTP 401', '0b2f6a1717756911576']) {
    assert.ok(error.reason.includes(part), error.reason)
  }
  for (const field of API_FIELDS) assert.ok(field in error, field)
})

test('an API error without optional fields has them as null and says it is unsigned', () => {
  const error = thrown(() => binding.__throwCoreErrorForTests('api_bare'))
  assert.equal(error.code, 'ALIPAY_API_ERROR')
  assert.equal(error.apiCode, '40001')
  assert.equal(error.msg, 'Missing Required Arguments')
  assert.equal(error.subCode, null)
  assert.equal(error.subMsg, null)
  assert.equal(error.hint, null)
  assert.equal(error.signed, false)
  assert.ok(error.reason.includes('[unsigned]'), error.reason)
})

test('a Rust panic becomes a JavaScript Error, not a crash', () => {
  // Rust's panic hook still prints the panic message on stderr; spare the backtrace.
  process.env.RUST_BACKTRACE = '0'
  const error = thrown(() => binding.__panicForTests())
  assert.ok(error instanceof Error)
  assert.match(error.message, /deliberate panic/)
  // The process is still alive and the binding still works after the panic.
  const key = PrivateKey.fromText(readKey('keys/app_2048_pkcs8.pem'))
  assert.equal(key.bits, 2048)
})

test('a Rust panic on the libuv pool rejects the promise with an Error, not a crash', async () => {
  await assert.rejects(binding.__panicInBackgroundForTests(), (error) => {
    assert.ok(error instanceof Error)
    assert.match(error.message, /panic/)
    return true
  })
  // The process and the binding still work.
  assert.equal(binding.statesMatch('a', 'a'), true)
})

test('real config and signature errors take the same shape', () => {
  const config = thrown(() => PublicKey.fromText('-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----'))
  assert.equal(config.code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(config.kind, 'config')
  assert.ok(config.message.includes(config.reason))
  const verifier = new Verifier(PublicKey.fromText(readKey('keys/app_2048_public.pem')))
  const signature = thrown(() => verifier.verify('a=1', Buffer.alloc(256, 1).toString('base64')))
  assert.equal(signature.code, 'ALIPAY_SIGNATURE_ERROR')
  assert.equal(signature.kind, 'signature')
  assert.ok(signature.reason.includes(verifier.signType))
})

test('an error about a private key never contains the key', () => {
  const text = readKey('keys/app_2048_pkcs8.pem')
  const body = keyBody(text)
  const wrongRole = thrown(() => PublicKey.fromText(text))
  const truncated = thrown(() => PrivateKey.fromText(body.slice(0, 600)))
  for (const error of [wrongRole, truncated]) {
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    const everything = `${error.message} ${error.reason} ${error.stack} ${JSON.stringify(error)}`
    for (let start = 0; start + 16 <= 600; start += 50) {
      assert.ok(!everything.includes(body.slice(start, start + 16)), everything)
    }
  }
})

test('errors serialise their fields to JSON', () => {
  const error = thrown(() => binding.__throwCoreErrorForTests('store'))
  assert.deepEqual(JSON.parse(JSON.stringify(error)), {
    code: 'ALIPAY_STORE_ERROR',
    kind: 'store',
    reason: 'sample store error',
  })
})
