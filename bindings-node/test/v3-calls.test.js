'use strict'
// Mirrors protocol/src/v3/call.rs, multipart.rs and response.rs (protocol/tests/v3_calls.rs), sans-IO:
// `IsvConfig.prepareV3` encodes and signs a whole v3 call (the query encoded once in every shape Node
// has, a JSON body serialised once, the merchant token, AES, a multipart upload from bytes and from a
// path) and `IsvConfig.readV3Answer` reads what came back (fields, or the typed error of a v3 error
// body, a proxy page, an unsigned success, a body that is not JSON), checked against node:crypto as an
// independent oracle; the `v3Base` option; every refusal a typed configuration error; no token in any
// string form or error.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const { IsvConfig, V3HttpRequest, V3Response } = require('..')
const { readKey } = require('./helpers')

const APP_ID = '2021000000000001'
const TOKEN = '202612BB0123456789abcdef0123456789abcdef'
const ACCESS_TOKEN = 'authusrB0123456789abcdef0123456789abcdef'
const AES = 'aYA0GP8JEW+D7/UFaskCWA=='
const NONCE = 'n-fixed-1'
const NOW = 1796600000000
const ALIPAY_PRIVATE = readKey('keys/alipay_2048_pkcs8.pem')
const APP_PUBLIC = readKey('keys/app_2048_public.pem')

function config(options = {}) {
  return new IsvConfig({
    appId: APP_ID,
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
    gateway: 'http://127.0.0.1:9/gateway.do',
    ...options,
  })
}
const plain = config()
const withAes = config({ aesKey: AES })

function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an error')
}

/** Every text form of a value and of an error, for the secret checks. */
function texts(value) {
  const out = [String(value), util.inspect(value), util.inspect({ nested: [value] }, { depth: 5 }), JSON.stringify(value) ?? '']
  if (value instanceof Error) out.push(value.message, value.reason ?? '', value.stack ?? '')
  return out
}

function assertNoSecret(value, secrets = [TOKEN, ACCESS_TOKEN]) {
  for (const text of texts(value)) {
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), text)
      assert.ok(!text.includes(secret.slice(6)), text)
    }
  }
}

/** Alipay's signature of an answer, made with node:crypto (the independent oracle). */
function alipaySigned(body, { timestamp = String(NOW), nonce = 'answer-nonce' } = {}) {
  const content = `${timestamp}\n${nonce}\n${body}\n`
  return {
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': crypto.sign('RSA-SHA256', Buffer.from(content, 'utf8'), ALIPAY_PRIVATE).toString('base64'),
  }
}

/** Checks with node:crypto that `request.authorization` signs `request.stringToSign` with the app key. */
function assertSignatureVerifies(request) {
  const [, auth, sign] = /^ALIPAY-SHA256withRSA (.*),sign=(.*)$/.exec(request.authorization)
  assert.ok(request.stringToSign.startsWith(`${auth}\n`), request.stringToSign)
  assert.equal(crypto.verify('RSA-SHA256', Buffer.from(request.stringToSign, 'utf8'), APP_PUBLIC, Buffer.from(sign, 'base64')), true)
}

/** AES-128-CBC, zero IV, PKCS#7, Base64: node:crypto's decryption of the console key's ciphertext. */
function aesDecrypt(base64) {
  const decipher = crypto.createDecipheriv('aes-128-cbc', Buffer.from(AES, 'base64'), Buffer.alloc(16))
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8')
}

function aesEncrypt(text) {
  const cipher = crypto.createCipheriv('aes-128-cbc', Buffer.from(AES, 'base64'), Buffer.alloc(16))
  return Buffer.concat([cipher.update(Buffer.from(text, 'utf8')), cipher.final()]).toString('base64')
}

test('v3Base: the gateway’s scheme and host by default, a name or a URL (its path dropped) when given', () => {
  assert.equal(plain.v3Base, 'http://127.0.0.1:9')
  assert.equal(new IsvConfig({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), alipayPublicKey: readKey('keys/alipay_2048_public.pem') }).v3Base, 'https://openapi.alipay.com')
  assert.equal(config({ v3Base: 'production' }).v3Base, 'https://openapi.alipay.com')
  assert.equal(config({ v3Base: 'sandbox' }).v3Base, 'https://openapi-sandbox.dl.alipaydev.com')
  assert.equal(config({ v3Base: 'http://127.0.0.1:8080/ignored/path?x=1' }).v3Base, 'http://127.0.0.1:8080')
  const request = config({ v3Base: 'https://openapi.example.com' }).prepareV3({ method: 'GET', path: '/v3/a/b' })
  assert.equal(request.url, 'https://openapi.example.com/v3/a/b')
  const error = thrown(() => config({ v3Base: 'ftp://x' }))
  assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
  assert.match(error.reason, /v3 base/)
})

