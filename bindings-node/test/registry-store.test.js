'use strict'
// The registry's SQLite file and its secrets: records survive close and reopen; with a TokenKey the
// token bytes never appear in the file (they do without one), a wrong or missing key is
// ALIPAY_STORE_ERROR; a garbage file at the path is ALIPAY_STORE_ERROR and left unchanged; toString,
// util.inspect and JSON.stringify of records, registry and key show no token or key.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const util = require('node:util')

const { Registry, TokenKey, MerchantAuthorisation, generateTokenKey } = require('..')
const { startEmulator, rejection, thrown } = require('./flow-helpers')
const { tempDir, authorise, fileBytes } = require('./registry-helpers')

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

/** Every secret the file must not hold in clear when encrypted. */
const secrets = () => tokens.flatMap((token) => [token.appAuthToken, token.appRefreshToken])

test('records survive closing and reopening the file', async () => {
  const file = dbPath('persist.db')
  const first = Registry.open(file, { client })
  assert.deepEqual(first.ingestTokens(tokens), ['applied', 'applied'])
  first.revoke(tokens[1].authAppId)
  const before = tokens.map((token) => first.get(token.authAppId))
  first.close()
  assert.equal(first.closed, true)
  assert.equal(thrown(() => first.get(tokens[0].authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => first.tokenFor(tokens[0].authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  first.close() // again: nothing happens

  const second = Registry.open(file, { client })
  try {
    assert.equal(second.closed, false)
    assert.equal(second.integrityCheck(), 'ok')
    for (const [index, token] of tokens.entries()) {
      const record = second.get(token.authAppId)
      assert.equal(record.appAuthToken, token.appAuthToken)
      assert.equal(record.appRefreshToken, token.appRefreshToken)
      assert.equal(record.merchantPid, token.userId)
      assert.equal(record.status, index === 0 ? 'active' : 'revoked')
      assert.equal(record.version, before[index].version)
      assert.equal(record.expiresAtMs, before[index].expiresAtMs)
    }
    assert.equal(await second.tokenFor(tokens[0].authAppId), tokens[0].appAuthToken)
    assert.equal((await second.executeFor(tokens[0].authAppId, 'alipay.open.mini.version.list.query')).fields.code, '10000')
    // Ingesting the same exchange again re-authorises (a newer answer replaces the older one).
    assert.deepEqual(second.ingestTokens([tokens[1]]), ['applied'])
    assert.equal(second.get(tokens[1].authAppId).status, 'active')
  } finally {
    second.close()
  }
})

test('list() returns every record, SQLite and in memory', () => {
  const file = Registry.open(dbPath('list.db'))
  const memory = Registry.inMemory()
  try {
    for (const registry of [file, memory]) {
      registry.ingestTokens(tokens)
      const listed = registry.list()
      assert.deepEqual(listed.map((record) => record.authAppId), tokens.map((t) => t.authAppId).sort())
      assert.ok(listed.every((record) => record instanceof MerchantAuthorisation))
    }
  } finally {
    file.close()
  }
})

test('without a key the tokens are in the file; with a TokenKey they are not', () => {
  const clear = dbPath('clear.db')
  const plain = Registry.open(clear)
  plain.ingestTokens(tokens)
  plain.close()
  const clearBytes = fileBytes(clear)
  // The control: the check below can fail.
  assert.ok(secrets().every((secret) => clearBytes.includes(secret)))

  const key = generateTokenKey()
  assert.match(key, /^[A-Za-z0-9+/]{43}=$/)
  for (const [name, tokenKey] of [
    ['sealed-text.db', key],
    ['sealed-object.db', TokenKey.fromBase64(key)],
    ['sealed-bytes.db', TokenKey.fromBytes(Buffer.from(key, 'base64'))],
  ]) {
    const file = dbPath(name)
    const sealed = Registry.open(file, { tokenKey })
    assert.deepEqual(sealed.ingestTokens(tokens), ['applied', 'applied'])
    assert.match(String(sealed), /tokens encrypted/)
    sealed.close()
    const bytes = fileBytes(file)
    assert.ok(bytes.length > 0)
    for (const secret of secrets()) assert.ok(!bytes.includes(secret), `${name} holds a token in clear`)
    assert.ok(!bytes.includes(key))
    // The merchant's ids stay readable (they are not secret).
    assert.ok(bytes.includes(tokens[0].authAppId))

    // The same key (in any form) reads it back.
    const reopened = Registry.open(file, { tokenKey: TokenKey.fromBase64(key) })
    assert.equal(reopened.get(tokens[0].authAppId).appAuthToken, tokens[0].appAuthToken)
    reopened.close()
  }

  // A wrong key, or none, for an encrypted file: ALIPAY_STORE_ERROR; a key for a clear file too.
  const file = dbPath('sealed-text.db')
  for (const options of [{ tokenKey: generateTokenKey() }, {}, undefined]) {
    const error = thrown(() => Registry.open(file, options))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR', String(error.reason))
    assert.equal(error.kind, 'store')
    assert.ok(!error.message.includes(key))
  }
  assert.equal(thrown(() => Registry.open(clear, { tokenKey: key })).code, 'ALIPAY_STORE_ERROR')
})

test('a garbage file at the path is ALIPAY_STORE_ERROR and is left unchanged', () => {
  for (const [name, content] of [
    ['garbage.db', Buffer.from('this is not a database\n'.repeat(200))],
    ['binary.db', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256))],
    // A SQLite header followed by garbage: a corrupt database.
    ['corrupt.db', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xa5)])],
  ]) {
    const file = dbPath(name)
    fs.writeFileSync(file, content)
    const error = thrown(() => Registry.open(file))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR', `${name}: ${error.message}`)
    assert.ok(error.reason.length > 0)
    assert.deepEqual(fs.readFileSync(file), content, `${name} was modified`)
    assert.ok(!fs.existsSync(`${file}-wal`), `${name}: a WAL was created`)
  }
  // An empty file is a new database: it is accepted and initialised.
  const emptyFile = dbPath('empty.db')
  fs.writeFileSync(emptyFile, '')
  const empty = Registry.open(emptyFile)
  assert.equal(empty.integrityCheck(), 'ok')
  empty.close()
  // A directory at the path.
  assert.equal(thrown(() => Registry.open(temp.dir)).code, 'ALIPAY_STORE_ERROR')
})

