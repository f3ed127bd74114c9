'use strict'
// OpenAPI v3: `IsvConfig.v3Sign` and `IsvConfig.v3Verify` on the shared vectors of tests/vectors/v3.json
// (made by the official Node SDK alipay-sdk 4.14.0), and `prepareV3` / `readV3Answer` on its AES requests
// (the SDK's ciphertext and Authorization), its multipart upload (the data part signed, the file not) and
// its AES answers (decrypted, or refused as the vector says); their typed refusals, the masked string
// forms, every header shape Node hands over, and conformance with the official SDK installed in
// devDependencies:
// 1. our `authorization` verifies with the SDK's `verifySignatureV3` over our `stringToSign` (app public
//    key), and that string is the one the SDK's rule builds;
// 2. an answer signed with the SDK's `signatureV3` (Alipay key) verifies with our `v3Verify`;
// 3. live: the SDK's `AlipaySdk#curl`, its nonce and clock fixed, sends exactly our `Authorization` to a
//    loopback server, whose signed answer our `v3Verify` accepts as `fetch` and `node:http` read it;
//    likewise with the SDK's `additionalAuthInfo` and our `v3AdditionalAuthInfo` (key and certificate
//    mode), whose refusals are tested too.
//
// `signatureV3` / `verifySignatureV3` live in the SDK's `util` module, which its package `exports` map
// does not list; it is loaded by file path next to the SDK's resolved entry point.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const path = require('node:path')
const util = require('node:util')

const { AlipaySdk } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const { signatureV3, verifySignatureV3 } = require(path.join(path.dirname(require.resolve('alipay-sdk')), 'util.js'))
const { IsvConfig, V3Signature, V3Response } = require('..')
const { loadVectors, readKey } = require('./helpers')

const vectors = loadVectors('v3.json')
const APP_ID = '2021000000000001'
const TOKEN = '202612BB0123456789abcdef0123456789abcdef'

const keyMode = new IsvConfig({
  appId: APP_ID,
  privateKey: readKey('keys/app_2048_pkcs8.pem'),
  alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
})
const certMode = new IsvConfig({
  appId: APP_ID,
  privateKey: readKey('keys/app_2048_pkcs8.pem'),
  appCert: readKey('certs/app_cert.crt'),
  alipayCert: readKey('certs/alipay_cert.crt'),
  rootCert: readKey('certs/root_bundle.crt'),
})
const appPublic = readKey('keys/app_2048_public.pem')
const alipayPrivate = readKey('keys/alipay_2048_pkcs8.pem')

/** The options of `v3Sign` for a `requests` vector. */
function signOptions(c) {
  const options = { method: c.method, requestTarget: c.request_target, body: c.body, nonce: c.nonce, timestampMs: c.timestamp_ms }
  if (c.app_auth_token !== null) options.appAuthToken = c.app_auth_token
  return options
}

/** What `v3Verify` says about an answer: its verdict, or the expectation name of its error. */
function verdict(config, answer) {
  try {
    return config.v3Verify(answer)
  } catch (error) {
    const names = { ALIPAY_SIGNATURE_ERROR: 'signature_error', ALIPAY_PROTOCOL_ERROR: 'protocol_error' }
    assert.ok(error instanceof Error)
    assert.ok(error.code in names, `${error.code}: ${error.message}`)
    assert.equal(error.kind, names[error.code].replace('_error', ''))
    return names[error.code]
  }
}

/** The error `fn` throws. */
function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an error')
}

/** Signs an answer as Alipay does, with the SDK's `signatureV3`: the three headers. */
function alipaySigned(body, { timestamp = String(Date.now()), nonce = crypto.randomUUID(), key = alipayPrivate } = {}) {
  return {
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': signatureV3(`${timestamp}\n${nonce}\n${body}\n`, key),
  }
}