test('prepareV3: the query is encoded once, in every shape Node has, and signed as sent', () => {
  const shapes = [
    { scopes: 'auth_base auth_user', open_id: '074a*~', note: '支付宝&a=b+c/d?' },
    [['scopes', 'auth_base auth_user'], ['open_id', '074a*~'], ['note', '支付宝&a=b+c/d?']],
    new Map([['scopes', 'auth_base auth_user'], ['open_id', '074a*~'], ['note', '支付宝&a=b+c/d?']]),
    new URLSearchParams([['scopes', 'auth_base auth_user'], ['open_id', '074a*~'], ['note', '支付宝&a=b+c/d?']]),
  ]
  const target = '/v3/alipay/open/auth/userauth/relationship/query?scopes=auth_base%20auth_user&open_id=074a%2A~&note=%E6%94%AF%E4%BB%98%E5%AE%9D%26a%3Db%2Bc%2Fd%3F'
  for (const query of shapes) {
    const request = plain.prepareV3({ method: 'get', path: '/v3/alipay/open/auth/userauth/relationship/query', query }, { nonce: NONCE, timestampMs: NOW })
    assert.ok(request instanceof V3HttpRequest)
    assert.equal(request.method, 'GET')
    assert.equal(request.requestTarget, target, util.inspect(query))
    assert.equal(request.url, `http://127.0.0.1:9${target}`)
    assert.equal(request.encrypted, false)
    assert.deepEqual(request.body, Buffer.alloc(0))
    assert.equal(request.headers['content-type'], undefined)
    assert.match(request.headers['alipay-request-id'], /^[0-9a-f]{32}$/)
    assert.equal(request.headers.accept, 'application/json')
    assert.equal(request.headers.authorization, request.authorization)
    assert.equal(request.stringToSign, `app_id=${APP_ID},nonce=${NONCE},timestamp=${NOW}\nGET\n${target}\n\n`)
    // The same bytes through v3Sign give the same header: what is signed is what is sent.
    const direct = plain.v3Sign({ method: 'GET', requestTarget: target, nonce: NONCE, timestampMs: NOW })
    assert.equal(request.authorization, direct.authorization)
    assertSignatureVerifies(request)
  }
  // An array value repeats the name; undefined is skipped.
  const repeated = plain.prepareV3({ method: 'GET', path: '/v3/x/y', query: { id: ['1', '2'], skipped: undefined, z: '' } })
  assert.equal(repeated.requestTarget, '/v3/x/y?id=1&id=2&z=')
  // Without nonce and timestampMs: a fresh nonce, now, and a fresh request id each time.
  const a = plain.prepareV3({ method: 'GET', path: '/v3/x/y' })
  const b = plain.prepareV3({ method: 'GET', path: '/v3/x/y', requestId: 'my-request-1' })
  assert.notEqual(a.authorization, b.authorization)
  assert.equal(b.headers['alipay-request-id'], 'my-request-1')
  const timestamp = Number(/,timestamp=(\d+)/.exec(a.authorization)[1])
  assert.ok(Math.abs(timestamp - Date.now()) < 60_000, String(timestamp))
})

