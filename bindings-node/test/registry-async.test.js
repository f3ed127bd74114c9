'use strict'
// The registry's store operations as Promises on the libuv pool, each with its blocking `…Sync` twin
// (bindings-node/src/registry/mod.rs and orders.rs): ingesting, `get`, `getForApp`, `list`, `byMerchant`,
// `revoke`, `integrityCheck`, `order`, `orders`, `orderAuthorisation`.
//
// Off the JavaScript thread, on PostgreSQL and MySQL: while a store operation waits on the server (another
// session holds a lock on the records' table), the JavaScript thread keeps running — a setImmediate
// callback runs while `await registry.list()` is pending, and timers fire — whereas the twin blocks the
// thread for the whole wait. Every async form resolves to what its twin returns, on each store (SQLite,
// PostgreSQL, MySQL, memory). When the store fails (its tables gone), every async form rejects with
// ALIPAY_STORE_ERROR and its twin throws the same; an unknown merchant or order rejects with
// ALIPAY_STORE_ERROR. A closed registry, or an object that is not a notification, throws at the call
// (ALIPAY_CONFIG_ERROR) for both forms: nothing is queued. Concurrent operations all settle.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')

const { Registry, MerchantAuthorisation, OrderRecord } = require('..')
const { APP_ID, startEmulator, rejection, thrown } = require('./flow-helpers')
const { STORES, SERVERS, tempDir, freshLocation, eachStore, authorise, passwordOf, queryValue, sleep } = require('./registry-helpers')

/** The table the merchant authorisations are kept in (PostgreSQL and MySQL). */
const RECORDS_TABLE = 'alipay_isv_authorisations'
/** How long the other session holds its lock. */
const HOLD_MS = 1500
/** What a wait on that lock lasts at least (the lock is taken before the operation starts). */
const WAITED_MS = 1000

let emulator
let client
let temp

before(() => {
  ;({ emulator, client } = startEmulator())
  temp = tempDir()
})

after(() => {
  emulator.stop()
  temp.remove()
})

/** Every getter of a binding object (a record or an order), by name: what it shows, tokens included. */
function plain(value) {
  if (value === null) return null
  const prototype = Object.getPrototypeOf(value)
  const fields = {}
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (typeof Object.getOwnPropertyDescriptor(prototype, name).get === 'function') fields[name] = value[name]
  }
  return fields
}

const plainAll = (values) => values.map(plain)

/** An authorisation notification of the merchant app `authAppId`, made by hand (as a verifier returns it). */
function appAuthNotice(authAppId, notifyId = `notify-${authAppId}`) {
  return {
    kind: 'appAuth',
    notifyId,
    appId: APP_ID,
    detail: {
      appAuthToken: `202612BB${authAppId}`,
      appRefreshToken: `202612RR${authAppId}`,
      authAppId,
      userId: `2088${authAppId.slice(-12)}`,
      expiresIn: 31_536_000,
      reExpiresIn: 32_000_000,
      authTime: Date.now(),
    },
  }
}

/** A service-market order message for the merchant app `authAppId`. */
function orderNotice(commodityOrderId, authAppId) {
  return {
    kind: 'serviceMarketOrder',
    notifyId: `order-${commodityOrderId}`,
    appId: APP_ID,
    commodityOrderId,
    merchantPid: `2088${authAppId.slice(-12)}`,
    consumerMiniAppId: authAppId,
    title: '插件订购',
    contactor: '张三',
    phone: '13800000000',
  }
}

/**
 * Another session of the database server at `url` holds an exclusive lock on the records' table for
 * `HOLD_MS`: resolves, once the lock is held, to `{ ended }`, a promise of the session's end (wrapped: an
 * async function resolving to a promise would wait for it).
 */
