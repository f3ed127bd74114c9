// Generates tests/vectors/v3.json: OpenAPI v3 request signatures made by the official Node SDK
// (alipay-sdk 4.14.0, `AlipaySdk#curl`, which builds the auth string and the string to sign and signs it
// with `signatureV3`), and v3 answers signed and checked with the same SDK's `signatureV3` /
// `verifySignatureV3`. Nothing here is alipay-isv code: the expected values come from the official SDK.
// AES requests are the SDK's `curl` with `needEncrypt: true` and its `encryptKey` (body = the ciphertext
// it sent), AES answers are encrypted with its `aesEncryptText`; the upload is its `AlipayFormData`
// multipart request, whose signed body line is the `data` part. Two requests are made with the SDK's
// `additionalAuthInfo` (`expired_seconds=120`), recorded as `additional_auth_info` (null elsewhere).
//
// Run from the repository root after `npm install` in bindings-node:
//   node tests/vectors/generate_v3.js
// The SDK's nonce (`crypto.randomUUID`) and clock (`Date.now`) are fixed per case so the headers are
// reproducible; a loopback server captures each request and answers it signed as Alipay would.
'use strict'

const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const crypto = require('node:crypto')

const root = path.resolve(__dirname, '../..')
const sdkDir = path.join(root, 'bindings-node/node_modules/alipay-sdk')
const { AlipaySdk, AlipayFormData } = require(sdkDir)
const { signatureV3, verifySignatureV3, aesEncryptText, aesDecryptText } = require(path.join(sdkDir, 'dist/commonjs/util.js'))
const sdkVersion = require(path.join(sdkDir, 'package.json')).version

const read = (file) => fs.readFileSync(path.join(__dirname, file), 'utf8')
const APP_ID = '2021000000000001'
const appPrivate = read('keys/app_2048_pkcs8.pem')
const appPublic = read('keys/app_2048_public.pem')
const alipayPrivate = read('keys/alipay_2048_pkcs8.pem')
const alipayPublic = read('keys/alipay_2048_public.pem')
// The AES content key of responses.json (generate_protocol.py), and another one (the Java SDK's sample
// key) for the wrong-key answer.
const AES_KEY = 'gWwQ6w36Mkl1dsIpEln02Q=='
const OTHER_AES_KEY = 'wEA0iV4eLSTV+o5/T9RKjg=='
// The file of the upload vector: a PNG signature, then text and bytes that are not UTF-8.
const UPLOAD_FILE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(' alipay-isv v3 upload vector '), Buffer.from([0x00, 0xff, 0xfe, 0x80])])
const UPLOAD_FILE_NAME = 'logo.png'

const sha256Hex = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')
const md5Hex = (bytes) => crypto.createHash('md5').update(bytes).digest('hex')

/** Decrypts with Node's own AES-128-CBC (zero IV, PKCS#7): an implementation other than the SDK's. */
function nodeDecrypt(base64, key) {
  const decipher = crypto.createDecipheriv('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.alloc(16))
  return Buffer.concat([decipher.update(Buffer.from(base64, 'base64')), decipher.final()]).toString('utf8')
}

/** The parts of a captured multipart/form-data body: name, filename, content type, content bytes. */
function multipartParts(contentType, raw) {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(contentType)
  if (!boundary) throw new Error(`no boundary in ${contentType}`)
  const delimiter = `--${boundary[1] ?? boundary[2]}`
  const text = raw.toString('latin1')
  const pieces = text.split(delimiter)
  if (!pieces.at(-1).startsWith('--')) throw new Error('the form is not closed')
  return pieces.slice(1, -1).map((piece) => {
    if (!piece.startsWith('\r\n') || !piece.endsWith('\r\n')) throw new Error('a part is not framed by CRLF')
    const inner = piece.slice(2, -2)
    const split = inner.indexOf('\r\n\r\n')
    const head = inner.slice(0, split)
    const disposition = /content-disposition:([^\r]*)/i.exec(head)[1]
    return {
      name: /\bname="([^"]*)"/.exec(disposition)[1],
      filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1] ?? null,
      contentType: /content-type:\s*([^\r]*)/i.exec(head)?.[1] ?? null,
      content: Buffer.from(inner.slice(split + 4), 'latin1'),
    }
  })
}