test('prepareV3: a JSON body is serialised once, in its own key order; JSON text is sent as it is', () => {
  const body = { grant_type: 'authorization_code', code: 'c-1', memo: '杭州 "西湖" \\ 😀', z: 1, a: [true, null] }
  const request = plain.prepareV3({ method: 'POST', path: '/v3/alipay/system/oauth/token', body, appAuthToken: TOKEN }, { nonce: NONCE, timestampMs: NOW })
  const json = JSON.stringify(body)
  assert.equal(request.body.toString('utf8'), json)
  assert.equal(request.headers['content-type'], 'application/json')
  assert.equal(request.headers['alipay-app-auth-token'], TOKEN)
  assert.ok(request.stringToSign.endsWith(`\nPOST\n/v3/alipay/system/oauth/token\n${json}\n${TOKEN}\n`), request.stringToSign)
  assertSignatureVerifies(request)
  assert.deepEqual(Object.keys(request.headers), ['content-type', 'authorization', 'alipay-app-auth-token', 'accept', 'alipay-request-id'])
  // JSON text keeps its spacing: what was given is what is signed and sent.
  const text = '{ "grant_type" : "refresh_token",\n "refresh_token": "x" }'
  const asText = plain.prepareV3({ method: 'POST', path: '/v3/alipay/system/oauth/token', body: text }, { nonce: NONCE, timestampMs: NOW })
  assert.equal(asText.body.toString('utf8'), text)
  assert.ok(asText.stringToSign.endsWith(`\n${text}\n`))
  assert.equal(asText.headers['alipay-app-auth-token'], undefined)
  // An array is JSON too; an empty object is `{}`.
  assert.equal(plain.prepareV3({ method: 'POST', path: '/v3/x/y', body: [1, 'a'] }).body.toString(), '[1,"a"]')
  assert.equal(plain.prepareV3({ method: 'POST', path: '/v3/x/y', body: {} }).body.toString(), '{}')
  // No token leaks from the request's string forms, whatever carries it.
  const user = plain.prepareV3({ method: 'POST', path: '/v3/alipay/user/info/share', query: { auth_token: ACCESS_TOKEN }, appAuthToken: TOKEN })
  assert.ok(user.url.includes(`auth_token=${ACCESS_TOKEN}`), 'the URL sent carries it in full')
  assertNoSecret(user)
  assertNoSecret(request)
  const shown = String(user)
  assert.ok(shown.startsWith('V3HttpRequest(POST http://127.0.0.1:9/v3/alipay/user/info/share?auth_token=auth…(40 chars), body: 0 bytes'), shown)
  assert.ok(shown.includes('alipay-app-auth-token: 2026…(40 chars)'), shown)
  assert.ok(shown.includes(`stringToSign: ${[...user.stringToSign].length} chars`), shown)
  assert.equal(util.inspect(user), shown)
})

test('prepareV3 with AES: the ciphertext is the body and the signed line; readV3Answer decrypts the answer', () => {
  const body = { grant_type: 'refresh_token', refresh_token: '中文-refresh' }
  const request = withAes.prepareV3({ method: 'POST', path: '/v3/alipay/open/auth/token/app', body, encrypt: true }, { nonce: NONCE, timestampMs: NOW })
  const ciphertext = request.body.toString('utf8')
  assert.equal(aesDecrypt(ciphertext), JSON.stringify(body))
  assert.equal(request.encrypted, true)
  assert.equal(request.headers['alipay-encrypt-type'], 'AES')
  assert.equal(request.headers['content-type'], 'text/plain') // as both official SDKs send
  assert.ok(request.stringToSign.endsWith(`\n${ciphertext}\n`))
  assertSignatureVerifies(request)
  assertNoSecret(request, ['中文-refresh'])

  // The encrypted answer verifies over the ciphertext and decrypts to the fields.
  const answerText = JSON.stringify({ app_auth_token: TOKEN, expires_in: 31536000, auth_app_id: '2021009900000001' })
  const answerBody = aesEncrypt(answerText)
  const headers = { ...alipaySigned(answerBody), 'alipay-trace-id': 'trace-aes' }
  const response = withAes.readV3Answer({ status: 200, headers, body: answerBody }, request.encrypted)
  assert.ok(response instanceof V3Response)
  assert.equal(response.body, answerText)
  assert.deepEqual(response.fields, JSON.parse(answerText))
  assert.equal(response.traceId, 'trace-aes')
  assert.equal(response.verified, true)
  assertNoSecret(response)
  // Read as a plain answer it is no JSON object: a protocol error that says so.
  const unencrypted = thrown(() => withAes.readV3Answer({ status: 200, headers, body: answerBody }))
  assert.equal(unencrypted.code, 'ALIPAY_PROTOCOL_ERROR')
  assert.match(unencrypted.reason, /encrypted/)
  // A ciphertext that does not decrypt is a protocol error too.
  const garbage = 'AAAA'
  const broken = thrown(() => withAes.readV3Answer({ status: 200, headers: alipaySigned(garbage), body: garbage }, true))
  assert.equal(broken.code, 'ALIPAY_PROTOCOL_ERROR', broken.message)
  // Encryption without a key is refused before signing.
  const keyless = thrown(() => plain.prepareV3({ method: 'POST', path: '/v3/x/y', body: {}, encrypt: true }))
  assert.equal(keyless.code, 'ALIPAY_CONFIG_ERROR')
  assert.match(keyless.reason, /AES/)
})

