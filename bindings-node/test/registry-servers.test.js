'use strict'
// The registry in PostgreSQL and MySQL (MariaDB) as the test servers of scripts/services/ serve them:
// Registry.open(url) with the URL forms (postgres:// and postgresql://, mysql:// and mariadb://) and
// parameters the docs name (TLS verified against the server's CA, pool size and timeout, an unknown
// parameter refused); a wrong password is ALIPAY_STORE_ERROR naming the user and no text of the error holds
// the password (neither the wrong one nor the right one); an unreachable port and a database that does not
// exist are ALIPAY_STORE_ERROR within a few seconds; two registry instances on one database (also on one
// SQLite file) see each other's records, revocations, notification journal and orders at once; an open
// registry holds at most pool_max_size connections, and close() releases them.

const { before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const { Registry, generateTokenKey, APP_AUTH_CANCELLED } = require('..')
const { startEmulator, closedPort, rejection, thrown } = require('./flow-helpers')
const {
  SERVERS,
  serverUrl,
  serverCa,
  newDatabase,
  tempDir,
  freshLocation,
  eachStore,
  withParam,
  passwordOf,
  queryValue,
  authorise,
  sleep,
} = require('./registry-helpers')

const USER = 'alipay_isv_test'

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

/** Every text an error shows: message, reason, string form, inspection, stack, JSON. */
const texts = (error) => [error.message, error.reason, String(error), util.inspect(error), error.stack, JSON.stringify(error)]

/** Asserts that no text of `error` holds any of `secrets` (without printing them). */
function assertHides(error, secrets) {
  for (const text of texts(error)) {
    for (const secret of secrets) assert.ok(!String(text).includes(secret), 'an error shows a password')
  }
}

/** `url` with the password `password` (as written, percent-encoded or not) in place of its own. */
function withPassword(url, password) {
  const parsed = new URL(url)
  return url.replace(`${parsed.username}:${parsed.password}@`, `${parsed.username}:${password}@`)
}

/** `url` with `host:port` in place of its own. */
function withHost(url, hostPort) {
  const parsed = new URL(url)
  return url.replace(`@${parsed.host}/`, `@${hostPort}/`)
}

/** The other spelling of `url`'s scheme: postgresql:// for postgres://, mariadb:// for mysql://. */
const alias = (url) => url.replace(/^postgres:\/\//, 'postgresql://').replace(/^mysql:\/\//, 'mariadb://')

eachStore(
  'a wrong password is ALIPAY_STORE_ERROR naming the user, never the password',
  (server) => {
    const url = serverUrl(server)
    const secret = passwordOf(url)
    // A wrong password with reserved characters, percent-encoded in the URL: neither form may show.
    const wrong = 'wr0ng:p@ss/w%rd'
    const encoded = encodeURIComponent(wrong)
    const hidden = [secret, wrong, encoded, 'wr0ng']
    for (const location of [withPassword(url, encoded), alias(withPassword(url, encoded))]) {
      const error = thrown(() => Registry.open(location, { client }))
      assert.ok(error instanceof Error)
      assert.equal(error.code, 'ALIPAY_STORE_ERROR')
      assert.equal(error.kind, 'store')
      assert.ok(error.reason.includes(`refused the login of user \`${USER}\``), error.reason)
      assert.ok(error.reason.includes('password is not shown'), error.reason)
      assertHides(error, hidden)
    }
    // The password as a parameter instead (both stores read `password=`): hidden as well.
    const parameter = withParam(url.replace(`:${new URL(url).password}@`, '@'), `password=${encoded}`)
    const error = thrown(() => Registry.open(parameter))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR')
    assert.ok(error.reason.includes(USER), error.reason)
    assertHides(error, hidden)
    // A URL the store cannot use is a configuration error, and hides the password as well.
    const invalid = thrown(() => Registry.open(withParam(url, server === 'postgres' ? 'sslmode=sometimes' : 'ssl-mode=sometimes')))
    assert.equal(invalid.code, 'ALIPAY_CONFIG_ERROR')
    assertHides(invalid, [secret])
  },
  SERVERS,
)

eachStore(
  'an unreachable port or a missing database is ALIPAY_STORE_ERROR within a few seconds',
  async (server) => {
    const url = serverUrl(server)
    const port = await closedPort()
    let started = Date.now()
    const error = thrown(() => Registry.open(withHost(url, `127.0.0.1:${port}`), { client }))
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`)
    assert.equal(error.code, 'ALIPAY_STORE_ERROR')
    assert.ok(error.reason.includes(`nothing answers at 127.0.0.1:${port}`), error.reason)
    assertHides(error, [passwordOf(url)])

    // An address nothing answers from (no refusal either): the URL's connect_timeout bounds the wait.
    started = Date.now()
    const silent = thrown(() => Registry.open(withParam(withHost(url, '192.0.2.1:5'), 'connect_timeout=1')))
    assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`)
    assert.equal(silent.code, 'ALIPAY_STORE_ERROR')
    assertHides(silent, [passwordOf(url)])

    // A database that does not exist (a name the test user may use).
    const database = new URL(url).pathname.slice(1)
    const missing = thrown(() => Registry.open(url.replace(`/${database}`, `/${database}_nosuch`)))
    assert.equal(missing.code, 'ALIPAY_STORE_ERROR')
    assert.ok(missing.reason.includes(`the database \`${database}_nosuch\` does not exist`), missing.reason)
    assertHides(missing, [passwordOf(url)])
  },
  SERVERS,
)

eachStore('two registry instances on one store see each other\'s records', async (store) => {
  const location = freshLocation(store, temp.dir, 'shared.db')
  const tokenKey = generateTokenKey()
  // The second opens by the other spelling of the URL (postgresql://, mariadb://, sqlite://).
  const other = store === 'sqlite' ? `sqlite://${location}` : alias(location)
  const first = Registry.open(location, { client, tokenKey })
  const second = Registry.open(other, { client, tokenKey })
  try {
    const [token] = await authorise(emulator, client)
    assert.deepEqual(await first.ingestTokens([token]), ['applied'])
    // Written by one, read by the other: the same record.
    const seen = await second.get(token.authAppId)
    assert.equal(seen.appAuthToken, token.appAuthToken)
    assert.equal(seen.version, (await first.get(token.authAppId)).version)
    assert.equal(await second.tokenFor(token.authAppId), token.appAuthToken)
    assert.equal((await second.executeFor(token.authAppId, 'alipay.open.mini.version.list.query')).fields.code, '10000')
    assert.deepEqual((await second.list()).map((record) => record.authAppId), [token.authAppId])

    // A newer exchange through the second is what the first serves.
    const [again] = await authorise(emulator, client)
    assert.deepEqual(await second.ingestTokens([again]), ['applied'])
    assert.deepEqual((await first.list()).map((record) => record.authAppId).sort(), [token.authAppId, again.authAppId].sort())

    // A notification journalled by one is a duplicate for the other; its revocation is seen by both.
    const cancellation = {
      kind: 'message',
      notifyId: `cancel-${token.authAppId}`,
      msgMethod: APP_AUTH_CANCELLED,
      msgAppId: token.authAppId,
      utcTimestamp: String(Date.now()),
      bizContent: { auth_app_id: token.authAppId },
    }
    assert.equal(await second.ingestNotification(cancellation), 'applied')
    assert.equal(await first.ingestNotification(cancellation), 'duplicate')
    assert.equal((await first.get(token.authAppId)).status, 'revoked')
    const refused = await rejection(first.tokenFor(token.authAppId))
    assert.equal(refused.code, 'ALIPAY_STORE_ERROR')
    assert.ok(refused.reason.includes(token.authAppId), refused.reason)
    // A local revoke by the first: the second refuses at once too.
    await first.revoke(again.authAppId)
    assert.equal((await rejection(second.tokenFor(again.authAppId))).code, 'ALIPAY_STORE_ERROR')

    // An order stored through one is there for the other.
    const order = { kind: 'serviceMarketOrder', notifyId: `order-${store}`, commodityOrderId: `2026${Date.now()}`, merchantPid: '2088000000000001' }
    assert.equal(await first.ingestNotification(order), 'applied')
    assert.equal(await second.ingestNotification(order), 'duplicate')
    assert.equal((await second.order(order.commodityOrderId)).merchantPid, '2088000000000001')
    assert.deepEqual((await second.orders()).map((o) => o.commodityOrderId), [order.commodityOrderId])
  } finally {
    first.close()
    second.close()
  }
})

eachStore(
  'TLS and pool parameters of the URL',
  async (server) => {
    const url = newDatabase(server)
    const ca = serverCa(server)
    const secret = passwordOf(url)
    const [verified, unknownCa] =
      server === 'postgres'
        ? [`sslmode=verify-full&sslrootcert=${ca}`, 'sslmode=verify-full']
        : [`ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`, 'ssl-mode=VERIFY_IDENTITY']

    // TLS verified against the test server's CA, a pool of two connections: it works.
    const registry = Registry.open(withParam(url, `${verified}&pool_max_size=2&pool_timeout=5&connect_timeout=3`), { client })
    try {
      const [token] = await authorise(emulator, client)
      assert.deepEqual(await registry.ingestTokens([token]), ['applied'])
      // 16 concurrent calls through two connections.
      const tokens = await Promise.all(Array.from({ length: 16 }, () => registry.tokenFor(token.authAppId)))
      assert.ok(tokens.every((handed) => handed === token.appAuthToken))
      assert.ok(!String(registry).includes(secret))
      assert.ok(!String(registry).includes(ca), 'the description shows the database, not its parameters')
    } finally {
      registry.close()
    }

    // The Mozilla roots do not know the test CA: the handshake fails, ALIPAY_STORE_ERROR.
    const untrusted = thrown(() => Registry.open(withParam(url, unknownCa)))
    assert.equal(untrusted.code, 'ALIPAY_STORE_ERROR')
    assert.match(untrusted.reason, /TLS handshake/)
    assertHides(untrusted, [secret])

    // Parameters out of range, unknown or unreadable: ALIPAY_CONFIG_ERROR, before any connection.
    const bad = ['pool_max_size=0', 'pool_max_size=1001', 'pool_timeout=0', 'connect_timeout=abc', 'frobnicate=1']
    bad.push(server === 'postgres' ? 'sslrootcert=/nonexistent/ca.pem&sslmode=verify-full' : 'ssl-ca=/nonexistent/ca.pem&ssl-mode=VERIFY_CA')
    for (const parameter of bad) {
      const error = thrown(() => Registry.open(withParam(url, parameter)))
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', parameter)
      assertHides(error, [secret])
    }
  },
  SERVERS,
)

/** How many connections other than the asking one are open to the database of `url`. */
function connections(server, url) {
  const sql =
    server === 'postgres'
      ? 'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'
      : 'SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()'
  return Number(queryValue(server, url, sql))
}

eachStore(
  'an open registry holds at most pool_max_size connections; close() releases them',
  async (server) => {
    const url = newDatabase(server)
    const registry = Registry.open(withParam(url, 'pool_max_size=3'))
    // 24 concurrent reads (on the libuv pool) through three connections.
    const reads = await Promise.all(Array.from({ length: 24 }, (_, i) => rejection(registry.tokenFor(`20210000000${String(i).padStart(5, '0')}`))))
    assert.ok(reads.every((error) => error.code === 'ALIPAY_STORE_ERROR'))
    const open = connections(server, url)
    assert.ok(open >= 1 && open <= 3, `${open} connections`)
    // The control: idle, the pool keeps them.
    await sleep(300)
    assert.ok(connections(server, url) >= 1)
    registry.close()
    const deadline = Date.now() + 5_000
    while (connections(server, url) > 0 && Date.now() < deadline) await sleep(50)
    assert.equal(connections(server, url), 0, 'a closed registry left connections open')
  },
  SERVERS,
)
