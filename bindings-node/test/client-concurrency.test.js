'use strict'
// 100 concurrent delegated calls from one event loop (Promise.all) on 8 libuv pool threads all verify;
// the calls really run in parallel (UV_THREADPOOL_SIZE is set to 8 before any pool work; the test
// script sets it too).
process.env.UV_THREADPOOL_SIZE = '8'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { appAuthLink, parseAppAuthCallback } = require('..')
const { APP_ID, REDIRECT_URI, startEmulator } = require('./flow-helpers')

const VERSIONS = 'alipay.open.mini.version.list.query'

let emulator
let client
let tokens

before(async () => {
  ;({ emulator, client } = startEmulator({}, { readTimeoutMs: 30_000 }))
  // Two merchants, so the calls mix tokens.
  tokens = []
  for (let i = 0; i < 2; i++) {
    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
    const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
    tokens.push(...(await client.exchangeAppAuthCode(callback.appAuthCode)))
  }
  assert.notEqual(tokens[0].authAppId, tokens[1].authAppId)
})

after(() => emulator.stop())

test('100 concurrent delegated calls all verify', async () => {
  const before = emulator.callCount(VERSIONS)
  const calls = Array.from({ length: 100 }, (_, i) => {
    const token = tokens[i % 2]
    return client
      .execute(VERSIONS, { appAuthToken: token.appAuthToken, bizContent: { bundle_id: `b${i}` } })
      .then((response) => ({ response, token }))
  })
  const results = await Promise.all(calls)
  assert.equal(results.length, 100)
  for (const { response, token } of results) {
    assert.equal(response.fields.code, '10000')
    assert.equal(response.fields.auth_app_id, token.authAppId)
  }
  assert.equal(emulator.callCount(VERSIONS), before + 100)
})

test('the calls run in parallel on 8 pool threads', async () => {
  // 16 calls each held 300 ms by the emulator: about 600 ms on 8 threads, 1200 ms or more on 4.
  emulator.setFault('delay', { delayMs: 300, times: 16 })
  const start = performance.now()
  const results = await Promise.all(
    Array.from({ length: 16 }, () => client.execute(VERSIONS, { appAuthToken: tokens[0].appAuthToken })),
  )
  const elapsed = performance.now() - start
  emulator.setFault(null)
  for (const response of results) assert.equal(response.fields.code, '10000')
  assert.ok(elapsed >= 550 && elapsed < 1100, `16 calls of 300 ms took ${elapsed} ms`)
})
