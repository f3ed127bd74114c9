'use strict'
// The fast paths of the conversions give what their slow paths give: parameter objects read by the
// compiled JavaScript reader vs through Node-API property by property (signContent, signParams,
// verifyParams, extraParams), and response nodes handed over by one JSON.parse of their raw text vs
// parsed by serde_json first (the guards: integers beyond 2^53, `__proto__`, surrogates, nesting).

const { test } = require('node:test')
const assert = require('node:assert/strict')

const binding = require('..')
const { signContent, Signer, PrivateKey, ResponseVerifier, NotificationVerifier } = binding
const { loadVectors, readKey } = require('./helpers')

/** The pairs of `object` by the reader (`fast`) or through Node-API, or the error thrown. */
function entries(object, skipUndefined, fast) {
  try {
    return { pairs: binding.__stringEntriesForTests(object, skipUndefined, fast) }
  } catch (error) {
    return { error: { name: error.name, code: error.code, message: error.message } }
  }
}

function parameterObjects() {
  const objects = loadVectors('sign.json').cases.map((vector) => [vector.name, vector.params])
  for (const vector of loadVectors('notifications.json').cases) {
    if (vector.params) objects.push([`notification ${vector.name}`, vector.params])
  }
  const shadowed = Object.create({ a: 'from the prototype', b: 'inherited' }, {
    a: { value: 'own, not enumerable', enumerable: false },
    c: { value: 'own', enumerable: true },
  })
  class WithMethods {
    constructor() {
      this.x = '1'
    }
    method() {
      return 'not a parameter'
    }
  }
  let getterCalls = 0
  const extra = {
    empty: {},
    'empty key and value': { '': '' },
    'NUL in a value': { x: 'a\u0000b', y: 'c' },
    'NUL in a key': { 'a\u0000': 'b', c: '' },
    'non-ASCII': { subject: '中文 😀 é', 名: '值' },
    'lone surrogates': { high: '\ud800', low: 'x\udc00y', [`k\ud83d`]: 'v' },
    'integer-like keys': { 10: 'a', 2: 'b', c: 'd', '-1': 'e', '01': 'f' },
    inherited: Object.create({ inherited: 'x' }, { own: { value: 'y', enumerable: true } }),
    shadowed,
    'class instance': new WithMethods(),
    'symbol keys': { [Symbol('s')]: 'ignored', a: 'kept' },
    array: ['p', 'q'],
    proxy: new Proxy({ a: '1', b: '2' }, {}),
    getter: {
      get token() {
        getterCalls++
        return 'from a getter'
      },
    },
    'length-like text': { '5:abc': '3:x\u0000', a: '0:' },
    'long values': { short: 'x', long: 'v'.repeat(70_000), wide: '中'.repeat(30_000) },
    'many keys': Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, String(i)])),
    'undefined value': { a: '1', b: undefined, c: '3' },
    'number value': { a: '1', n: 1 },
    'null value': { n: null },
    'boolean value': { t: true },
    'bigint value': { b: 1n },
    'symbol value': { s: Symbol('x') },
    'function value': { f: () => 'x' },
    'object value': { o: {} },
    'String object value': { s: new String('x') },
    'throwing getter': {
      get a() {
        throw new Error('from a getter')
      },
    },
    'frozen object': Object.freeze({ a: '1', b: '2' }),
    'null prototype': Object.assign(Object.create(null), { a: '1', z: '2' }),
  }
  return { objects: [...objects, ...Object.entries(extra)], getterCalls: () => getterCalls }
}

test('the reader reads every parameter object exactly as Node-API does (values, errors, order)', () => {
  assert.equal(binding.__readerAvailableForTests(), true)
  const { objects } = parameterObjects()
  assert.ok(objects.length > 70)
  for (const [name, object] of objects) {
    for (const skipUndefined of [true, false]) {
      const fast = entries(object, skipUndefined, true)
      const slow = entries(object, skipUndefined, false)
      assert.deepEqual(fast, slow, `${name} (skipUndefined ${skipUndefined})`)
    }
  }
  // Values that are not objects are refused before either path.
  for (const value of ['a=1', 5, null, undefined, () => {}]) {
    assert.deepEqual(entries(value, true, true), entries(value, true, false))
    assert.ok(entries(value, true, true).error)
  }
})

test('lone surrogates become U+FFFD and NULs stay, on the reader path as through Node-API', () => {
  assert.equal(signContent({ a: 'x\ud800y', b: 'c\u0000d' }), 'a=x\ufffdy&b=c\u0000d')
  assert.equal(signContent({ [`k\udc00`]: 'v' }), 'k\ufffd=v')
  assert.equal(signContent({ 名: '中文 😀' }), '名=中文 😀')
})

test('the public calls keep their errors for values that are not strings', () => {
  const signer = new Signer(PrivateKey.fromText(readKey('keys/app_2048_pkcs8.pem')))
  for (const call of [(p) => signContent(p), (p) => signer.signParams(p)]) {
    assert.throws(() => call({ a: '1', n: 1 }), { code: 'StringExpected', message: /`n` must be a string, not Number/ })
    assert.equal(call({ a: '1', u: undefined }).content ?? call({ a: '1', u: undefined }), 'a=1')
  }
  const verifier = new NotificationVerifier(readKey('keys/alipay_2048_public.pem'))
  assert.throws(() => verifier.verifyParams({ sign: 'x', u: undefined }), {
    code: 'StringExpected',
    message: /`u` must be a string, not Undefined/,
  })
  assert.throws(() => signContent({ get a() { throw new Error('from a getter') } }), { message: 'from a getter' })
})