test('v3.json: every request vector gives the official SDK’s Authorization byte for byte', () => {
  assert.ok(vectors.requests.length >= 7)
  assert.ok(vectors.requests.some((c) => c.cert_mode) && vectors.requests.some((c) => c.app_auth_token))
  for (const c of vectors.requests) {
    assert.equal(c.app_id, APP_ID)
    assert.ok(c.additional_auth_info === null || typeof c.additional_auth_info === 'string', `${c.name}: additional_auth_info`)
    const config = vectorConfig(c)
    assert.equal(config.v3AdditionalAuthInfo, c.additional_auth_info, c.name)
    const signed = config.v3Sign(signOptions(c))
    assert.ok(signed instanceof V3Signature)
    assert.equal(signed.authorization, c.authorization, c.name)
    assert.ok(signed.authorization.startsWith(`ALIPAY-SHA256withRSA ${signed.authString},sign=`), c.name)
    const headers = signed.headers
    assert.equal(headers.authorization, c.authorization, c.name)
    assert.equal(headers['alipay-root-cert-sn'] ?? null, c.alipay_root_cert_sn, c.name)
    assert.equal(headers['alipay-app-auth-token'] ?? null, c.app_auth_token, c.name)
    // Lower-case names, in order, and nothing else.
    const names = ['authorization']
    if (c.app_auth_token) names.push('alipay-app-auth-token')
    if (c.cert_mode) names.push('alipay-root-cert-sn')
    assert.deepEqual(Object.keys(headers), names, c.name)
    // The token is the last signed line exactly when it is sent.
    const lines = [signed.authString, c.method, c.request_target, c.body]
    if (c.app_auth_token) lines.push(c.app_auth_token)
    assert.equal(signed.stringToSign, lines.map((line) => `${line}\n`).join(''), c.name)
    if (c.cert_mode) {
      assert.equal(headers['alipay-root-cert-sn'], certMode.alipayRootCertSn)
      assert.ok(signed.authString.includes(`,app_cert_sn=${certMode.appCertSn},`), signed.authString)
    }
    // The extension, when there is one, ends the auth string, after the timestamp.
    const tail = `,timestamp=${c.timestamp_ms}${c.additional_auth_info === null ? '' : `,${c.additional_auth_info}`}`
    assert.ok(signed.authString.endsWith(tail), `${c.name}: ${signed.authString}`)
  }
  const extended = vectors.requests.filter((c) => c.additional_auth_info !== null)
  assert.deepEqual([...new Set(extended.map((c) => c.cert_mode))].sort(), [false, true])
  assert.ok(extended.some((c) => c.app_auth_token))
})

test('v3.json: every answer vector gives its expectation, whatever shape the headers come in', () => {
  assert.ok(vectors.answers.length >= 10)
  const seen = new Set()
  for (const c of vectors.answers) {
    seen.add(c.expect)
    const pairs = c.headers
    const names = pairs.map(([name]) => name.toLowerCase())
    const repeated = new Set(names).size !== names.length
    const shapes = {
      pairs,
      rawHeaders: pairs.flat(),
      upperCasePairs: pairs.map(([name, value]) => [name.toUpperCase(), value]),
      // node:http's `headers`: a repeated header as an array.
      object: pairs.reduce((object, [name, value]) => {
        const key = name.toLowerCase()
        object[key] = key in object ? [].concat(object[key], value) : value
        return object
      }, {}),
    }
    // `fetch`'s Headers and a Map keep one value per name: only for answers without a repetition.
    if (!repeated) {
      shapes.fetchHeaders = new Headers(pairs)
      shapes.map = new Map(pairs)
    }
    for (const [shape, headers] of Object.entries(shapes)) {
      assert.equal(verdict(keyMode, { status: c.status, headers, body: c.body }), c.expect, `${c.name} (${shape})`)
    }
    // The exact bytes received, as a Buffer or a Uint8Array.
    const bytes = Buffer.from(c.body, 'utf8')
    assert.equal(verdict(keyMode, { status: c.status, headers: pairs, body: bytes }), c.expect, c.name)
    assert.equal(verdict(keyMode, { status: c.status, headers: pairs, body: new Uint8Array(bytes) }), c.expect, c.name)
  }
  assert.deepEqual([...seen].sort(), ['protocol_error', 'signature_error', 'unsigned', 'verified'])
})

/**
 * The configuration of a vector: its mode, with the vector's AES key and auth-string extension
 * (`additional_auth_info`, the SDK's `additionalAuthInfo`) when it has them (cached).
 */
const configs = new Map()
function vectorConfig(c) {
  const extension = c.additional_auth_info ?? null
  const id = `${c.cert_mode ? 'cert' : 'key'}:${c.aes_key ?? ''}:${extension ?? ''}`
  if (!configs.has(id)) {
    const options = {
      appId: APP_ID,
      privateKey: readKey('keys/app_2048_pkcs8.pem'),
      ...(c.cert_mode
        ? { appCert: readKey('certs/app_cert.crt'), alipayCert: readKey('certs/alipay_cert.crt'), rootCert: readKey('certs/root_bundle.crt') }
        : { alipayPublicKey: readKey('keys/alipay_2048_public.pem') }),
      ...(c.aes_key ? { aesKey: c.aes_key } : {}),
      ...(extension !== null ? { v3AdditionalAuthInfo: extension } : {}),
    }
    configs.set(id, new IsvConfig(options))
  }
  return configs.get(id)
}

/**
 * The `V3Call` of a request vector: its path, its query decoded into pairs (prepareV3 encodes them
 * again), its token; the body is given by the caller.
 */
function vectorCall(c, body) {
  const [path, query = ''] = c.request_target.split('?')
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => decodeURIComponent(part.replace(/\+/g, ' '))))
  return {
    method: c.method,
    path,
    query: pairs,
    body,
    ...(c.app_auth_token !== null ? { appAuthToken: c.app_auth_token } : {}),
  }
}

