'use strict'
// Importing a merchant's appAuthToken copied from the open-platform console (获得 app_auth_token 的
// 方法二), on each store (a SQLite file, a PostgreSQL database, a MySQL database; each test its own and
// its own emulator): the emulator's console token imported and used for a delegated call, and still
// there after reopening; expired, revoked, never-issued and garbage tokens refused with nothing stored;
// importing twice is one record; an imported token without a refresh token refused plainly once due;
// no token in any toString(), util.inspect or error.

const { before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const { Registry, TokenImport, ConsoleToken, MerchantAuthorisation, appAuthLink } = require('..')
const { APP_ID, REDIRECT_URI, startEmulator, rejection, thrown } = require('./flow-helpers')
const { VERSIONS, tempDir, freshLocation, eachStore } = require('./registry-helpers')

let temp

before(() => {
  temp = tempDir()
})

after(() => {
  temp.remove()
})

/** `run` with a fresh emulator (its merchants' ids start afresh) and its client; the emulator stopped after. */
async function withEmulator(run, options = {}) {
  const started = startEmulator(options)
  try {
    await run(started)
  } finally {
    started.emulator.stop()
  }
}

/** The merchant authorises `authAppId` (the ISV exchanges no code); the ISV reads the console. */
async function consoleToken(on, authAppId, merchantPid) {
  const link = appAuthLink({ host: on.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  await on.merchantAuthorizes(`${link.url}&auth_app_id=${authAppId}&merchant_pid=${merchantPid}`)
  return on.consoleAppAuthToken(authAppId)
}

eachStore('a console token is imported once and serves a delegated call', (store) =>
  withEmulator(async ({ emulator, client }) => {
    const console_ = await consoleToken(emulator, '2021004400000001', '2088004400000001')
    assert.ok(console_ instanceof ConsoleToken)
    const secret = console_.appAuthToken.slice(8)
    assert.equal(console_.merchantPid, '2088004400000001')
    assert.ok(!String(console_).includes(secret))
    assert.ok(!util.inspect(console_).includes(secret))

    const location = freshLocation(store, temp.dir, 'merchants.db')
    const registry = Registry.open(location, { client })
    const imported = await registry.importToken(`${console_.appAuthToken}\n`)
    assert.ok(imported instanceof TokenImport)
    assert.equal(imported.outcome, 'applied')
    const record = imported.record
    assert.ok(record instanceof MerchantAuthorisation)
    assert.equal(record.authAppId, '2021004400000001')
    assert.equal(record.merchantPid, '2088004400000001')
    assert.equal(record.appAuthToken, console_.appAuthToken)
    assert.equal(record.appRefreshToken, null)
    assert.equal(record.origin, 'imported')
    assert.equal(record.status, 'active')
    assert.ok(record.grantedMethods.includes(VERSIONS))
    assert.ok(!String(imported).includes(secret))
    assert.ok(!util.inspect(imported).includes(secret))

    const answer = await registry.executeFor('2021004400000001', VERSIONS)
    assert.equal(answer.fields.code, '10000')
    assert.equal(await registry.tokenForMerchant('2088004400000001'), console_.appAuthToken)

    const again = registry.importTokenSync(console_.appAuthToken)
    assert.equal(again.outcome, 'duplicate')
    assert.equal(again.record.version, record.version)
    assert.equal((await registry.list()).length, 1)
    registry.close()
    const reopened = Registry.open(location)
    assert.equal((await reopened.get('2021004400000001')).origin, 'imported')
    assert.equal((await reopened.get('2021004400000001')).appRefreshToken, null)
    assert.deepEqual((await reopened.get('2021004400000001')).grantedMethods, record.grantedMethods)
    reopened.close()
  }),
)

eachStore('expired, revoked, unknown and garbage tokens are refused with nothing stored', (store) =>
  withEmulator(async ({ emulator, client }) => {
    const expired = (await consoleToken(emulator, '2021004400000002', '2088004400000002')).appAuthToken
    const revoked = (await consoleToken(emulator, '2021004400000003', '2088004400000003')).appAuthToken
    emulator.expireAppAuthToken('2021004400000002')
    emulator.revoke('2021004400000003')
    assert.equal(thrown(() => emulator.consoleAppAuthToken('2021004400000003')).code, 'ALIPAY_CONFIG_ERROR')
    const registry = Registry.open(freshLocation(store, temp.dir), { client })
    for (const [token, authAppId] of [
      [expired, '2021004400000002'],
      [revoked, '2021004400000003'],
    ]) {
      const error = await rejection(registry.importToken(token))
      assert.equal(error.code, 'ALIPAY_STORE_ERROR')
      assert.match(error.reason, /invalid/)
      assert.ok(error.reason.includes(authAppId), error.reason)
      for (const text of [error.message, error.reason, util.inspect(error)]) {
        assert.ok(!text.includes(token.slice(8)), text)
      }
    }
    const unknown = await rejection(registry.importToken('202509BB0000000000000000000000000000f00d'))
    assert.equal(unknown.code, 'ALIPAY_API_ERROR')
    assert.equal(unknown.subCode, 'aop.invalid-app-auth-token')
    const queries = emulator.callCount('alipay.open.auth.token.app.query')
    for (const garbage of ['', '   ', 'not a token at all', '202509BB\u0000secret', '令牌令牌']) {
      const error = thrown(() => registry.importTokenSync(garbage))
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
      assert.ok(!error.message.includes('secret'), error.message)
    }
    assert.equal((await rejection(registry.importToken(revoked, 'bad refresh token'))).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(emulator.callCount('alipay.open.auth.token.app.query'), queries)
    assert.equal((await registry.list()).length, 0)
    registry.close()
    const noClient = Registry.inMemory()
    const error = await rejection(noClient.importToken(expired))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason, /client/)
  }),
)

eachStore('an imported token without refresh token is refused plainly once due', async (store) => {
  const short = startEmulator({ appAuthTokenTtlMs: 30_000 })
  try {
    const console_ = await consoleToken(short.emulator, '2021004400000004', '2088004400000004')
    const registry = Registry.open(freshLocation(store, temp.dir), { client: short.client, refreshMarginMs: 60_000 })
    await registry.importToken(console_.appAuthToken)
    const error = await rejection(registry.tokenFor('2021004400000004'))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR')
    assert.ok(error.reason.includes('2021004400000004'), error.reason)
    assert.match(error.reason, /no app_refresh_token/)
    assert.match(error.reason, /import a fresh token/)
    assert.ok(!error.reason.includes(console_.appAuthToken.slice(8)))
    // The refused refresh wrote nothing: the imported token is still the stored one, no lease left.
    assert.equal((await registry.get('2021004400000004')).appAuthToken, console_.appAuthToken)
    assert.equal((await registry.get('2021004400000004')).refreshLease, null)
    registry.close()
  } finally {
    short.emulator.stop()
  }
})
