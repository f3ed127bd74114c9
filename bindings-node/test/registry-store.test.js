'use strict'
// The registry's store and its secrets, on each store (SQLite, PostgreSQL, MySQL): records survive close
// and reopen; with a TokenKey the token bytes are nowhere at rest (the SQLite file, a dump of the database),
// while without one they are; a wrong or missing key is ALIPAY_STORE_ERROR; toString, util.inspect and JSON
// of records, registry and key show no token, key or database password. SQLite only: a garbage file at the
// path is ALIPAY_STORE_ERROR and left unchanged, and the paths and `sqlite:` forms a SQLite file opens by.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const util = require('node:util')

const { Registry, TokenKey, MerchantAuthorisation, generateTokenKey } = require('..')
const { startEmulator, rejection, thrown } = require('./flow-helpers')
const { STORES, tempDir, freshLocation, eachStore, authorise, storedBytes, holds, passwordOf } = require('./registry-helpers')

let emulator
let client
let temp
let tokens

before(async () => {
  ;({ emulator, client } = startEmulator())
  temp = tempDir()
  tokens = [...(await authorise(emulator, client)), ...(await authorise(emulator, client))]
})

after(() => {
  emulator.stop()
  temp.remove()
})

const dbPath = (name) => path.join(temp.dir, name)
const fresh = (store, name) => freshLocation(store, temp.dir, name)

/** Every secret the store must not hold in clear when encrypted. */
const secrets = () => tokens.flatMap((token) => [token.appAuthToken, token.appRefreshToken])

/** What `toString()` shows of a registry on `store` at `location` (never the password). */
function placeShown(store, location) {
  if (store === 'sqlite') return `sqlite ${location}`
  const url = new URL(location)
  return `${url.protocol}//${url.username}@${url.host}${url.pathname}`
}