test('a getter is read once on the reader path', () => {
  let calls = 0
  const params = {
    app_id: '1',
    get token() {
      calls++
      return 't'
    },
  }
  assert.equal(signContent(params), 'app_id=1&token=t')
  assert.equal(calls, 1)
})

/**
 * A value with its prototypes spelled out (napi-rs sets a `__proto__` key as the prototype: two
 * conversions give two prototype objects, equal in content only), keys sorted.
 */
function shape(value) {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(shape)
  const proto = Object.getPrototypeOf(value)
  return {
    own: Object.entries(value)
      .map(([key, item]) => [key, shape(item)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    proto: proto === Object.prototype ? 'Object.prototype' : shape(proto),
  }
}

/** The node text handed over raw (`raw`) or parsed by serde_json first, or the error thrown. */
function fields(text, raw) {
  try {
    const value = binding.__jsonObjectForTests(text, raw)
    return { value, shape: shape(value) }
  } catch (error) {
    return { error: true }
  }
}

const SAFE_NODES = [
  '{}',
  '{"code":"10000","msg":"Success","trade_no":"2026112122001401000500000001","total_amount":"88.88"}',
  '{"a":1.5,"b":0.1,"c":123456789012345,"d":-12,"e":[1,2,{"f":null}],"g":true,"h":"x1e5 23:04:05","i":-0.0}',
  '{"名":"中文😀","esc":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u4e2d","long":"2026112122001401000500000001"}',
  '{ "spaced" : [ 1 , 2 ] , "n" : -3 }',
  `{"a":${'['.repeat(99)}${']'.repeat(99)}}`,
]

const UNSAFE_NODES = [
  '{"a":12345678901234567}',
  '{"a":9007199254740993}',
  '{"a":-9007199254740993}',
  '{"a":1234567890123456}',
  '{"a":-0}',
  '{"a":1e5}',
  '{"a":1.7976931348623157e308}',
  '{"a":0.30000000000000004}',
  '{"__proto__":{"x":"1"}}',
  '{"a":{"__proto__":"x"}}',
  '{"a":"__proto__"}',
  '{"\\u005f_proto__":"x"}',
  '{"__pr\\u006fto__":"x"}',
  '{"a":"\\ud800"}',
  '{"a":"\\ud83d\\ude00"}',
  `{"a":${'['.repeat(100)}${']'.repeat(100)}}`,
  `{"a":${'{"b":'.repeat(120)}1${'}'.repeat(120)}}`,
  '{"note":"ratio:12345678901234567"}',
]

test('response nodes: one JSON.parse of the raw text where that gives what serde_json gives', () => {
  for (const text of SAFE_NODES) {
    assert.equal(binding.__rawJsonSafeForTests(text), true, text)
    const raw = fields(text, true)
    assert.deepEqual(raw, fields(text, false), text)
    assert.deepEqual(raw.value, JSON.parse(text), text)
  }
  for (const text of UNSAFE_NODES) {
    assert.equal(binding.__rawJsonSafeForTests(text), false, text)
    const [raw, parsed] = [fields(text, true), fields(text, false)]
    assert.deepEqual(raw.shape, parsed.shape, text)
    assert.equal(raw.error, parsed.error, text)
  }
  // The guards at work: napi-rs's BigInt for big integers, its prototype for `__proto__`.
  assert.equal(fields('{"a":12345678901234567}', true).value.a, 12345678901234567n)
  assert.equal(Object.getPrototypeOf(fields('{"__proto__":{"x":"1"}}', true).value).x, '1')
  assert.equal(fields('{"a":"\\ud800"}', true).error, true)
  // The raw text keeps its key order; a parsed value has its keys sorted.
  assert.deepEqual(Object.keys(fields('{"b":"1","a":"2"}', true).value), ['b', 'a'])
  assert.deepEqual(Object.keys(fields('{"b":"1","a":"2","n":123456789012345678}', true).value), ['a', 'b', 'n'])
})

test('ResponseVerifier: signed nodes on either path give the fields serde_json gives', () => {
  const alipaySigner = new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')))
  const verifier = new ResponseVerifier(readKey('keys/alipay_2048_public.pem'))
  for (const extra of ['"n":12', '"n":12345678901234567', '"__proto__":{"x":"1"}', '"d":[[[1]]]', '"u":"中文"']) {
    const node = `{"code":"10000","msg":"Success",${extra}}`
    const body = `{"alipay_trade_query_response":${node},"sign":"${alipaySigner.sign(node)}"}`
    const verified = verifier.verify('alipay.trade.query', body).fields
    assert.deepEqual(shape(verified), fields(node, false).shape, node)
    const checked = verifier.check('alipay.trade.query', Buffer.from(body)).response.fields
    assert.deepEqual(shape(checked), shape(verified), node)
  }
})
