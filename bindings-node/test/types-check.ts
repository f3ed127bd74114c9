// Type-checked (never run) with `tsc --noEmit -p test/tsconfig.json`: uses the whole public API
// against the committed index.d.ts in strict mode, and checks that misuse is a type error.

import {
  PrivateKey,
  PublicKey,
  Signer,
  Verifier,
  signContent,
  generateKeyPair,
  looksLikeOwnKey,
  type AlipayError,
  type ErrorCode,
  type KeyPair,
  type SignedContent,
  type SignOptions,
} from '..'

const pem: string = '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----'

const privateKey: PrivateKey = PrivateKey.fromText(pem)
const fromDer: PrivateKey = PrivateKey.fromDer(Buffer.from('MII', 'base64'))
const fromBytes: PrivateKey = PrivateKey.fromDer(new Uint8Array(8))
const bits: number = privateKey.bits
const exported: string[] = [
  privateKey.toPkcs8Pem(),
  privateKey.toPkcs1Pem(),
  privateKey.toPkcs8Base64(),
  privateKey.toPkcs1Base64(),
  privateKey.toString(),
]

const publicKey: PublicKey = privateKey.publicKey()
const alipayKey: PublicKey = PublicKey.fromText('MIIBIjANBg...')
const alipayFromDer: PublicKey = PublicKey.fromDer(publicKey.toDer())
const der: Buffer = publicKey.toDer()
const publicText: string[] = [publicKey.toPem(), publicKey.toBase64(), publicKey.fingerprint, publicKey.toString()]
const publicBits: number = publicKey.bits
const same: boolean = publicKey.equals(alipayKey)

const options: SignOptions = { signType: 'RSA2', charset: 'UTF-8' }
const legacy: SignOptions = { signType: 'RSA', charset: 'GBK' }
const signer = new Signer(privateKey)
const configured = new Signer(fromDer, options)
const legacySigner = new Signer(fromBytes, legacy)
const signType: 'RSA2' | 'RSA' = signer.signType
const charset: 'UTF-8' | 'GBK' = configured.charset
const sign: string = signer.sign('a=1')
const signed: SignedContent = legacySigner.signParams({ app_id: '2021000000000001', method: 'x' })
const signedContent: string = signed.content
const signature: string = signed.sign
const bytesSign: string = signer.signBytes(Buffer.from('a=1'))

const verifier = new Verifier(alipayKey, { signType: 'RSA2' })
const verified: void = verifier.verify(signedContent, signature)
verifier.verifyBytes(new Uint8Array([97]), bytesSign)
const verifierType: 'RSA2' | 'RSA' = new Verifier(alipayFromDer).signType

const content: string = signContent({ b: '2', a: '1' })
const pair: KeyPair = generateKeyPair()
const bigger: KeyPair = generateKeyPair(4096)
const own: boolean = looksLikeOwnKey(pair.privateKey, bigger.publicKey)

function describe(error: unknown): string {
  const e = error as AlipayError
  const code: ErrorCode = e.code
  switch (e.code) {
    case 'ALIPAY_API_ERROR':
      return `${e.apiCode ?? ''} ${e.msg ?? ''} ${e.subCode ?? ''} ${e.subMsg ?? ''} ${String(e.signed)} ${e.hint ?? ''}`
    case 'ALIPAY_CONFIG_ERROR':
    case 'ALIPAY_SIGNATURE_ERROR':
    case 'ALIPAY_TRANSPORT_ERROR':
    case 'ALIPAY_PROTOCOL_ERROR':
    case 'ALIPAY_STORE_ERROR':
      return `${code} ${e.kind} ${e.reason} ${e.message}`
  }
}

// Misuse must not type-check.
// @ts-expect-error unknown sign type
new Signer(privateKey, { signType: 'RSA3' })
// @ts-expect-error unknown charset
new Verifier(alipayKey, { charset: 'latin1' })
// @ts-expect-error a public key cannot sign
new Signer(alipayKey)
// @ts-expect-error params are strings
signContent({ a: 1 })
// @ts-expect-error verify returns nothing
const notBoolean: boolean = verifier.verify('a', 'b')
// @ts-expect-error not an error code
const notCode: ErrorCode = 'ALIPAY_OTHER_ERROR'

export const used = [
  bits, exported, der, publicText, publicBits, same, signType, charset, sign, verified, verifierType,
  content, own, describe, notBoolean, notCode,
]