eachStore('records survive closing and reopening', async (store) => {
  const location = fresh(store, 'persist.db')
  const first = Registry.open(location, { client })
  assert.deepEqual(await first.ingestTokens(tokens), ['applied', 'applied'])
  await first.revoke(tokens[1].authAppId)
  const before = await Promise.all(tokens.map((token) => first.get(token.authAppId)))
  first.close()
  assert.equal(first.closed, true)
  // A closed registry throws at the call, the async forms as their twins.
  assert.equal(thrown(() => first.get(tokens[0].authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => first.getSync(tokens[0].authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => first.tokenFor(tokens[0].authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  first.close() // again: nothing happens

  const second = Registry.open(location, { client })
  try {
    assert.equal(second.closed, false)
    if (store === 'sqlite') assert.equal(await second.integrityCheck(), 'ok')
    else assert.equal(thrown(() => second.integrityCheck()).code, 'ALIPAY_CONFIG_ERROR')
    for (const [index, token] of tokens.entries()) {
      const record = await second.get(token.authAppId)
      assert.equal(record.appAuthToken, token.appAuthToken)
      assert.equal(record.appRefreshToken, token.appRefreshToken)
      assert.equal(record.merchantPid, token.userId)
      assert.equal(record.status, index === 0 ? 'active' : 'revoked')
      assert.equal(record.version, before[index].version)
      assert.equal(record.expiresAtMs, before[index].expiresAtMs)
      assert.equal(record.authorisedAtMs, before[index].authorisedAtMs)
      assert.equal(record.revokedAtMs, before[index].revokedAtMs)
    }
    assert.equal(await second.tokenFor(tokens[0].authAppId), tokens[0].appAuthToken)
    assert.equal((await second.executeFor(tokens[0].authAppId, 'alipay.open.mini.version.list.query')).fields.code, '10000')
    // Ingesting the same exchange again re-authorises (a newer answer replaces the older one).
    assert.deepEqual(await second.ingestTokens([tokens[1]]), ['applied'])
    assert.equal((await second.get(tokens[1].authAppId)).status, 'active')
  } finally {
    second.close()
  }
})

eachStore(
  'list() returns every record',
  async (store) => {
    const registry = Registry.open(fresh(store, 'list.db'))
    try {
      assert.deepEqual(await registry.list(), [])
      assert.deepEqual(registry.listSync(), [])
      await registry.ingestTokens(tokens)
      const listed = await registry.list()
      assert.deepEqual(listed.map((record) => record.authAppId), tokens.map((t) => t.authAppId).sort())
      assert.ok(listed.every((record) => record instanceof MerchantAuthorisation))
      assert.deepEqual(registry.listSync().map((record) => record.authAppId), listed.map((record) => record.authAppId))
      assert.deepEqual((await registry.byMerchant(tokens[0].userId)).map((record) => record.authAppId), [tokens[0].authAppId])
      assert.deepEqual(registry.byMerchantSync(tokens[0].userId).map((record) => record.authAppId), [tokens[0].authAppId])
    } finally {
      registry.close()
    }
  },
  [...STORES, 'memory'],
)

test('Registry.inMemory() and Registry.open("memory:") keep their records in memory', async () => {
  for (const registry of [Registry.inMemory(), Registry.open('memory:'), Registry.open('memory:', { tokenKey: generateTokenKey() })]) {
    await registry.ingestTokens(tokens)
    assert.equal((await registry.list()).length, 2)
    assert.match(String(registry), /^Registry\(in memory, no client, refresh margin 600 s\)$/)
    assert.equal(thrown(() => registry.integrityCheck()).code, 'ALIPAY_CONFIG_ERROR')
  }
  // Two of them share nothing.
  assert.deepEqual(await Registry.open('memory:').list(), [])
})

eachStore('without a key the tokens are stored in clear; with a TokenKey they are not', async (store) => {
  const clear = fresh(store, 'clear.db')
  const plain = Registry.open(clear)
  await plain.ingestTokens(tokens)
  plain.close()
  const clearBytes = storedBytes(store, clear)
  // The control: the check below can fail.
  for (const secret of secrets()) assert.ok(holds(clearBytes, secret), 'a token stored without a key is in clear')

  const key = generateTokenKey()
  assert.match(key, /^[A-Za-z0-9+/]{43}=$/)
  const sealedLocations = []
  for (const [name, tokenKey] of [
    ['sealed-text.db', key],
    ['sealed-object.db', TokenKey.fromBase64(key)],
    ['sealed-bytes.db', TokenKey.fromBytes(Buffer.from(key, 'base64'))],
  ]) {
    const location = fresh(store, name)
    sealedLocations.push(location)
    const sealed = Registry.open(location, { tokenKey })
    assert.deepEqual(await sealed.ingestTokens(tokens), ['applied', 'applied'])
    assert.match(String(sealed), /tokens encrypted/)
    sealed.close()
    const bytes = storedBytes(store, location)
    assert.ok(bytes.length > 0)
    for (const secret of secrets()) assert.ok(!holds(bytes, secret), `${name}: a token is stored in clear`)
    assert.ok(!holds(bytes, key))
    // The merchant's ids stay readable (they are not secret).
    assert.ok(holds(bytes, tokens[0].authAppId))

    // The same key (in any form) reads it back.
    const reopened = Registry.open(location, { tokenKey: TokenKey.fromBase64(key) })
    assert.equal((await reopened.get(tokens[0].authAppId)).appAuthToken, tokens[0].appAuthToken)
    reopened.close()
  }

  // A wrong key, or none, for an encrypted store: ALIPAY_STORE_ERROR; a key for a clear one too.
  for (const options of [{ tokenKey: generateTokenKey() }, {}, undefined]) {
    const error = thrown(() => Registry.open(sealedLocations[0], options))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR', String(error.reason))
    assert.equal(error.kind, 'store')
    assert.ok(!error.message.includes(key))
  }
  assert.equal(thrown(() => Registry.open(clear, { tokenKey: key })).code, 'ALIPAY_STORE_ERROR')
})

test('a garbage file at the path is ALIPAY_STORE_ERROR and is left unchanged [sqlite]', async () => {
  for (const [name, content] of [
    ['garbage.db', Buffer.from('this is not a database\n'.repeat(200))],
    ['binary.db', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256))],
    // A SQLite header followed by garbage: a corrupt database.
    ['corrupt.db', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xa5)])],
  ]) {
    const file = dbPath(name)
    fs.writeFileSync(file, content)
    for (const location of [file, `sqlite://${file}`]) {
      const error = thrown(() => Registry.open(location))
      assert.equal(error.code, 'ALIPAY_STORE_ERROR', `${name}: ${error.message}`)
      assert.ok(error.reason.length > 0)
    }
    assert.deepEqual(fs.readFileSync(file), content, `${name} was modified`)
    assert.ok(!fs.existsSync(`${file}-wal`), `${name}: a WAL was created`)
  }
  // An empty file is a new database: it is accepted and initialised.
  const emptyFile = dbPath('empty.db')
  fs.writeFileSync(emptyFile, '')
  const empty = Registry.open(emptyFile)
  assert.equal(await empty.integrityCheck(), 'ok')
  assert.equal(empty.integrityCheckSync(), 'ok')
  empty.close()
  // A directory at the path.
  assert.equal(thrown(() => Registry.open(temp.dir)).code, 'ALIPAY_STORE_ERROR')
})