async function holdRecordsLock(server, url) {
  const parsed = new URL(url)
  const [host, port, user, database] = [parsed.hostname, parsed.port, decodeURIComponent(parsed.username), parsed.pathname.slice(1)]
  const seconds = HOLD_MS / 1000
  // The password goes through the environment, never the command line.
  const child =
    server === 'postgres'
      ? spawn(
          'psql',
          ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', port, '-U', user, '-d', database,
            '-c', `BEGIN; LOCK TABLE ${RECORDS_TABLE} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(${seconds}); COMMIT;`],
          { env: { ...process.env, PGPASSWORD: passwordOf(url) }, stdio: 'ignore' },
        )
      : spawn(
          'mariadb',
          ['--no-defaults', '--skip-ssl', '-h', host, '-P', port, '-u', user, '-D', database,
            '-e', `LOCK TABLES ${RECORDS_TABLE} WRITE; SELECT SLEEP(${seconds}); UNLOCK TABLES;`],
          { env: { ...process.env, MYSQL_PWD: passwordOf(url) }, stdio: 'ignore' },
        )
  const ended = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the locking session ended with ${code}`))))
  })
  // Awaited by the caller once its operation settled; never an unhandled rejection meanwhile.
  ended.catch(() => {})
  // Held once the server shows it: the granted lock (PostgreSQL), the session sleeping after LOCK
  // TABLES (MySQL).
  const held =
    server === 'postgres'
      ? `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '${RECORDS_TABLE}' AND l.mode = 'AccessExclusiveLock' AND l.granted`
      : "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(%'"
  const deadline = Date.now() + 10_000
  try {
    while (queryValue(server, url, held) !== '1') {
      if (Date.now() > deadline) throw new Error('the other session did not get its lock')
      await sleep(20)
    }
  } catch (error) {
    child.kill()
    await ended.catch(() => {})
    throw error
  }
  return { ended }
}

for (const server of SERVERS) {
  test(`a store operation waiting on the server leaves the JavaScript thread free; its twin blocks it [${server}]`, async () => {
    const location = freshLocation(server, temp.dir)
    const registry = Registry.open(location)
    try {
      assert.equal(await registry.ingestNotification(appAuthNotice('2021000000000301')), 'applied')

      // The async form: while it waits on the lock, a setImmediate callback and timers run.
      let { ended } = await holdRecordsLock(server, location)
      let ticks = 0
      const ticker = setInterval(() => ticks++, 10)
      let settled = false
      let immediateWhilePending = null
      const started = performance.now()
      const pending = registry.list()
      assert.ok(pending instanceof Promise)
      pending.then(
        () => (settled = true),
        () => (settled = true),
      )
      setImmediate(() => (immediateWhilePending = !settled))
      const listed = await pending
      const waited = performance.now() - started
      clearInterval(ticker)
      await ended
      assert.ok(waited >= WAITED_MS, `list() waited ${waited.toFixed(0)} ms on the lock`)
      assert.equal(immediateWhilePending, true, 'a setImmediate callback ran while list() was pending')
      assert.ok(ticks >= 20, `${ticks} timer ticks while list() waited ${waited.toFixed(0)} ms`)
      assert.deepEqual(listed.map((record) => record.authAppId), ['2021000000000301'])
      assert.ok(listed[0] instanceof MerchantAuthorisation)

      // The twin: the same wait, on the JavaScript thread (no timer can fire until it returns).
      ;({ ended } = await holdRecordsLock(server, location))
      ticks = 0
      const blocker = setInterval(() => ticks++, 10)
      const blockedAt = performance.now()
      const listedSync = registry.listSync()
      const blocked = performance.now() - blockedAt
      const ticksDuring = ticks
      clearInterval(blocker)
      await ended
      assert.ok(blocked >= WAITED_MS, `listSync() waited ${blocked.toFixed(0)} ms on the lock`)
      assert.equal(ticksDuring, 0)
      assert.deepEqual(plainAll(listedSync), plainAll(listed))
    } finally {
      registry.close()
    }
  })
}

eachStore(
  'every async form resolves to what its …Sync twin returns',
  async (store) => {
    const registry = Registry.open(freshLocation(store, temp.dir, 'twins.db'), { client })
    try {
      // Tokens of two merchants: one ingested by each form.
      const [[a], [b]] = [await authorise(emulator, client), await authorise(emulator, client)]
      assert.deepEqual(await registry.ingestTokens([a]), ['applied'])
      assert.deepEqual(registry.ingestTokensSync([b]), ['applied'])
      // The same ingestion again: the same outcome from both forms.
      assert.deepEqual(await registry.ingestTokens([a]), registry.ingestTokensSync([a]))

      const [infoA, infoB] = [await client.queryAppAuthToken(a.appAuthToken), await client.queryAppAuthToken(b.appAuthToken)]
      assert.equal(await registry.ingestQuery(a.appAuthToken, infoA), 'applied')
      assert.equal(registry.ingestQuerySync(b.appAuthToken, infoB), 'applied')
      assert.equal(await registry.ingestQuery(a.appAuthToken, infoA), registry.ingestQuerySync(a.appAuthToken, infoA))

      const [refreshedA, refreshedB] = [await client.refreshAppAuthToken(a.appRefreshToken), await client.refreshAppAuthToken(b.appRefreshToken)]
      assert.deepEqual(await registry.ingestRefreshedTokens(refreshedA), ['applied'])
      assert.deepEqual(registry.ingestRefreshedTokensSync(refreshedB), ['applied'])
      assert.deepEqual(await registry.ingestRefreshedTokens(refreshedB), registry.ingestRefreshedTokensSync(refreshedA))

      const [noticeC, noticeD] = [appAuthNotice('2021000000000303'), appAuthNotice('2021000000000304')]
      assert.equal(await registry.ingestNotification(noticeC), 'applied')
      assert.equal(registry.ingestNotificationSync(noticeD), 'applied')
      assert.equal(await registry.ingestNotification(noticeD), 'duplicate')
      assert.equal(registry.ingestNotificationSync(noticeC), 'duplicate')
      assert.equal(await registry.ingestNotification(orderNotice('202612070000000000000301', '2021000000000303')), 'applied')
      assert.equal(registry.ingestNotificationSync(orderNotice('202612070000000000000302', '2021000000000304')), 'applied')

      // The reads: class instances, equal field by field (tokens included).
      const record = await registry.get(a.authAppId)
      assert.ok(record instanceof MerchantAuthorisation)
      assert.equal(record.appAuthToken, refreshedA[0].appAuthToken)
      assert.deepEqual(record.grantedMethods, infoA.authMethods)
      assert.deepEqual(plain(record), plain(registry.getSync(a.authAppId)))
      assert.equal(await registry.get('2021000000000399'), null)
      assert.equal(registry.getSync('2021000000000399'), null)
      assert.deepEqual(plain(await registry.getForApp(APP_ID, b.authAppId)), plain(registry.getForAppSync(APP_ID, b.authAppId)))
      assert.equal(await registry.getForApp('2021000000000999', b.authAppId), null)
      const listed = await registry.list()
      assert.equal(listed.length, 4)
      assert.deepEqual(plainAll(listed), plainAll(registry.listSync()))
      const byPid = await registry.byMerchant(b.userId)
      assert.deepEqual(byPid.map((r) => r.authAppId), [b.authAppId])
      assert.deepEqual(plainAll(byPid), plainAll(registry.byMerchantSync(b.userId)))

      const order = await registry.order('202612070000000000000301')
      assert.ok(order instanceof OrderRecord)
      assert.equal(order.phone, '13800000000')
      assert.deepEqual(plain(order), plain(registry.orderSync('202612070000000000000301')))
      assert.equal(await registry.order('201901010000000000000000'), null)
      const orders = await registry.orders()
      assert.deepEqual(orders.map((o) => o.commodityOrderId), ['202612070000000000000301', '202612070000000000000302'])
      assert.deepEqual(plainAll(orders), plainAll(registry.ordersSync()))
      const goesWith = await registry.orderAuthorisation('202612070000000000000302')
      assert.equal(goesWith.authAppId, '2021000000000304')
      assert.deepEqual(plain(goesWith), plain(registry.orderAuthorisationSync('202612070000000000000302')))

      // Revoking: one merchant by each form; revoking again changes nothing, by either form.
      const revoked = await registry.revoke(a.authAppId)
      assert.ok(revoked instanceof MerchantAuthorisation)
      assert.equal(revoked.status, 'revoked')
      assert.equal(registry.revokeSync(b.authAppId).status, 'revoked')
      assert.deepEqual(plain(await registry.revoke(a.authAppId)), plain(registry.revokeSync(a.authAppId)))
      assert.deepEqual(plain(await registry.get(a.authAppId)), plain(revoked))

      if (store === 'sqlite') {
        assert.equal(await registry.integrityCheck(), 'ok')
        assert.equal(registry.integrityCheckSync(), 'ok')
      } else {
        // Not a SQLite file: refused at the call, by both forms.
        assert.equal(thrown(() => registry.integrityCheck()).code, 'ALIPAY_CONFIG_ERROR')
        assert.equal(thrown(() => registry.integrityCheckSync()).code, 'ALIPAY_CONFIG_ERROR')
      }

      // An unknown merchant or order: the async form rejects, the twin throws, both ALIPAY_STORE_ERROR
      // naming it.
      for (const [async, sync, named] of [
        [() => registry.revoke('2021000000000399'), () => registry.revokeSync('2021000000000399'), '2021000000000399'],
        [
          () => registry.orderAuthorisation('201901010000000000000000'),
          () => registry.orderAuthorisationSync('201901010000000000000000'),
          '201901010000000000000000',
        ],
      ]) {
        for (const error of [await rejection(async()), thrown(sync)]) {
          assert.equal(error.code, 'ALIPAY_STORE_ERROR')
          assert.equal(error.kind, 'store')
          assert.ok(error.reason.includes(named), error.reason)
        }
      }
    } finally {
      registry.close()
    }
  },
  [...STORES, 'memory'],
)

/** Drops the registry's tables from the database at `url`: every later store operation fails. */
function dropTables(server, url) {
  const tables = ['alipay_isv_orders', 'alipay_isv_notifications', RECORDS_TABLE].join(', ')
  queryValue(server, url, `DROP TABLE ${tables}`)
}

for (const server of SERVERS) {
  test(`when the store fails, every async form rejects with ALIPAY_STORE_ERROR and its twin throws it [${server}]`, async () => {
    const [token] = await authorise(emulator, client)
    const location = freshLocation(server, temp.dir)
    const registry = Registry.open(location, { client })
    try {
      assert.deepEqual(await registry.ingestTokens([token]), ['applied'])
      dropTables(server, location)
      const { authAppId, userId, appAuthToken } = token
      const notice = appAuthNotice('2021000000000305')
      const info = { authAppId, userId, status: 'valid', authMethods: [] }
      const forms = {
        ingestTokens: [() => registry.ingestTokens([token]), () => registry.ingestTokensSync([token])],
        ingestRefreshedTokens: [() => registry.ingestRefreshedTokens([token]), () => registry.ingestRefreshedTokensSync([token])],
        ingestNotification: [() => registry.ingestNotification(notice), () => registry.ingestNotificationSync(notice)],
        ingestQuery: [() => registry.ingestQuery(appAuthToken, info), () => registry.ingestQuerySync(appAuthToken, info)],
        get: [() => registry.get(authAppId), () => registry.getSync(authAppId)],
        getForApp: [() => registry.getForApp(APP_ID, authAppId), () => registry.getForAppSync(APP_ID, authAppId)],
        list: [() => registry.list(), () => registry.listSync()],
        byMerchant: [() => registry.byMerchant(userId), () => registry.byMerchantSync(userId)],
        revoke: [() => registry.revoke(authAppId), () => registry.revokeSync(authAppId)],
        order: [() => registry.order('202612070000000000000301'), () => registry.orderSync('202612070000000000000301')],
        orders: [() => registry.orders(), () => registry.ordersSync()],
        orderAuthorisation: [
          () => registry.orderAuthorisation('202612070000000000000301'),
          () => registry.orderAuthorisationSync('202612070000000000000301'),
        ],
      }
      for (const [name, [async, sync]] of Object.entries(forms)) {
        const pending = async()
        assert.ok(pending instanceof Promise, name)
        const rejected = await rejection(pending)
        const threw = thrown(sync)
        for (const error of [rejected, threw]) {
          assert.equal(error.code, 'ALIPAY_STORE_ERROR', `${name}: ${error.message}`)
          assert.equal(error.kind, 'store', name)
          assert.ok(!error.message.includes(passwordOf(location)), name)
          assert.ok(!error.message.includes(appAuthToken), name)
        }
        assert.equal(rejected.code, threw.code, name)
      }
    } finally {
      registry.close()
    }
  })
}

test('a closed registry, or an object that is not a notification, throws at the call: nothing is queued', () => {
  const registry = Registry.inMemory()
  // Bad input is read on the JavaScript thread, before any work is queued.
  for (const call of [
    () => registry.ingestNotification({ kind: 'nope' }),
    () => registry.ingestNotificationSync({ kind: 'nope' }),
    () => registry.ingestQuery('t', { authMethods: 'x' }),
    () => registry.ingestQuerySync('t', { authMethods: 'x' }),
  ]) {
    assert.equal(thrown(call).code, 'ALIPAY_CONFIG_ERROR')
  }
  // Not AppAuthToken instances: refused by the argument conversion.
  assert.throws(() => registry.ingestTokens([{ authAppId: '2021' }]), /AppAuthToken/)
  assert.throws(() => registry.ingestRefreshedTokensSync([{ authAppId: '2021' }]), /AppAuthToken/)

  registry.close()
  const calls = {
    ingestTokens: () => registry.ingestTokens([]),
    ingestTokensSync: () => registry.ingestTokensSync([]),
    ingestRefreshedTokens: () => registry.ingestRefreshedTokens([]),
    ingestRefreshedTokensSync: () => registry.ingestRefreshedTokensSync([]),
    ingestNotification: () => registry.ingestNotification(appAuthNotice('2021000000000306')),
    ingestNotificationSync: () => registry.ingestNotificationSync(appAuthNotice('2021000000000306')),
    ingestQuery: () => registry.ingestQuery('t', { status: 'valid' }),
    ingestQuerySync: () => registry.ingestQuerySync('t', { status: 'valid' }),
    get: () => registry.get('2021'),
    getSync: () => registry.getSync('2021'),
    getForApp: () => registry.getForApp(APP_ID, '2021'),
    getForAppSync: () => registry.getForAppSync(APP_ID, '2021'),
    list: () => registry.list(),
    listSync: () => registry.listSync(),
    byMerchant: () => registry.byMerchant('2088'),
    byMerchantSync: () => registry.byMerchantSync('2088'),
    revoke: () => registry.revoke('2021'),
    revokeSync: () => registry.revokeSync('2021'),
    integrityCheck: () => registry.integrityCheck(),
    integrityCheckSync: () => registry.integrityCheckSync(),
    order: () => registry.order('2026'),
    orderSync: () => registry.orderSync('2026'),
    orders: () => registry.orders(),
    ordersSync: () => registry.ordersSync(),
    orderAuthorisation: () => registry.orderAuthorisation('2026'),
    orderAuthorisationSync: () => registry.orderAuthorisationSync('2026'),
  }
  for (const [name, call] of Object.entries(calls)) {
    const error = thrown(call)
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', name)
    assert.match(error.reason, /closed/, name)
  }
})

eachStore(
  'many concurrent store operations all settle, each with its own answer',
  async (store) => {
    const registry = Registry.open(freshLocation(store, temp.dir, 'concurrent.db'))
    try {
      const ids = Array.from({ length: 48 }, (_, i) => `20210000000${String(10_000 + i)}`)
      const outcomes = await Promise.all(ids.map((id) => registry.ingestNotification(appAuthNotice(id))))
      assert.deepEqual(outcomes, ids.map(() => 'applied'))
      // Reads, writes and retried messages at once.
      const [records, revoked, retried, listed] = await Promise.all([
        Promise.all(ids.map((id) => registry.get(id))),
        Promise.all(ids.slice(0, 8).map((id) => registry.revoke(id))),
        Promise.all(ids.slice(8, 16).map((id) => registry.ingestNotification(appAuthNotice(id)))),
        registry.list(),
      ])
      assert.deepEqual(records.map((record) => record.authAppId), ids)
      assert.ok(revoked.every((record) => record.status === 'revoked'))
      assert.deepEqual(retried, ids.slice(8, 16).map(() => 'duplicate'))
      assert.equal(listed.length, ids.length)
      assert.equal((await registry.list()).filter((record) => record.status === 'revoked').length, 8)
    } finally {
      registry.close()
    }
  },
  [...STORES, 'memory'],
)