/** The answer the loopback "gateway" gives next, and the requests it saw. */
let nextAnswer = null
const seen = []

function signAnswer(timestamp, nonce, body, key = alipayPrivate) {
  return signatureV3(`${timestamp}\n${nonce}\n${body}\n`, key)
}

async function main() {
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks)
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: raw.toString('utf8'), raw })
      const { status, headers, body } = nextAnswer
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      response.end(body)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${server.address().port}`

  // Certificate mode: the SDK is given the three certificates' contents.
  const certContents = {
    appCertContent: read('certs/app_cert.crt'),
    alipayPublicCertContent: read('certs/alipay_cert.crt'),
    alipayRootCertContent: read('certs/root_bundle.crt'),
  }
  const keyMode = new AlipaySdk({ appId: APP_ID, privateKey: appPrivate, keyType: 'PKCS8', alipayPublicKey: alipayPublic, endpoint })
  const certMode = new AlipaySdk({
    appId: APP_ID,
    privateKey: appPrivate,
    keyType: 'PKCS8',
    endpoint,
    ...certContents,
  })
  const aesKeyMode = new AlipaySdk({ appId: APP_ID, privateKey: appPrivate, keyType: 'PKCS8', alipayPublicKey: alipayPublic, endpoint, encryptKey: AES_KEY })
  const aesCertMode = new AlipaySdk({
    appId: APP_ID,
    privateKey: appPrivate,
    keyType: 'PKCS8',
    endpoint,
    encryptKey: AES_KEY,
    ...certContents,
  })
  // The SDK's additionalAuthInfo ("Authorization 扩展信息"): appended as `,<pairs>` after the timestamp,
  // in the header and in the signed first line. The pair is the one of Alipay's own doc samples.
  const ADDITIONAL_AUTH_INFO = 'expired_seconds=120'
  const extKeyMode = new AlipaySdk({ appId: APP_ID, privateKey: appPrivate, keyType: 'PKCS8', alipayPublicKey: alipayPublic, endpoint, additionalAuthInfo: ADDITIONAL_AUTH_INFO })
  const extCertMode = new AlipaySdk({
    appId: APP_ID,
    privateKey: appPrivate,
    keyType: 'PKCS8',
    endpoint,
    ...certContents,
    additionalAuthInfo: ADDITIONAL_AUTH_INFO,
  })
  const uploadForm = new AlipayFormData()
  uploadForm.addField('biz_code', 'openpt_appstore')
  uploadForm.addField('md5', md5Hex(UPLOAD_FILE))
  uploadForm.addFile('file_content', UPLOAD_FILE_NAME, UPLOAD_FILE)

  const requestCases = [
    { name: 'post_json_body', sdk: keyMode, method: 'POST', path: '/v3/alipay/open/auth/token/app', options: { body: { grant_type: 'authorization_code', code: '8fd3a7b1c0e54c6e9b2a1f0d3c4e5f6a' } } },
    { name: 'post_with_app_auth_token', sdk: keyMode, method: 'POST', path: '/v3/alipay/open/mini/version/list/query', options: { body: { bundle_id: 'com.alipay.alipaywallet', version_status: 'RELEASE' }, appAuthToken: '202612BB0123456789abcdef0123456789abcdef' } },
    { name: 'get_query_with_escapes', sdk: keyMode, method: 'GET', path: '/v3/alipay/open/auth/userauth/relationship/query', options: { query: { scopes: 'auth_user auth_base', open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5', note: '支付宝&a=b+c/d?' } } },
    { name: 'get_without_body_or_token', sdk: keyMode, method: 'GET', path: '/v3/alipay/open/auth/token/app/query', options: { query: { app_auth_token: '202612BBfedcba9876543210fedcba9876543210' } } },
    { name: 'post_empty_body_with_query_and_token', sdk: keyMode, method: 'POST', path: '/v3/alipay/user/info/share', options: { query: { auth_token: 'authusrB0123456789abcdef0123456789abcdef' }, appAuthToken: '202612BB0123456789abcdef0123456789abcdef' } },
    { name: 'post_unicode_body', sdk: keyMode, method: 'POST', path: '/v3/alipay/user/deloauth/detail/query', options: { body: { date: '2026-12-07', memo: '杭州市 西湖区 "引号" \\ 反斜杠', limit: 20 } } },
    { name: 'cert_mode_post_with_token', sdk: certMode, method: 'POST', path: '/v3/alipay/open/mini/version/list/query', options: { body: { bundle_id: 'com.alipay.alipaywallet' }, appAuthToken: '202612BB0123456789abcdef0123456789abcdef' } },
    // Added after the first seven: appended so that their nonces and clocks stay as they were.
    { name: 'aes_post_json', sdk: aesKeyMode, aes: true, method: 'POST', path: '/v3/alipay/open/mini/version/list/query', options: { body: { bundle_id: 'com.alipay.alipaywallet', memo: '杭州 "加密" \\' }, appAuthToken: '202612BB0123456789abcdef0123456789abcdef', needEncrypt: true } },
    { name: 'aes_cert_mode', sdk: aesCertMode, aes: true, method: 'POST', path: '/v3/alipay/open/auth/token/app', options: { body: { grant_type: 'authorization_code', code: '8fd3a7b1c0e54c6e9b2a1f0d3c4e5f6a' }, needEncrypt: true } },
    { name: 'multipart_upload_data_part', sdk: keyMode, multipart: true, method: 'POST', path: '/v3/alipay/open/file/upload', options: { form: uploadForm, appAuthToken: '202612BB0123456789abcdef0123456789abcdef' } },
    // Appended too: the SDK's additionalAuthInfo, in key mode with a merchant token and in certificate mode.
    { name: 'additional_auth_info_with_app_auth_token', sdk: extKeyMode, additionalAuthInfo: ADDITIONAL_AUTH_INFO, method: 'POST', path: '/v3/alipay/open/mini/version/list/query', options: { body: { bundle_id: 'com.alipay.alipaywallet' }, appAuthToken: '202612BB0123456789abcdef0123456789abcdef' } },
    { name: 'additional_auth_info_cert_mode', sdk: extCertMode, additionalAuthInfo: ADDITIONAL_AUTH_INFO, method: 'GET', path: '/v3/alipay/open/auth/token/app/query', options: { query: { app_auth_token: '202612BBfedcba9876543210fedcba9876543210' } } },
  ]

  const originalNow = Date.now
  const originalUuid = crypto.randomUUID
  const requests = []
  let index = 0
  for (const testCase of requestCases) {
    index += 1
    const timestamp = 1796600000000 + index * 1111
    const nonce = `${index}f3b2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d`.slice(0, 36)
    const answerNonce = `answer${index}`
    const answerPlain = '{"code":"10000"}'
    // An AES call is answered encrypted, as the gateway does (the SDK decrypts it below).
    const answerBody = testCase.aes ? aesEncryptText(answerPlain, AES_KEY) : answerPlain
    nextAnswer = { status: 200, headers: { 'alipay-timestamp': String(timestamp + 5), 'alipay-nonce': answerNonce, 'alipay-signature': signAnswer(timestamp + 5, answerNonce, answerBody) }, body: answerBody }
    Date.now = () => timestamp
    crypto.randomUUID = () => nonce
    let result
    try {
      result = await testCase.sdk.curl(testCase.method, testCase.path, testCase.options)
    } finally {
      Date.now = originalNow
      crypto.randomUUID = originalUuid
    }
    if (JSON.stringify(result.data) !== answerPlain) throw new Error(`${testCase.name}: the SDK read ${JSON.stringify(result.data)}`)
    const request = seen.at(-1)
    const cert = testCase.sdk === certMode || testCase.sdk === aesCertMode || testCase.sdk === extCertMode
    const additionalAuthInfo = testCase.additionalAuthInfo ?? null
    if (additionalAuthInfo !== null && !request.headers.authorization.includes(`,timestamp=${timestamp},${additionalAuthInfo},sign=`)) {
      throw new Error(`${testCase.name}: the extension is not after the timestamp: ${request.headers.authorization}`)
    }
    const extra = {}
    if (testCase.aes) {
      // The body sent is the ciphertext; it decrypts (with the SDK and with Node's own AES) to the
      // JSON the SDK would have sent in the clear.
      const plaintext = JSON.stringify(testCase.options.body)
      if (request.headers['alipay-encrypt-type'] !== 'AES' || request.headers['alipay-encryption-algm'] !== 'AES') throw new Error(`${testCase.name}: no AES headers`)
      if (!request.headers['content-type'].startsWith('text/plain')) throw new Error(`${testCase.name}: ${request.headers['content-type']}`)
      if (aesDecryptText(request.body, AES_KEY) !== plaintext || nodeDecrypt(request.body, AES_KEY) !== plaintext) throw new Error(`${testCase.name}: the ciphertext does not decrypt to the JSON`)
      Object.assign(extra, { aes_key: AES_KEY, plaintext })
    }
    let body = request.body
    if (testCase.multipart) {
      // What is signed is the data part's text; the file part is not signed.
      const parts = multipartParts(request.headers['content-type'], request.raw)
      const data = parts.filter((part) => part.name === 'data')
      const files = parts.filter((part) => part.name === 'file_content')
      if (data.length !== 1 || files.length !== 1 || parts.length !== 2) throw new Error(`${testCase.name}: parts ${parts.map((part) => part.name)}`)
      if (!files[0].content.equals(UPLOAD_FILE) || files[0].filename !== UPLOAD_FILE_NAME) throw new Error(`${testCase.name}: the file part changed`)
      body = data[0].content.toString('utf8')
      Object.assign(extra, { multipart: true, file_name: files[0].filename, file_sha256: sha256Hex(files[0].content) })
    }
    requests.push({
      name: testCase.name,
      app_id: APP_ID,
      cert_mode: cert,
      nonce,
      timestamp_ms: timestamp,
      method: testCase.method,
      request_target: request.url,
      body,
      app_auth_token: request.headers['alipay-app-auth-token'] ?? null,
      authorization: request.headers.authorization,
      alipay_root_cert_sn: request.headers['alipay-root-cert-sn'] ?? null,
      additional_auth_info: additionalAuthInfo,
      ...extra,
    })
  }

  // Answers: signed with the Alipay key as the gateway does, checked with the SDK's verifier.
  const ts = '1796600100000'
  const ok = '{"app_versions":["0.0.1"],"code":"10000"}'
  const unicode = '{"nick_name":"支付宝用户","city":"杭州市","quote":"\\"\\\\ \\/"}'
  const error = '{"code":"invalid-app-auth-token","message":"无效的应用授权令牌","links":[{"link":"https://open.alipay.com/api/errCheck?traceId=0b2f","desc":"解决方案"}]}'
  const signed = (body, nonce, key) => ({ 'alipay-timestamp': ts, 'alipay-nonce': nonce, 'alipay-signature': signAnswer(ts, nonce, body, key) })
  const answers = [
    { name: 'success_signed', status: 200, headers: signed(ok, 'n1'), body: ok, expect: 'verified' },
    { name: 'success_unicode_and_escapes', status: 200, headers: signed(unicode, 'n2'), body: unicode, expect: 'verified' },
    { name: 'success_empty_object', status: 200, headers: signed('{}', 'n3'), body: '{}', expect: 'verified' },
    { name: 'success_empty_body', status: 204, headers: signed('', 'n4'), body: '', expect: 'verified' },
    { name: 'error_signed', status: 401, headers: signed(error, 'n5'), body: error, expect: 'verified' },
    { name: 'error_unsigned', status: 400, headers: {}, body: error, expect: 'unsigned' },
    { name: 'success_unsigned_v2_endpoint', status: 200, headers: {}, body: '{"alipay_open_mini_version_list_query_response":{"code":"10000"},"sign":"x"}', expect: 'signature_error' },
    { name: 'tampered_body', status: 200, headers: signed(ok, 'n6'), body: ok.replace('0.0.1', '0.0.2'), expect: 'signature_error' },
    { name: 'tampered_nonce_header', status: 200, headers: { ...signed(ok, 'n7'), 'alipay-nonce': 'n7x' }, body: ok, expect: 'signature_error' },
    { name: 'tampered_timestamp_header', status: 200, headers: { ...signed(ok, 'n8'), 'alipay-timestamp': '1796600100001' }, body: ok, expect: 'signature_error' },
    { name: 'signed_by_the_wrong_key', status: 200, headers: signed(ok, 'n9', appPrivate), body: ok, expect: 'signature_error' },
    { name: 'error_signed_then_tampered', status: 401, headers: signed(error, 'n10'), body: error.replace('无效', '有效'), expect: 'signature_error' },
    { name: 'timestamp_not_a_number', status: 200, headers: { ...signed(ok, 'n11'), 'alipay-timestamp': '17966e8' }, body: ok, expect: 'protocol_error' },
  ]
  for (const answer of answers) {
    const headers = answer.headers
    if (headers['alipay-signature']) {
      const verifies = verifySignatureV3(`${headers['alipay-timestamp']}\n${headers['alipay-nonce']}\n${answer.body}\n`, headers['alipay-signature'], alipayPublic)
      const expected = answer.expect === 'verified'
      if (answer.expect !== 'protocol_error' && verifies !== expected) {
        throw new Error(`${answer.name}: the official verifier says ${verifies}`)
      }
    }
    answer.headers = Object.entries(headers)
  }
  // A duplicated signature header (a proxy adding one, or a forgery attempt).
  answers.push({ name: 'duplicated_signature_header', status: 200, headers: [...Object.entries(signed(ok, 'n12')), ['alipay-signature', signAnswer(ts, 'n12', ok)]], body: ok, expect: 'protocol_error' })

  // AES answers: the body is the Base64 ciphertext (the SDK's aesEncryptText), signed as sent.
  const aesPlain = '{"app_versions":["0.0.1"],"auth_app_id":"2021000000000002","nick_name":"支付宝用户"}'
  const aesBody = aesEncryptText(aesPlain, AES_KEY)
  const aesOther = aesEncryptText(aesPlain.replace('0.0.1', '0.0.2'), AES_KEY)
  const aesWrongKey = aesEncryptText(aesPlain, OTHER_AES_KEY)
  const aesAnswers = [
    { name: 'aes_success', status: 200, headers: signed(aesBody, 'n13'), body: aesBody, expect: 'verified', aes_key: AES_KEY, decrypted: aesPlain },
    { name: 'aes_tampered_ciphertext', status: 200, headers: signed(aesBody, 'n14'), body: aesOther, expect: 'signature_error', aes_key: AES_KEY, decrypted: null },
    { name: 'aes_wrong_key', status: 200, headers: signed(aesWrongKey, 'n15'), body: aesWrongKey, expect: 'verified', aes_key: AES_KEY, decrypted: null, decrypt_expect: 'protocol_error' },
  ]
  for (const answer of aesAnswers) {
    const headers = answer.headers
    const verifies = verifySignatureV3(`${headers['alipay-timestamp']}\n${headers['alipay-nonce']}\n${answer.body}\n`, headers['alipay-signature'], alipayPublic)
    if (verifies !== (answer.expect === 'verified')) throw new Error(`${answer.name}: the official verifier says ${verifies}`)
    answer.headers = Object.entries(headers)
  }
  // The SDK and Node's own AES agree on the plaintext; under the wrong key the padding does not check.
  if (aesDecryptText(aesBody, AES_KEY) !== aesPlain || nodeDecrypt(aesBody, AES_KEY) !== aesPlain) throw new Error('aes_success does not decrypt')
  if (nodeDecrypt(aesOther, AES_KEY) === aesPlain) throw new Error('aes_tampered_ciphertext is not another text')
  let wrongKeyDecrypts = true
  try {
    nodeDecrypt(aesWrongKey, AES_KEY)
  } catch {
    wrongKeyDecrypts = false
  }
  if (wrongKeyDecrypts) throw new Error('aes_wrong_key unpads under the configured key: pick another text')
  answers.push(...aesAnswers)

  // Every captured Authorization verifies with the app public key over the SDK's own string to sign.
  for (const request of requests) {
    const [, auth, sign] = /^ALIPAY-SHA256withRSA (.*),sign=(.*)$/.exec(request.authorization)
    let content = `${auth}\n${request.method}\n${request.request_target}\n${request.body}\n`
    if (request.app_auth_token) content += `${request.app_auth_token}\n`
    if (!verifySignatureV3(content, sign, appPublic)) throw new Error(`${request.name}: the captured header does not verify`)
  }

  server.close()
  const vectors = {
    description:
      'OpenAPI v3 vectors. requests: Authorization headers produced by the official Node SDK alipay-sdk ' +
      `${sdkVersion} (AlipaySdk#curl, nonce and clock fixed), captured on the wire with the request target and body as sent; ` +
      'our signer must produce the same header byte for byte from (app_id, cert mode, nonce, timestamp_ms, method, request_target, body, app_auth_token, additional_auth_info). ' +
      'additional_auth_info is the SDK config additionalAuthInfo the request was made with (null when none): the SDK appends `,<it>` to the auth string after the timestamp, ' +
      'in the header and in the signed first line. ' +
      'answers: v3 answers signed with the SDK signatureV3 over `timestamp\\nnonce\\nbody\\n` with keys/alipay_2048_pkcs8.pem ' +
      '(and one with the app key), whose verdict the SDK verifySignatureV3 agrees with; expect is verified, unsigned (a non-2xx answer without a signature), ' +
      'signature_error or protocol_error. Keys: keys/app_2048_pkcs8.pem, keys/alipay_2048_public.pem; cert mode: certs/app_cert.crt, certs/alipay_cert.crt, certs/root_bundle.crt. ' +
      'AES (AES-128-CBC, zero IV, PKCS#7, Base64; key aes_key): requests with aes_key were sent by the SDK with needEncrypt (headers alipay-encrypt-type: AES and ' +
      'alipay-encryption-algm: AES, Content-Type text/plain); their body is the ciphertext as sent (what is signed) and plaintext the JSON it decrypts to. ' +
      'Answers with aes_key have a ciphertext body, signed as sent: expect is the verdict of the signature; then decrypted is the plaintext the body must decrypt to, ' +
      'or null when it must not be decrypted (the signature fails first) or, with decrypt_expect protocol_error, when decryption must fail (encrypted under another key). ' +
      'A request with multipart true is the SDK AlipayFormData upload (multipart/form-data: a data part with the JSON of the fields, a file part file_content): ' +
      'body is the text of the data part, the only part signed; file_name and file_sha256 (hex) describe the file part, which is not signed. ' +
      'Generated by tests/vectors/generate_v3.js.',
    sdk: `alipay-sdk@${sdkVersion}`,
    requests,
    answers,
  }
  fs.writeFileSync(path.join(__dirname, 'v3.json'), `${JSON.stringify(vectors, null, 2)}\n`)
  console.log(`wrote ${requests.length} request and ${answers.length} answer vectors`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
