'use strict'
// The signed-call protocol end to end, without a network: build a delegated request, verify a
// gateway response and an application-gateway notification. The "gateway" side is simulated with the
// test Alipay key pair from tests/vectors/keys (never use those keys for anything real).
//
//   node examples/node/protocol.js
//
// In an application, `require('alipay-isv')`; this example loads the binding from the repository.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { IsvConfig, PrivateKey, Signer, signContent, SUCCESS_ACK } = require('../../bindings-node')

const keys = path.join(__dirname, '..', '..', 'tests', 'vectors', 'keys')
const read = (name) => fs.readFileSync(path.join(keys, name), 'utf8')

// 1. The third-party app's configuration, checked once (the app's own public key would be refused).
const config = new IsvConfig({
  appId: '2021000000000001',
  privateKey: read('app_2048_pkcs8.pem'),
  alipayPublicKey: read('alipay_2048_public.pem'),
  gateway: 'sandbox',
})
console.log(`${config}`)

// 2. A delegated call (代调用) on behalf of a merchant: its app_auth_token, biz_content as an object.
const request = config.signRequest('alipay.trade.query', {
  appAuthToken: '202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21',
  bizContent: { out_trade_no: '20261121150405000001' },
})
const { url, body, contentType } = request.httpRequest()
console.log(`POST ${url.split('?')[0]} (${contentType}), timestamp ${request.params.timestamp} (UTC+8)`)
console.log(`${request}`) // tokens are masked in every representation of the request
assert.ok(body.includes('app_auth_token=') && !url.includes('app_auth_token='))

// 3. The gateway's answer (simulated: the node signed with the test Alipay private key), verified.
const alipay = new Signer(PrivateKey.fromText(read('alipay_2048_pkcs8.pem')))
const node = '{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}'
const answer = `{"alipay_trade_query_response":${node},"sign":"${alipay.sign(node)}"}`
const { fields } = config.responseVerifier().verify('alipay.trade.query', Buffer.from(answer))
console.log(`verified response: ${fields.trade_status} ${fields.total_amount}`)
try {
  config.responseVerifier().verify('alipay.trade.query', answer.replace('88.88', '0.01'))
} catch (error) {
  console.log(`tampered response refused: ${error.code}`)
}

// 4. A notification posted to the application gateway (simulated), verified from the raw body.
const params = { notify_id: 'n1', notify_type: 'trade_status_sync', trade_status: 'TRADE_SUCCESS', sign_type: 'RSA2' }
const { sign_type: _, ...content } = params
const posted = new URLSearchParams({ ...params, sign: alipay.sign(signContent(content)) }).toString()
const notification = config.notificationVerifier().verifyBody(Buffer.from(posted))
assert.equal(notification.kind, 'other')
console.log(`verified notification ${notification.params.notify_id}: answer "${SUCCESS_ACK}"`)