/** The expectation name of an error (`protocol_error`, …), as the vectors spell them. */
function errorName(error) {
  assert.ok(error instanceof Error)
  assert.match(error.code, /^ALIPAY_[A-Z]+_ERROR$/, error.message)
  return `${error.kind}_error`
}

/** What `readV3Answer` makes of an answer: its V3Response, or the expectation name of its error. */
function readAnswer(config, answer, encrypted) {
  try {
    return config.readV3Answer(answer, encrypted)
  } catch (error) {
    return errorName(error)
  }
}

test('v3.json: AES request vectors — prepareV3 encrypts the plaintext to the SDK’s ciphertext, with its Authorization', (t) => {
  const aes = vectors.requests.filter((c) => c.aes_key !== undefined || c.plaintext !== undefined)
  if (aes.length === 0) t.diagnostic('v3.json has no AES request vector yet')
  for (const c of aes) {
    assert.equal(typeof c.aes_key, 'string', `${c.name}: aes_key`)
    assert.equal(typeof c.plaintext, 'string', `${c.name}: plaintext`)
    const request = vectorConfig(c).prepareV3({ ...vectorCall(c, c.plaintext), encrypt: true }, { nonce: c.nonce, timestampMs: c.timestamp_ms })
    assert.equal(request.requestTarget, c.request_target, c.name)
    assert.equal(request.encrypted, true, c.name)
    assert.equal(request.body.toString('utf8'), c.body, `${c.name}: the ciphertext`)
    assert.equal(request.authorization, c.authorization, `${c.name}: the Authorization`)
    assert.equal(request.headers['alipay-encrypt-type'], 'AES', c.name)
    assert.match(request.headers['content-type'], /^text\/plain/, c.name)
    assert.equal(request.headers['alipay-root-cert-sn'] ?? null, c.alipay_root_cert_sn, c.name)
    assert.equal(request.headers['alipay-app-auth-token'] ?? null, c.app_auth_token, c.name)
  }
})

/**
 * The file of the multipart vector, as tests/vectors/generate_v3.js makes it (UPLOAD_FILE): a PNG
 * signature, then text and bytes that are not UTF-8. Its SHA-256 is checked against `file_sha256`.
 */
const UPLOAD_FILE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(' alipay-isv v3 upload vector '), Buffer.from([0x00, 0xff, 0xfe, 0x80])])

test('v3.json: multipart request vectors — prepareV3 signs the data part as the SDK did; the file part is not signed', (t) => {
  const uploads = vectors.requests.filter((c) => c.multipart !== undefined)
  if (uploads.length === 0) t.diagnostic('v3.json has no multipart request vector yet')
  for (const c of uploads) {
    assert.equal(c.multipart, true, c.name)
    assert.equal(c.method, 'POST', c.name)
    const file = UPLOAD_FILE
    assert.equal(crypto.createHash('sha256').update(file).digest('hex'), c.file_sha256, `${c.name}: the vector's file`)
    const call = { ...vectorCall(c, c.body), files: [{ field: 'file_content', fileName: c.file_name, content: file }] }
    const request = vectorConfig(c).prepareV3(call, { nonce: c.nonce, timestampMs: c.timestamp_ms })
    assert.equal(request.requestTarget, c.request_target, c.name)
    assert.equal(request.authorization, c.authorization, `${c.name}: the Authorization`)
    const lines = [c.method, c.request_target, c.body, ...(c.app_auth_token ? [c.app_auth_token] : [])]
    assert.ok(request.stringToSign.endsWith(lines.map((line) => `\n${line}`).join('') + '\n'), request.stringToSign)
    // The body sent: the data part (exactly the signed text) and the file part (exactly the file).
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(request.headers['content-type'])[1]
    const body = request.body
    const dataPart = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="data"\r\nContent-Type: application/json\r\n\r\n${c.body}\r\n`, 'utf8')
    assert.ok(body.subarray(0, dataPart.length).equals(dataPart), `${c.name}: the data part`)
    const fileHead = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file_content"; filename="${c.file_name}"\r\n`, 'utf8')
    const at = body.indexOf(fileHead)
    assert.ok(at > 0, `${c.name}: the file part`)
    const start = body.indexOf('\r\n\r\n', at) + 4
    const end = body.length - `\r\n--${boundary}--\r\n`.length
    assert.equal(crypto.createHash('sha256').update(body.subarray(start, end)).digest('hex'), c.file_sha256, `${c.name}: the file part's bytes`)
    // The same data part from the fields as an object (as uploadFileV3 builds it) signs the same.
    const fields = JSON.parse(c.body)
    const fromObject = vectorConfig(c).prepareV3({ ...call, body: fields }, { nonce: c.nonce, timestampMs: c.timestamp_ms })
    if (JSON.stringify(fields) === c.body) assert.equal(fromObject.authorization, c.authorization, c.name)
  }
})