test('prepareV3 of an upload: only the data part is signed; the body holds it and the file, from bytes or a path', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-v3-'))
  try {
    const content = Buffer.from(Array.from({ length: 70_000 }, (_, n) => n % 251))
    const onDisk = path.join(directory, 'shop front.jpg')
    fs.writeFileSync(onDisk, content)
    const data = { biz_code: 'shop_image', md5: crypto.createHash('md5').update(content).digest('hex') }
    const calls = {
      bytes: { field: 'file_content', fileName: 'shop front.jpg', content },
      path: { field: 'file_content', path: onDisk },
    }
    for (const [name, file] of Object.entries(calls)) {
      const request = plain.prepareV3({ method: 'POST', path: '/v3/alipay/open/file/upload', body: data, appAuthToken: TOKEN, files: [file] }, { nonce: NONCE, timestampMs: NOW })
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(request.headers['content-type'])[1]
      const body = request.body
      const text = body.toString('latin1')
      const json = JSON.stringify(data)
      // The signature covers the data part's text (and the token), never the file bytes.
      assert.ok(request.stringToSign.endsWith(`\nPOST\n/v3/alipay/open/file/upload\n${json}\n${TOKEN}\n`), name)
      assertSignatureVerifies(request)
      assert.ok(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="data"\r\nContent-Type: application/json\r\n\r\n${json}\r\n`), name)
      assert.ok(text.includes(`--${boundary}\r\nContent-Disposition: form-data; name="file_content"; filename="shop front.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), name)
      assert.ok(body.includes(content), `${name}: the file's bytes`)
      assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`), name)
      assert.ok(String(request).includes('multipart with 1 file(s)'), String(request))
      assertNoSecret(request)
    }
    // Without a token, the data part is the last signed line.
    const own = plain.prepareV3({ method: 'POST', path: '/v3/alipay/open/file/upload', body: data, files: [calls.bytes] })
    assert.ok(own.stringToSign.endsWith(`\nPOST\n/v3/alipay/open/file/upload\n${JSON.stringify(data)}\n`), own.stringToSign)
    assert.equal(own.headers['alipay-app-auth-token'], undefined)
    // The content type given wins over the extension's; a path may be sent under another name.
    const renamed = plain.prepareV3({ method: 'POST', path: '/v3/alipay/open/file/upload', files: [{ field: 'image', path: onDisk, fileName: 'a.png', contentType: 'image/png' }] })
    assert.ok(renamed.body.toString('latin1').includes('name="image"; filename="a.png"\r\nContent-Type: image/png\r\n'))
    // Without a body there is no data part, and the signed body line is empty.
    assert.ok(renamed.stringToSign.endsWith('\nPOST\n/v3/alipay/open/file/upload\n\n'))
    assert.ok(!renamed.body.toString('latin1').includes('name="data"'))
    // Encrypted, the data part is the ciphertext as text/plain.
    const sealed = withAes.prepareV3({ method: 'POST', path: '/v3/alipay/open/file/upload', body: data, encrypt: true, files: [calls.bytes] })
    const sealedText = sealed.body.toString('latin1')
    const ciphertext = /name="data"\r\nContent-Type: text\/plain\r\n\r\n([^\r]+)\r\n/.exec(sealedText)[1]
    assert.equal(aesDecrypt(ciphertext), JSON.stringify(data))
    assert.ok(sealed.stringToSign.endsWith(`\n${ciphertext}\n`))

    // Refusals, each a configuration error before anything is signed.
    const base = { method: 'POST', path: '/v3/alipay/open/file/upload', body: data }
    const refusals = {
      'bytes and a path': { field: 'f', fileName: 'a.jpg', content, path: onDisk },
      'neither bytes nor a path': { field: 'f', fileName: 'a.jpg' },
      'bytes without a file name': { field: 'f', content },
      'no field': { fileName: 'a.jpg', content },
      'the field `data`': { field: 'data', fileName: 'a.jpg', content },
      'a quote in the file name': { field: 'f', fileName: 'a"b.jpg', content },
      'a line break in the content type': { field: 'f', fileName: 'a.jpg', contentType: 'image/jpeg\r\nX: 1', content },
      'a file that is gone': { field: 'f', path: path.join(directory, 'missing.jpg') },
    }
    for (const [name, file] of Object.entries(refusals)) {
      const error = thrown(() => plain.prepareV3({ ...base, files: [file] }))
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${name}: ${error.message}`)
    }
    const get = thrown(() => plain.prepareV3({ ...base, method: 'GET', files: [calls.bytes] }))
    assert.equal(get.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(get.reason, /POST/)
    // A file that is not an object is refused by the argument conversion.
    assert.throws(() => plain.prepareV3({ ...base, files: ['a.jpg'] }))
  } finally {
    fs.rmSync(directory, { recursive: true, force: true })
  }
})

