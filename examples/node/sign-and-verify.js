'use strict'
// Signs an `alipay.open.auth.token.app` request (exchange a merchant's app_auth_code for an
// app_auth_token) with a fresh key pair, verifies it, and shows that a tampered parameter fails.
//
//   node examples/node/sign-and-verify.js
//
// In an application, `require('alipay-isv')`; this example loads the binding from the repository.

const assert = require('node:assert/strict')
const { generateKeyPair, looksLikeOwnKey, Signer, Verifier, signContent } = require('../../bindings-node')

// 1. A new app key pair: upload publicKey.toBase64() to the Alipay console, keep the private key.
const { privateKey, publicKey } = generateKeyPair(2048)
console.log(`generated ${privateKey}`)
console.log(`app public key to upload: ${publicKey.toBase64().slice(0, 32)}…`)

// 2. The request parameters, exactly as they will be sent to the gateway.
const params = {
  app_id: '2021000000000001',
  method: 'alipay.open.auth.token.app',
  format: 'JSON',
  charset: 'UTF-8',
  sign_type: 'RSA2',
  timestamp: '2026-11-21 15:04:05',
  version: '1.0',
  biz_content: JSON.stringify({ grant_type: 'authorization_code', code: 'P5f3b1c2d4e6a7b8c9d0e1f2a3b4c5d6' }),
}

// 3. Sign: canonical content (sorted, `sign` and empty values dropped) and its RSA2 signature.
const signer = new Signer(privateKey, { signType: 'RSA2', charset: 'UTF-8' })
const { content, sign } = signer.signParams(params)
console.log(`content: ${content}`)
console.log(`sign:    ${sign.slice(0, 44)}…`)

// 4. Verify with the public key, as the receiving side would.
const verifier = new Verifier(publicKey, { signType: 'RSA2', charset: 'UTF-8' })
verifier.verify(content, sign)
console.log('verified: the signature matches the parameters')

// 5. Tamper with one parameter: verification throws an error with code ALIPAY_SIGNATURE_ERROR.
const tampered = signContent({ ...params, app_id: '2021000000000002' })
try {
  verifier.verify(tampered, sign)
  throw new Error('a tampered request verified')
} catch (error) {
  assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
  console.log(`tampered app_id rejected: ${error.code} (${error.reason})`)
}

// 6. The classic misconfiguration: the app's own public key given as the Alipay public key.
assert.equal(looksLikeOwnKey(privateKey, publicKey), true)
console.log('looksLikeOwnKey spots the app public key pasted as the Alipay public key')