test('v3.json: AES answer vectors decrypt to `decrypted`, or fail as `decrypt_expect` (or `expect`) says', (t) => {
  const aes = vectors.answers.filter((c) => c.aes_key !== undefined || c.decrypted !== undefined || c.decrypt_expect !== undefined)
  if (aes.length === 0) t.diagnostic('v3.json has no AES answer vector yet')
  for (const c of aes) {
    assert.equal(typeof c.aes_key, 'string', `${c.name}: aes_key`)
    const config = vectorConfig(c)
    const answer = { status: c.status, headers: c.headers, body: c.body }
    const read = readAnswer(config, answer, true)
    if (typeof c.decrypted === 'string') {
      assert.ok(read instanceof V3Response, `${c.name}: ${read}`)
      assert.equal(read.body, c.decrypted, c.name)
      assert.deepEqual(read.fields, JSON.parse(c.decrypted), c.name)
      assert.equal(read.verified, c.expect === 'verified', c.name)
    } else if (c.decrypt_expect !== undefined) {
      assert.equal(read, c.decrypt_expect, `${c.name}: decrypting`)
    } else {
      // No plaintext and no decryption verdict: it must fail before decrypting, as `expect` says.
      assert.equal(c.decrypted, null, c.name)
      assert.ok(c.expect.endsWith('_error'), `${c.name}: expect ${c.expect}`)
      assert.equal(read, c.expect, c.name)
    }
    // Read without decryption, a verified ciphertext is no JSON object.
    if (c.expect === 'verified' && c.status >= 200 && c.status < 300) {
      assert.equal(readAnswer(config, answer, false), 'protocol_error', `${c.name}: unencrypted`)
    }
  }
})

test('v3.json: readV3Answer agrees with v3Verify on every answer vector', () => {
  for (const c of vectors.answers.filter((a) => a.aes_key === undefined)) {
    const answer = { status: c.status, headers: c.headers, body: c.body }
    const read = readAnswer(keyMode, answer, false)
    if (c.expect.endsWith('_error')) {
      assert.equal(read, c.expect, c.name)
    } else if (c.status >= 200 && c.status < 300) {
      assert.ok(read instanceof V3Response, `${c.name}: ${read}`)
      assert.equal(read.verified, true, c.name)
      assert.equal(read.body, c.body, c.name)
    } else {
      // A v3 error answer: an API error, signed exactly when its signature verified.
      const error = thrown(() => keyMode.readV3Answer(answer))
      assert.equal(error.code, 'ALIPAY_API_ERROR', `${c.name}: ${error.message}`)
      assert.equal(error.httpStatus, c.status, c.name)
      assert.equal(error.signed, c.expect === 'verified', c.name)
      assert.equal(error.apiCode, JSON.parse(c.body).code, c.name)
    }
  }
})

test('an unsigned success answer is a signature error that names the v2 gateway.do', () => {
  const error = thrown(() => keyMode.v3Verify({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }))
  assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
  assert.equal(error.kind, 'signature')
  assert.ok(error.reason.includes('gateway.do'), error.reason)
  // A non-2xx answer without a signature is read unverified.
  assert.equal(keyMode.v3Verify({ status: 404, headers: [], body: '{"code":"x"}' }), 'unsigned')
})

test('a signed answer without a nonce, a body that is not UTF-8 or one over 10 MiB is a protocol error', () => {
  const body = '{"code":"10000"}'
  const headers = alipaySigned(body)
  const { 'alipay-nonce': _, ...withoutNonce } = headers
  const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 'a')
  const cases = [
    { status: 200, headers: withoutNonce, body },
    { status: 200, headers, body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
    { status: 200, headers, body: huge },
  ]
  for (const answer of cases) {
    const error = thrown(() => keyMode.v3Verify(answer))
    assert.equal(error.code, 'ALIPAY_PROTOCOL_ERROR', error.message)
    assert.ok(error.reason.length < 200, 'nothing echoed unbounded')
  }
})

test('certificate mode: an answer names the Alipay certificate; an unknown one is a signature error', () => {
  const body = '{"app_versions":["0.0.1"]}'
  const signed = alipaySigned(body)
  assert.equal(certMode.v3Verify({ status: 200, headers: { ...signed, 'alipay-sn': certMode.alipayCertSn }, body }), 'verified')
  assert.equal(certMode.v3Verify({ status: 200, headers: signed, body }), 'verified')
  const error = thrown(() => certMode.v3Verify({ status: 200, headers: { ...signed, 'alipay-sn': '0123456789abcdef0123456789abcdef' }, body }))
  assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
  assert.ok(error.reason.includes('alipaycert.download'), error.reason)
})

