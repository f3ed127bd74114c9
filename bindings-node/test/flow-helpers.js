'use strict'
// Shared by the emulator test files (not a test itself): the test app's keys, an emulator with a
// client configured for it, and a tiny application gateway on node:http that verifies every push with
// the binding's notification verifier.

const http = require('node:http')
const { Emulator, IsvConfig, Client, SUCCESS_ACK } = require('..')
const { readKey } = require('./helpers')

const APP_ID = '2021000000000001'
const APP_PRIVATE_KEY = readKey('keys/app_2048_pkcs8.pem')
const APP_PUBLIC_KEY = readKey('keys/app_2048_public.pem')
const REDIRECT_URI = 'https://isv.example.com/alipay/callback'

/** An emulator for the test app, the `IsvConfig` and `Client` pointed at it. */
function startEmulator(options = {}, transport = { connectTimeoutMs: 2000, readTimeoutMs: 5000 }) {
  const emulator = Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY, ...options })
  const config = new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    alipayPublicKey: emulator.alipayPublicKey,
    gateway: emulator.gatewayUrl,
  })
  const client = new Client(config, transport)
  return { emulator, config, client }
}

/**
 * An application gateway (应用网关) on loopback: every POST body is verified with `config`'s
 * notification verifier; verified notifications are kept in `received` and answered `success`, the
 * others kept in `rejected` and answered 400. Every raw body is kept in `bodies`, in arrival order.
 */
async function startAppGateway(config) {
  const verifier = config.notificationVerifier()
  const received = []
  const rejected = []
  const bodies = []
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      bodies.push(body)
      try {
        received.push(verifier.verifyBody(body))
        response.end(SUCCESS_ACK)
      } catch (error) {
        rejected.push(error)
        response.statusCode = 400
        response.end('fail')
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/alipay/gateway`
  return { url, received, rejected, bodies, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort() {
  const server = http.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

/** The error a function throws (fails the test when it returns). */
function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

module.exports = {
  APP_ID,
  APP_PRIVATE_KEY,
  APP_PUBLIC_KEY,
  REDIRECT_URI,
  startEmulator,
  startAppGateway,
  closedPort,
  rejection,
  thrown,
}