test('a SQLite file opens by its path, sqlite:///absolute and sqlite:relative, the same records [sqlite]', async () => {
  const file = dbPath('forms.db')
  const byPath = Registry.open(file)
  await byPath.ingestTokens(tokens)
  byPath.close()
  const relative = path.relative(process.cwd(), file)
  for (const location of [`sqlite://${file}`, `sqlite:${relative}`, relative]) {
    const registry = Registry.open(location)
    try {
      assert.equal((await registry.get(tokens[0].authAppId)).appAuthToken, tokens[0].appAuthToken)
      assert.equal(await registry.integrityCheck(), 'ok')
      // toString shows the path the store opened.
      assert.ok(String(registry).startsWith(`Registry(sqlite ${location.replace(/^sqlite:(\/\/)?/, '')}, `), String(registry))
    } finally {
      registry.close()
    }
  }
  // No file named, or a scheme no store has: ALIPAY_CONFIG_ERROR, nothing created.
  for (const location of ['', 'sqlite://', 'sqlite:', 'redis://127.0.0.1/0', 'file://x']) {
    const error = thrown(() => Registry.open(location))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${location}: ${error.message}`)
  }
})

eachStore('no token, key or password in toString, util.inspect or JSON of records, registry and key', async (store) => {
  const key = generateTokenKey()
  const location = fresh(store, 'secrets.db')
  const registry = Registry.open(location, { client, tokenKey: key, refreshMarginMs: 120_000 })
  try {
    await registry.ingestTokens(tokens)
    const memory = Registry.inMemory()
    memory.ingestTokensSync(tokens)
    const record = await registry.get(tokens[0].authAppId)
    const shown = [
      String(record),
      util.inspect(record),
      JSON.stringify(record),
      String(registry),
      util.inspect(registry),
      util.inspect(await registry.list()),
      String(await memory.list()),
      util.inspect(memory.listSync()),
      util.inspect(await registry.byMerchant(tokens[0].userId)),
      String(TokenKey.fromBase64(key)),
      util.inspect(TokenKey.fromBase64(key)),
    ]
    const hidden = [...secrets(), key, key.slice(0, 20)]
    if (store !== 'sqlite') hidden.push(passwordOf(location))
    for (const text of shown) {
      for (const secret of hidden) assert.ok(!text.includes(secret), 'a secret is shown')
    }
    assert.ok(String(record).includes(tokens[0].authAppId))
    assert.match(String(record), /app_auth_token: "[^"]{0,8}…\(\d+ chars\)"/)
    assert.equal(String(TokenKey.fromBase64(key)), 'TokenKey(AES-256-GCM, redacted)')
    assert.equal(
      String(registry),
      `Registry(${placeShown(store, location)}, tokens encrypted, client 2021000000000001, refresh margin 120 s)`,
    )
    assert.equal(util.inspect(registry), String(registry))
    assert.match(String(Registry.inMemory()), /^Registry\(in memory, no client, refresh margin 600 s\)$/)
    // The getters do give the tokens (to be stored or used, never logged).
    assert.equal(record.appAuthToken, tokens[0].appAuthToken)
  } finally {
    registry.close()
  }
  assert.match(String(registry), /closed$/)
})

test('bad options and keys are ALIPAY_CONFIG_ERROR', async () => {
  for (const text of ['', 'not base64!', Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64')]) {
    assert.equal(thrown(() => TokenKey.fromBase64(text)).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(thrown(() => Registry.open(dbPath('never.db'), { tokenKey: text })).code, 'ALIPAY_CONFIG_ERROR')
    // Refused before any connection: the server need not exist.
    assert.equal(thrown(() => Registry.open('postgres://isv:secret@127.0.0.1:1/registry', { tokenKey: text })).code, 'ALIPAY_CONFIG_ERROR')
  }
  assert.ok(!fs.existsSync(dbPath('never.db')))
  assert.equal(thrown(() => TokenKey.fromBytes(Buffer.alloc(31))).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => Registry.inMemory({ tokenKey: generateTokenKey() })).code, 'ALIPAY_CONFIG_ERROR')
  for (const refreshMarginMs of [-1, Number.NaN, Infinity]) {
    assert.equal(thrown(() => Registry.inMemory({ refreshMarginMs })).code, 'ALIPAY_CONFIG_ERROR')
  }
  assert.equal(thrown(() => Registry.inMemory().integrityCheck()).code, 'ALIPAY_CONFIG_ERROR')
  // Not an AppAuthToken: a TypeError from the argument conversion.
  assert.throws(() => Registry.inMemory().ingestTokens([{ appAuthToken: 'x', authAppId: '1' }]))
  assert.throws(() => Registry.inMemory().ingestTokensSync([{ appAuthToken: 'x', authAppId: '1' }]))
  const unknown = await rejection(Registry.inMemory().tokenFor('2021000000000000'))
  assert.equal(unknown.code, 'ALIPAY_STORE_ERROR')
})