test('no token or key in toString, util.inspect or JSON of records, registry and key', () => {
  const key = generateTokenKey()
  const registry = Registry.open(dbPath('secrets.db'), { client, tokenKey: key, refreshMarginMs: 120_000 })
  try {
    registry.ingestTokens(tokens)
    const memory = Registry.inMemory()
    memory.ingestTokens(tokens)
    const record = registry.get(tokens[0].authAppId)
    const shown = [
      String(record),
      util.inspect(record),
      JSON.stringify(record),
      String(registry),
      util.inspect(registry),
      String(memory.list()),
      util.inspect(memory.list()),
      util.inspect(registry.byMerchant(tokens[0].userId)),
      String(TokenKey.fromBase64(key)),
      util.inspect(TokenKey.fromBase64(key)),
    ]
    for (const text of shown) {
      for (const secret of [...secrets(), key, key.slice(0, 20)]) assert.ok(!text.includes(secret), text)
    }
    assert.ok(String(record).includes(tokens[0].authAppId))
    assert.match(String(record), /app_auth_token: "[^"]{0,8}…\(\d+ chars\)"/)
    assert.equal(String(TokenKey.fromBase64(key)), 'TokenKey(AES-256-GCM, redacted)')
    assert.match(String(registry), /^Registry\(sqlite .*secrets\.db, tokens encrypted, client 2021000000000001, refresh margin 120 s\)$/)
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
  const unknown = await rejection(Registry.inMemory().tokenFor('2021000000000000'))
  assert.equal(unknown.code, 'ALIPAY_STORE_ERROR')
})
