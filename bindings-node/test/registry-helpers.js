'use strict'
// Shared by the registry test files (not a test itself): a temporary directory per test file, a
// merchant authorising the test app at the emulator, and the bytes of a SQLite file with its WAL.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { appAuthLink, parseAppAuthCallback } = require('..')
const { APP_ID, REDIRECT_URI } = require('./flow-helpers')

const TOKEN_METHOD = 'alipay.open.auth.token.app'
const VERSIONS = 'alipay.open.mini.version.list.query'

/** A fresh temporary directory, and a function that removes it. */
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-registry-'))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
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

module.exports = { TOKEN_METHOD, VERSIONS, tempDir, authorise, fileBytes, sleep }