test('without nonce and timestampMs: a fresh 32-hex-digit nonce, now, and every signature differs', () => {
  const before = Date.now()
  const a = keyMode.v3Sign({ method: 'POST', requestTarget: '/v3/alipay/open/auth/token/app', body: '{"grant_type":"x"}' })
  const b = keyMode.v3Sign({ method: 'POST', requestTarget: '/v3/alipay/open/auth/token/app', body: '{"grant_type":"x"}' })
  const after = Date.now()
  const [, nonce, timestamp] = /^app_id=2021000000000001,nonce=([0-9a-f]{32}),timestamp=(\d+)$/.exec(a.authString)
  assert.ok(Number(timestamp) >= before && Number(timestamp) <= after, timestamp)
  assert.ok(!b.authString.includes(nonce))
  assert.notEqual(a.authorization, b.authorization)
  // The body is optional: a GET signs an empty body line.
  const get = keyMode.v3Sign({ method: 'GET', requestTarget: '/v3/alipay/open/auth/token/app/query?a=1' })
  assert.ok(get.stringToSign.endsWith('\nGET\n/v3/alipay/open/auth/token/app/query?a=1\n\n'), get.stringToSign)
  assert.deepEqual(Object.keys(get.headers), ['authorization'])
})

test('the refusals are typed configuration errors whose text never holds the token', () => {
  const base = { method: 'POST', requestTarget: '/v3/alipay/open/mini/version/list/query', body: '{}', appAuthToken: TOKEN }
  const cases = {
    'lower-case method': { ...base, method: 'post' },
    'empty method': { ...base, method: '' },
    'target without a leading slash': { ...base, requestTarget: 'v3/alipay/open/mini/version/list/query' },
    'a full URL as the target': { ...base, requestTarget: 'https://openapi.alipay.com/v3/alipay/x' },
    'a space in the target': { ...base, requestTarget: '/v3/alipay/x?q=a b' },
    'a line break in the target': { ...base, requestTarget: '/v3/alipay/x\n' },
    'a token in the target query with a space': { ...base, requestTarget: `/v3/alipay/x?auth_token=${TOKEN} ` },
    'a token with a line break': { ...base, appAuthToken: `${TOKEN}\nX-Injected: 1` },
    'a token with a carriage return': { ...base, appAuthToken: `${TOKEN}\r` },
    'nonce without timestampMs': { ...base, nonce: 'n1' },
    'timestampMs without nonce': { ...base, timestampMs: 1796600000000 },
    'a comma in the nonce': { ...base, nonce: 'a,b', timestampMs: 1796600000000 },
    'a line break in the nonce': { ...base, nonce: 'a\nb', timestampMs: 1796600000000 },
    'an empty nonce': { ...base, nonce: '', timestampMs: 1796600000000 },
    'a negative timestamp': { ...base, nonce: 'n1', timestampMs: -1 },
    'a fractional timestamp': { ...base, nonce: 'n1', timestampMs: 1796600000000.5 },
    'a timestamp that is not finite': { ...base, nonce: 'n1', timestampMs: Number.POSITIVE_INFINITY },
  }
  for (const [name, options] of Object.entries(cases)) {
    const error = thrown(() => keyMode.v3Sign(options))
    assert.ok(error instanceof Error, name)
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${name}: ${error.message}`)
    assert.equal(error.kind, 'config', name)
    for (const text of [error.message, error.reason, error.stack, util.inspect(error)]) {
      assert.ok(!text.includes(TOKEN), `${name}: ${text}`)
      assert.ok(!text.includes(TOKEN.slice(8)), `${name}: ${text}`)
    }
  }
  // The reasons say what is wrong.
  assert.match(thrown(() => keyMode.v3Sign(cases['lower-case method'])).reason, /upper-case/)
  assert.match(thrown(() => keyMode.v3Sign(cases['nonce without timestampMs'])).reason, /nonce and timestampMs together/)
  assert.match(thrown(() => keyMode.v3Sign(cases['a token with a line break'])).reason, /app_auth_token must not contain a line break/)
})

test('headers and statuses v3Verify cannot read are configuration errors', () => {
  const body = '{}'
  for (const headers of ['authorization: x', null, 42, [['alipay-nonce', 1]], ['alipay-nonce'], [1, 2], [['a', 'b'], 'c'], { 'alipay-nonce': 1 }, { 'alipay-nonce': ['a', 2] }, new Map([['alipay-nonce', 2]])]) {
    const error = thrown(() => keyMode.v3Verify({ status: 200, headers, body }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${util.inspect(headers)}: ${error.message}`)
    assert.match(error.reason, /headers must be/)
  }
  for (const status of [99, 600, 200.5, -200, Number.NaN]) {
    const error = thrown(() => keyMode.v3Verify({ status, headers: {}, body }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${status}: ${error.message}`)
  }
  // A header whose value is undefined (IncomingHttpHeaders' optional fields) is left out.
  assert.equal(keyMode.v3Verify({ status: 400, headers: { 'alipay-signature': undefined }, body }), 'unsigned')
})

test('toString() and util.inspect never show the token; stringToSign is shown by its length', () => {
  const c = vectors.requests.find((r) => r.app_auth_token && !r.cert_mode && r.additional_auth_info === null)
  const signed = keyMode.v3Sign(signOptions(c))
  assert.ok(signed.stringToSign.includes(c.app_auth_token), 'what was signed holds the token')
  assert.equal(signed.headers['alipay-app-auth-token'], c.app_auth_token, 'what is sent holds it in full')
  const texts = [String(signed), `${signed}`, util.inspect(signed), util.inspect({ nested: [signed] }, { depth: 5 }), JSON.stringify(signed)]
  for (const text of texts) {
    assert.ok(!text.includes(c.app_auth_token), text)
    assert.ok(!text.includes(c.app_auth_token.slice(4)), text)
  }
  const text = String(signed)
  assert.ok(text.startsWith(`V3Signature(authorization: ${c.authorization}, `), text)
  assert.ok(text.includes(`stringToSign: ${[...signed.stringToSign].length} chars`), text)
  assert.ok(text.includes('alipay-app-auth-token: 2026…(40 chars)'), text)
  assert.equal(util.inspect(signed), text)
  // Certificate mode shows the root SN, which is no secret.
  const cert = certMode.v3Sign(signOptions(vectors.requests.find((r) => r.cert_mode && r.additional_auth_info === null)))
  assert.ok(String(cert).includes(`alipay-root-cert-sn: ${certMode.alipayRootCertSn}`), String(cert))
})

test(`official alipay-sdk ${SDK_VERSION}: our Authorization verifies with verifySignatureV3 over our stringToSign`, () => {
  assert.equal(SDK_VERSION, '4.14.0')
  const fresh = [
    keyMode.v3Sign({ method: 'POST', requestTarget: '/v3/alipay/open/mini/version/list/query', body: JSON.stringify({ memo: '杭州 "西湖" \\ 😀' }), appAuthToken: TOKEN }),
    keyMode.v3Sign({ method: 'GET', requestTarget: '/v3/alipay/user/info/share?auth_token=authusrB0123&x=%E6%9D%AD' }),
    certMode.v3Sign({ method: 'PATCH', requestTarget: '/v3/x', body: '', appAuthToken: TOKEN }),
  ]
  const fromVectors = vectors.requests.map((c) => vectorConfig(c).v3Sign(signOptions(c)))
  for (const signed of [...fresh, ...fromVectors]) {
    const [, auth, sign] = /^ALIPAY-SHA256withRSA (.*),sign=(.*)$/.exec(signed.authorization)
    assert.equal(auth, signed.authString)
    assert.equal(verifySignatureV3(signed.stringToSign, sign, appPublic), true, signed.stringToSign)
    assert.equal(verifySignatureV3(`${signed.stringToSign} `, sign, appPublic), false)
  }
})

test(`official alipay-sdk ${SDK_VERSION}: answers signed with signatureV3 verify with v3Verify`, () => {
  const bodies = ['{"code":"10000"}', '', '{}', JSON.stringify({ nick_name: '支付宝用户', quote: '"\\ \\/', emoji: '😀' }), crypto.randomBytes(3000).toString('base64')]
  for (const body of bodies) {
    for (const status of [200, 201, 204, 400, 401, 500]) {
      const headers = alipaySigned(body)
      assert.equal(keyMode.v3Verify({ status, headers, body }), 'verified', `${status} ${body.slice(0, 20)}`)
      assert.equal(keyMode.v3Verify({ status, headers: { ...headers, 'Alipay-Trace-Id': '0b2f' }, body: Buffer.from(body) }), 'verified')
      assert.equal(verdict(keyMode, { status, headers, body: `${body} ` }), 'signature_error')
      assert.equal(verdict(keyMode, { status, headers: alipaySigned(body, { key: readKey('keys/app_2048_pkcs8.pem') }), body }), 'signature_error')
    }
  }
})

/** A loopback "gateway" that records each request and answers it signed with the Alipay key. */
async function loopback(answerBody, status = 200) {
  const seen = []
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'alipay-trace-id': '0b2f6a', ...alipaySigned(answerBody) })
      response.end(answerBody)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { seen, server, endpoint: `http://127.0.0.1:${server.address().port}` }
}

/**
 * Runs the official SDK's `curl` with its nonce (`crypto.randomUUID`) and clock (`Date.now`) fixed, and
 * signs the request it sent with `config`: `{ result, request, nonce, timestamp, ours }`.
 */
async function curlFixed(sdk, config, method, target, options, seen) {
  const [realNow, realUuid] = [Date.now, crypto.randomUUID]
  const timestamp = realNow() - 1000
  const nonce = realUuid()
  Date.now = () => timestamp
  crypto.randomUUID = () => nonce
  let result
  try {
    result = await sdk.curl(method, target, options)
  } finally {
    Date.now = realNow
    crypto.randomUUID = realUuid
  }
  const request = seen.at(-1)
  const ours = config.v3Sign({
    method,
    requestTarget: request.url,
    body: request.body,
    ...(options.appAuthToken ? { appAuthToken: options.appAuthToken } : {}),
    nonce,
    timestampMs: timestamp,
  })
  return { result, request, nonce, timestamp, ours }
}

test(`official alipay-sdk ${SDK_VERSION}: live, its curl (nonce and clock fixed) sends exactly our Authorization`, async () => {
  const answerBody = JSON.stringify({ app_versions: ['0.0.1'], memo: '支付宝' })
  const { seen, server, endpoint } = await loopback(answerBody)
  try {
    const sdk = new AlipaySdk({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), keyType: 'PKCS8', alipayPublicKey: readKey('keys/alipay_2048_public.pem'), endpoint })
    const cases = [
      ['POST', '/v3/alipay/open/mini/version/list/query', { body: { bundle_id: 'com.alipay.alipaywallet', memo: '年货 & <礼盒> "精选"' }, appAuthToken: TOKEN }],
      ['GET', '/v3/alipay/open/auth/userauth/relationship/query', { query: { scopes: 'auth_user auth_base', note: '支付宝&a=b+c/d?' } }],
    ]
    for (const [method, target, options] of cases) {
      const { result, request, ours } = await curlFixed(sdk, keyMode, method, target, options, seen)
      assert.deepEqual(result.data, JSON.parse(answerBody), 'the SDK accepted the loopback answer')
      assert.equal(ours.authorization, request.headers.authorization, `${method} ${request.url}`)
      assert.equal(request.headers['alipay-app-auth-token'], ours.headers['alipay-app-auth-token'])
    }
  } finally {
    server.close()
  }
})

test('live: the answer verifies as fetch (Headers) and node:http (headers, rawHeaders) give it', async () => {
  const answerBody = JSON.stringify({ code: '10000', city: '杭州市' })
  const { server, endpoint } = await loopback(answerBody)
  try {
    const signed = keyMode.v3Sign({ method: 'POST', requestTarget: '/v3/alipay/x', body: '{}', appAuthToken: TOKEN })
    const response = await fetch(`${endpoint}/v3/alipay/x`, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' }, body: '{}' })
    const body = Buffer.from(await response.arrayBuffer())
    assert.equal(keyMode.v3Verify({ status: response.status, headers: response.headers, body }), 'verified')

    const incoming = await new Promise((resolve, reject) => {
      const request = http.request(`${endpoint}/v3/alipay/x`, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' } }, (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }))
      })
      request.on('error', reject)
      request.end('{}')
    })
    const { res } = incoming
    assert.equal(keyMode.v3Verify({ status: res.statusCode, headers: res.headers, body: incoming.body }), 'verified')
    assert.equal(keyMode.v3Verify({ status: res.statusCode, headers: res.rawHeaders, body: incoming.body }), 'verified')
    assert.equal(verdict(keyMode, { status: res.statusCode, headers: res.rawHeaders, body: incoming.body.subarray(1) }), 'signature_error')
  } finally {
    server.close()
  }
})

test('v3AdditionalAuthInfo: the pairs follow the timestamp in the header and the signed line; an empty one is none', () => {
  const base = { appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), alipayPublicKey: readKey('keys/alipay_2048_public.pem') }
  const config = new IsvConfig({ ...base, v3AdditionalAuthInfo: 'expired_seconds=120' })
  assert.equal(config.v3AdditionalAuthInfo, 'expired_seconds=120')
  assert.equal(keyMode.v3AdditionalAuthInfo, null)
  assert.equal(new IsvConfig({ ...base, v3AdditionalAuthInfo: '' }).v3AdditionalAuthInfo, null)
  assert.equal(new IsvConfig({ ...base, v3AdditionalAuthInfo: undefined }).v3AdditionalAuthInfo, null)
  const signed = config.v3Sign({ method: 'GET', requestTarget: '/v3/x', nonce: 'n-1', timestampMs: 1796600000000 })
  const auth = `app_id=${APP_ID},nonce=n-1,timestamp=1796600000000,expired_seconds=120`
  assert.equal(signed.authString, auth)
  assert.ok(signed.authorization.startsWith(`ALIPAY-SHA256withRSA ${auth},sign=`), signed.authorization)
  assert.equal(signed.stringToSign, `${auth}\nGET\n/v3/x\n\n`)
  assert.equal(verifySignatureV3(signed.stringToSign, signed.authorization.split(',sign=')[1], appPublic), true)
  // prepareV3 signs it too.
  const prepared = config.prepareV3({ method: 'GET', path: '/v3/x' }, { nonce: 'n-1', timestampMs: 1796600000000 })
  assert.equal(prepared.authorization, signed.authorization)
})

test('v3AdditionalAuthInfo: anything but key=value pairs, or a pair the gateway reads, is a configuration error', () => {
  const base = { appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), alipayPublicKey: readKey('keys/alipay_2048_public.pem') }
  const cases = {
    'not a pair': ['expired_seconds', /key=value/],
    'an empty pair': ['a=1,,b=2', /key=value/],
    'a trailing comma': ['expired_seconds=120,', /key=value/],
    'a comma in a value': ['ids=1,2', /no comma inside a value/],
    'an empty key': ['=120', /letters, digits/],
    'a space in a key': ['expired seconds=120', /letters, digits/],
    'a line break': ['expired_seconds=120\nGET', /line break/],
    'a carriage return': ['expired_seconds=120\r', /line break/],
    app_id: ['app_id=2021000000000002', /must not set `app_id`/],
    app_cert_sn: ['app_cert_sn=x', /must not set `app_cert_sn`/],
    nonce: ['expired_seconds=120,nonce=x', /must not set `nonce`/],
    timestamp: ['timestamp=1', /must not set `timestamp`/],
    sign: ['sign=AAAA', /must not set `sign`/],
    'a key twice': ['a=1,a=2', /names `a` twice/],
  }
  for (const [name, [text, says]] of Object.entries(cases)) {
    const error = thrown(() => new IsvConfig({ ...base, v3AdditionalAuthInfo: text }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', name)
    assert.equal(error.kind, 'config', name)
    assert.match(error.reason, says, name)
    assert.match(error.reason, /v3_additional_auth_info/, name)
    assert.ok(!/[\r\n]/.test(error.reason), `${name}: ${error.reason}`)
  }
  // Not a string: napi's argument conversion refuses it, naming the option.
  assert.throws(() => new IsvConfig({ ...base, v3AdditionalAuthInfo: 120 }), /v3AdditionalAuthInfo/)
})

test(`official alipay-sdk ${SDK_VERSION}: live, with additionalAuthInfo its curl sends exactly our Authorization`, async () => {
  const answerBody = JSON.stringify({ app_versions: ['0.0.1'] })
  const { seen, server, endpoint } = await loopback(answerBody)
  try {
    const extension = 'expired_seconds=120'
    const keyOptions = { alipayPublicKey: readKey('keys/alipay_2048_public.pem') }
    const certOptions = { appCert: readKey('certs/app_cert.crt'), alipayCert: readKey('certs/alipay_cert.crt'), rootCert: readKey('certs/root_bundle.crt') }
    const modes = [
      [
        new AlipaySdk({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), keyType: 'PKCS8', alipayPublicKey: readKey('keys/alipay_2048_public.pem'), endpoint, additionalAuthInfo: extension }),
        new IsvConfig({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), ...keyOptions, v3AdditionalAuthInfo: extension }),
      ],
      [
        new AlipaySdk({
          appId: APP_ID,
          privateKey: readKey('keys/app_2048_pkcs8.pem'),
          keyType: 'PKCS8',
          endpoint,
          appCertContent: certOptions.appCert,
          alipayPublicCertContent: certOptions.alipayCert,
          alipayRootCertContent: certOptions.rootCert,
          additionalAuthInfo: extension,
        }),
        new IsvConfig({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), ...certOptions, v3AdditionalAuthInfo: extension }),
      ],
    ]
    for (const [sdk, config] of modes) {
      for (const [method, target, options] of [
        ['POST', '/v3/alipay/open/mini/version/list/query', { body: { bundle_id: 'com.alipay.alipaywallet' }, appAuthToken: TOKEN }],
        ['GET', '/v3/alipay/open/auth/token/app/query', { query: { app_auth_token: TOKEN } }],
      ]) {
        const { request, nonce, timestamp, ours } = await curlFixed(sdk, config, method, target, options, seen)
        const sent = request.headers.authorization
        assert.ok(sent.includes(`,timestamp=${timestamp},${extension},sign=`), sent)
        assert.equal(ours.authorization, sent, `${method} ${request.url}`)
        assert.equal(request.headers['alipay-root-cert-sn'] ?? null, ours.headers['alipay-root-cert-sn'] ?? null)
        // The whole call, encoded by us, gives the same header.
        const prepared = config.prepareV3(
          { method, path: target, query: Object.entries(options.query ?? {}), ...(options.body ? { body: options.body } : {}), ...(options.appAuthToken ? { appAuthToken: options.appAuthToken } : {}) },
          { nonce, timestampMs: timestamp },
        )
        assert.equal(prepared.requestTarget, request.url)
        assert.equal(prepared.authorization, sent, `prepareV3 ${method} ${request.url}`)
      }
    }
  } finally {
    server.close()
  }
})
