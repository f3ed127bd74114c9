'use strict'
// Shared by the registry test files (not a test itself): the stores the registry tests run on, a fresh
// registry location on each (a SQLite file in a temporary directory, a fresh PostgreSQL or MySQL database
// from scripts/services/<name>.sh newdb), what a store keeps at rest, a merchant authorising the test app
// at the emulator, and the bytes of a SQLite file with its WAL.
//
// The PostgreSQL and MySQL tests need the test servers: scripts/test-node.sh starts them and exports
// ALIPAY_ISV_TEST_POSTGRES_URL / ALIPAY_ISV_TEST_MYSQL_URL (and their CAs) from
// ${ALIPAY_ISV_SERVICES_ROOT:-target/services}/<name>/env. Without them those tests fail, saying so — never
// a silent skip. Every test gets a database of its own, so the tests of one file never see each other's
// records, whatever order they run in. A URL holds the database password: it is never put into a test
// name, an assertion message or the output.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')
const { execFileSync } = require('node:child_process')
const { appAuthLink, parseAppAuthCallback } = require('..')
const { APP_ID, REDIRECT_URI } = require('./flow-helpers')

const TOKEN_METHOD = 'alipay.open.auth.token.app'
const VERSIONS = 'alipay.open.mini.version.list.query'

const REPO = path.resolve(__dirname, '..', '..')

/** The stores every registry test about storing runs on. */
const STORES = ['sqlite', 'postgres', 'mysql']
/** The two database servers. */
const SERVERS = ['postgres', 'mysql']

/** The test servers: their environment variables and what they are. */
const SERVICES = {
  postgres: { prefix: 'ALIPAY_ISV_TEST_POSTGRES', product: 'PostgreSQL' },
  mysql: { prefix: 'ALIPAY_ISV_TEST_MYSQL', product: 'MySQL (MariaDB)' },
}

/** The value of the test server's variable `<prefix>_<suffix>`; throws, naming the script, when unset. */
function serviceEnv(server, suffix) {
  const { prefix, product } = SERVICES[server]
  const name = `${prefix}_${suffix}`
  const value = process.env[name]
  if (!value) {
    throw new Error(
      `${name} is not set: the ${server} registry tests need a ${product} server. Start one with ` +
        `\`scripts/services/${server}.sh start\` and source ` +
        `\${ALIPAY_ISV_SERVICES_ROOT:-target/services}/${server}/env (the URL and the CA of its TLS ` +
        'certificate); scripts/test-node.sh does both',
    )
  }
  return value
}

/** The URL of the test server's own database (for tests that only connect, or spoil a login). */
const serverUrl = (server) => serviceEnv(server, 'URL')

/** The CA file of the test server's TLS certificate. */
const serverCa = (server) => serviceEnv(server, 'CA')

/** A fresh, empty database in the running test server of `server`: its URL. */
function newDatabase(server) {
  serverUrl(server)
  const script = path.join(REPO, 'scripts', 'services', `${server}.sh`)
  const url = execFileSync(script, ['newdb'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim()
  if (!url.startsWith(`${server}://`)) throw new Error(`scripts/services/${server}.sh newdb printed no ${server}:// URL`)
  return url
}

/** A fresh temporary directory, and a function that removes it. */
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-registry-'))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Where a fresh, empty registry on `store` lives: a new file `name` in the directory `dir` (sqlite), a
 * new database (postgres, mysql), or `memory:`.
 */
function freshLocation(store, dir, name = 'registry.db') {
  switch (store) {
    case 'sqlite':
      return path.join(dir, `${path.parse(name).name}-${Math.random().toString(16).slice(2, 8)}.db`)
    case 'memory':
      return 'memory:'
    default:
      return newDatabase(store)
  }
}

/**
 * Registers `name [store]` once for each of `stores` (by default the three durable ones), running
 * `fn(store)`. Tests run one after the other (the file's emulator counts calls).
 */
function eachStore(name, fn, stores = STORES) {
  for (const store of stores) test(`${name} [${store}]`, () => fn(store))
}

/** A copy of `url` with `parameter` (`name=value`) added to its query. */
function withParam(url, parameter) {
  return `${url}${url.includes('?') ? '&' : '?'}${parameter}`
}

/** The password of a database URL, decoded. */
const passwordOf = (url) => decodeURIComponent(new URL(url).password)

/**
 * Every byte `store` keeps of the registry at `location`: the SQLite file with its WAL, or a data dump of
 * the database (pg_dump, mariadb-dump; bytea columns come out as hex, so look for both forms).
 */
function storedBytes(store, location) {
  if (store === 'sqlite') return fileBytes(location)
  const url = new URL(location)
  const [host, port, user, database] = [url.hostname, url.port, decodeURIComponent(url.username), url.pathname.slice(1)]
  // The password goes through the environment, never the command line.
  if (store === 'postgres') {
    const env = { ...process.env, PGPASSWORD: passwordOf(location) }
    return execFileSync('pg_dump', ['--data-only', '-h', host, '-p', port, '-U', user, '-d', database], { env, maxBuffer: 64 << 20 })
  }
  const env = { ...process.env, MYSQL_PWD: passwordOf(location) }
  return execFileSync('mariadb-dump', ['--no-defaults', '--skip-ssl', '-h', host, '-P', port, '-u', user, database], {
    env,
    maxBuffer: 64 << 20,
  })
}

/** The answer (one value) of the query `sql`, run with the server's own client in the database of `url`. */
function queryValue(server, url, sql) {
  const parsed = new URL(url)
  const [host, port, user, database] = [parsed.hostname, parsed.port, decodeURIComponent(parsed.username), parsed.pathname.slice(1)]
  if (server === 'postgres') {
    const env = { ...process.env, PGPASSWORD: passwordOf(url) }
    return execFileSync('psql', ['-X', '-q', '-t', '-A', '-h', host, '-p', port, '-U', user, '-d', database, '-c', sql], { env, encoding: 'utf8' }).trim()
  }
  const env = { ...process.env, MYSQL_PWD: passwordOf(url) }
  return execFileSync('mariadb', ['--no-defaults', '--skip-ssl', '-N', '-B', '-h', host, '-P', port, '-u', user, '-D', database, '-e', sql], {
    env,
    encoding: 'utf8',
  }).trim()
}

/** Whether `bytes` hold `text`, as it is or hex-encoded (a PostgreSQL bytea in a dump). */
function holds(bytes, text) {
  return bytes.includes(text) || bytes.includes(Buffer.from(text).toString('hex'))
}

/** A merchant authorises the test app at the emulator; resolves to the exchanged tokens. */
async function authorise(emulator, client) {
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  const callbackUrl = await emulator.merchantAuthorizes(link.url)
  const callback = parseAppAuthCallback(callbackUrl, APP_ID, { state: link.state })
  return client.exchangeAppAuthCode(callback.appAuthCode)
}

/** The bytes of the database file at `file` and of its `-wal` / `-shm` companions, if any. */
function fileBytes(file) {
  return Buffer.concat(
    ['', '-wal', '-shm']
      .map((suffix) => `${file}${suffix}`)
      .filter((name) => fs.existsSync(name))
      .map((name) => fs.readFileSync(name)),
  )
}

/** Resolves after `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

module.exports = {
  TOKEN_METHOD,
  VERSIONS,
  STORES,
  SERVERS,
  serverUrl,
  serverCa,
  newDatabase,
  tempDir,
  freshLocation,
  eachStore,
  withParam,
  passwordOf,
  storedBytes,
  queryValue,
  holds,
  authorise,
  fileBytes,
  sleep,
}