test('prepareV3 refuses a bad call with a configuration error that holds no token', () => {
  const base = { method: 'POST', path: '/v3/alipay/open/mini/version/list/query', body: {}, appAuthToken: TOKEN }
  const cases = {
    'a path without /v3/': { ...base, path: 'alipay/open/mini/version/list/query' },
    'a path of v2': { ...base, path: '/gateway.do' },
    'a path with a query': { ...base, path: '/v3/a/b?x=1' },
    'a path with a fragment': { ...base, path: '/v3/a/b#x' },
    'a body that is not JSON': { ...base, body: '{not json' },
    'a body of bytes': { ...base, body: Buffer.from('{}') },
    'a body that has no JSON form': { ...base, body: { toJSON: () => undefined } },
    'a query of numbers': { ...base, query: { page: 1 } },
    'a query that is text': { ...base, query: 'a=1' },
    'a query as a flat list': { ...base, query: ['a', '1'] },
    'a token with a line break': { ...base, appAuthToken: `${TOKEN}\nX: 1` },
    'a request id with a line break': { ...base, requestId: 'a\nb' },
    'a method that is not a token': { ...base, method: 'PO ST' },
  }
  for (const [name, call] of Object.entries(cases)) {
    const error = thrown(() => plain.prepareV3(call))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${name}: ${error.message}`)
    assert.equal(error.kind, 'config', name)
    assertNoSecret(error)
  }
  const halfFixed = thrown(() => plain.prepareV3(base, { nonce: 'n' }))
  assert.match(halfFixed.reason, /nonce and timestampMs together/)
  assert.equal(thrown(() => plain.prepareV3(base, { nonce: 'n', timestampMs: -1 })).code, 'ALIPAY_CONFIG_ERROR')
  assert.match(thrown(() => plain.prepareV3(cases['a path with a query'])).reason, /pass the query separately/)
  assert.match(thrown(() => plain.prepareV3(cases['a query of numbers'])).reason, /query must be/)
})

test('readV3Answer: a signed success becomes a V3Response with its fields, status, trace id and verdict', () => {
  const text = JSON.stringify({ app_versions: ['0.0.1'], nick: '支付宝用户', access_token: ACCESS_TOKEN })
  const headers = { ...alipaySigned(text), 'alipay-trace-id': '0b2f6a' }
  for (const body of [text, Buffer.from(text)]) {
    const response = plain.readV3Answer({ status: 200, headers, body })
    assert.equal(response.status, 200)
    assert.equal(response.body, text)
    assert.deepEqual(response.fields, JSON.parse(text))
    assert.notEqual(response.fields, response.fields, 'a new object on every read')
    assert.equal(response.traceId, '0b2f6a')
    assert.equal(response.verified, true)
    assertNoSecret(response)
    assert.ok(String(response).startsWith('V3Response(HTTP 200, verified, trace id 0b2f6a, fields: '), String(response))
    assert.ok(String(response).includes('"access_token":"auth…(40 chars)"'), String(response))
    assert.equal(util.inspect(response), String(response))
  }
  // An empty 204: no fields, no trace id.
  const empty = plain.readV3Answer({ status: 204, headers: alipaySigned(''), body: '' })
  assert.equal(empty.status, 204)
  assert.deepEqual(empty.fields, {})
  assert.equal(empty.body, '')
  assert.equal(empty.traceId, null)
})

test('readV3Answer: every other answer is a typed error', () => {
  const errorBody = JSON.stringify({
    code: 'invalid-app-auth-token',
    message: '无效的应用授权令牌',
    links: [{ link: 'https://open.alipay.com/api/errCheck?traceId=0b2f6a', desc: '诊断' }, 'https://opendocs.alipay.com/x'],
  })
  // Unsigned, as Alipay's error answers usually are.
  const unsigned = thrown(() => plain.readV3Answer({ status: 401, headers: { 'alipay-trace-id': '0b2f6a' }, body: errorBody }))
  assert.equal(unsigned.code, 'ALIPAY_API_ERROR')
  assert.equal(unsigned.kind, 'api')
  assert.equal(unsigned.httpStatus, 401)
  assert.equal(unsigned.apiCode, 'invalid-app-auth-token')
  assert.equal(unsigned.msg, '无效的应用授权令牌')
  assert.equal(unsigned.signed, false)
  assert.equal(unsigned.traceId, '0b2f6a')
  assert.deepEqual(unsigned.links, ['https://open.alipay.com/api/errCheck?traceId=0b2f6a', 'https://opendocs.alipay.com/x'])
  assert.match(unsigned.hint, /authorise again/)
  assert.equal(unsigned.subCode, null)
  assert.ok(unsigned.message.includes('HTTP 401'), unsigned.message)
  // Signed, it is verified and says so; a bad signature on it is a signature error.
  const signed = thrown(() => plain.readV3Answer({ status: 403, headers: alipaySigned(errorBody), body: errorBody }))
  assert.equal(signed.code, 'ALIPAY_API_ERROR')
  assert.equal(signed.signed, true)
  assert.equal(signed.httpStatus, 403)
  assert.equal(signed.traceId, null)
  const forged = thrown(() => plain.readV3Answer({ status: 403, headers: alipaySigned(`${errorBody} `), body: errorBody }))
  assert.equal(forged.code, 'ALIPAY_SIGNATURE_ERROR')

  const cases = [
    // A proxy's page is no Alipay answer: the call may or may not have run.
    [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' }, 'ALIPAY_TRANSPORT_ERROR'],
    // An unsigned success: a v2 gateway.do URL configured by mistake?
    [{ status: 200, headers: {}, body: '{"alipay_system_oauth_token_response":{}}' }, 'ALIPAY_SIGNATURE_ERROR'],
    // A signed success that is not a JSON object.
    [{ status: 200, headers: alipaySigned('[1,2]'), body: '[1,2]' }, 'ALIPAY_PROTOCOL_ERROR'],
    [{ status: 200, headers: alipaySigned('not json'), body: 'not json' }, 'ALIPAY_PROTOCOL_ERROR'],
    // A signature header given twice.
    [{ status: 200, headers: [...Object.entries(alipaySigned('{}')), ['alipay-signature', 'x']], body: '{}' }, 'ALIPAY_PROTOCOL_ERROR'],
    // What v3Verify refuses, readV3Answer refuses.
    [{ status: 99, headers: {}, body: '{}' }, 'ALIPAY_CONFIG_ERROR'],
    [{ status: 200, headers: 'alipay-nonce: x', body: '{}' }, 'ALIPAY_CONFIG_ERROR'],
  ]
  for (const [answer, code] of cases) {
    const error = thrown(() => plain.readV3Answer(answer))
    assert.equal(error.code, code, `${answer.status} ${String(answer.body).slice(0, 30)}: ${error.message}`)
    assert.ok(error.reason.length < 400, 'nothing echoed unbounded')
  }
  const proxy = thrown(() => plain.readV3Answer(cases[0][0]))
  assert.equal(proxy.requestSent, true)
  assert.match(thrown(() => plain.readV3Answer(cases[1][0])).reason, /gateway\.do/)
  // A token in an error body never reaches the error's text.
  const leaky = JSON.stringify({ code: 'invalid-app-auth-token', message: 'bad token' })
  assertNoSecret(thrown(() => plain.readV3Answer({ status: 401, headers: {}, body: leaky })))
})
