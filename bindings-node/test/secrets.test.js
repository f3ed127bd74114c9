'use strict'
// Secrets (issue 8, item 4): test/secrets-worker.js drives the whole flow in a child process (a
// generated app key; emulator: authorise, exchange, registry ingest, the push, user consent, user
// token, user_info_share, refresh, delegated and encrypted calls, revocation) and provokes failures
// (wrong state, used codes, spent refresh tokens, faults, tampered and forged bodies, bad key text
// with a marker, a proxy with a password, a revoked merchant, a closed registry). This file then
// searches every error text, every toString / util.inspect / template string of every object the
// worker touched, the console and process.stdout / stderr output it captured in-process, and the raw
// stdout / stderr of the child (anything native code wrote included) for every token, code, key and
// marker: none may appear, not even a 12-character piece of one (masked prefixes of at most 4
// characters + "…" are fine).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFile } = require('node:child_process')

/** Runs the worker; resolves to its report and its raw output. */
function runWorker() {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-secrets-report-')), 'report.json')
  return new Promise((resolve, reject) => {
    const env = { ...process.env, SECRETS_REPORT: report, RUST_BACKTRACE: 'full', RUST_LOG: 'trace' }
    const script = path.join(__dirname, 'secrets-worker.js')
    execFile(process.execPath, [script], { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`the worker failed: ${error.message}\n${stderr.slice(-4000)}`))
      const parsed = JSON.parse(fs.readFileSync(report, 'utf8'))
      fs.rmSync(path.dirname(report), { recursive: true, force: true })
      resolve({ ...parsed, stdout, stderr })
    })
  })
}

/**
 * The needles of a secret: the whole value and every 12-character piece of it (stepping by 4),
 * except for private-key text, where the pieces come from the private part only (the modulus and
 * public exponent at the front are public), and for the Base64 armour-free lines of a PEM.
 */
function needles({ name, value }) {
  const out = new Set([value])
  if (name.startsWith('private key')) {
    const body = value.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
    // PKCS#1: version, n (256 bytes), e; then d, p, q, dp, dq, qinv. PKCS#8 adds ~26 bytes in front.
    for (let start = 440; start + 24 <= body.length; start += 12) out.add(body.slice(start, start + 24))
    for (const line of value.split('\n')) if (line.length >= 40 && !line.startsWith('-----')) out.add(line)
  } else if (value.length > 12) {
    for (let start = 0; start + 12 <= value.length; start += 4) out.add(value.slice(start, start + 12))
  }
  return [...out]
}

/** A secret shown in a failure message: its first 4 characters only. */
const masked = (value) => `${value.slice(0, 4)}…(${value.length})`

/** Token-shaped values (16+ characters) after the names Alipay gives them, in JSON or form text. */
const TOKEN_FIELD = /(app_auth_token|app_refresh_token|access_token|refresh_token|auth_code|app_auth_code)("?\s*[:=]\s*"?)([A-Za-z0-9]{16,})/

test('no token, code, key or marker in any error, string form or output of the whole flow', async () => {
  const report = await runWorker()
  const { secrets, texts, errors, touched, captured } = report

  // The worker did what it says: enough secrets, errors of several kinds, objects and output.
  const names = new Set(secrets.map((s) => s.name))
  for (const name of [
    'private key pkcs8 PEM',
    'private key pkcs1 Base64',
    'app_auth_code',
    'app_auth_token',
    'app_refresh_token',
    'user auth_code',
    'access_token',
    'user refresh_token',
    'refreshed app_auth_token',
    'refreshed app_refresh_token',
    'AES key',
    'token key',
    'proxy password',
    'bad key marker',
  ]) {
    assert.ok(names.has(name), `no secret named ${name}`)
  }
  for (const { name, value } of secrets) assert.ok(value.length >= 12, `${name} is too short to search for`)
  const codes = new Set(errors.map((e) => e.code))
  for (const code of ['ALIPAY_CONFIG_ERROR', 'ALIPAY_SIGNATURE_ERROR', 'ALIPAY_API_ERROR', 'ALIPAY_TRANSPORT_ERROR', 'ALIPAY_PROTOCOL_ERROR', 'ALIPAY_STORE_ERROR']) {
    assert.ok(codes.has(code), `no ${code} among ${[...codes]}`)
  }
  assert.ok(errors.length >= 35, `${errors.length} errors`)
  for (const name of ['config', 'client', 'registry', 'record', 'appAuthToken', 'userToken', 'appAuthCallback', 'userAuthCallback', 'appAuthNotification', 'emulator', 'privateKey', 'tokenKey', 'signedRequest']) {
    assert.ok(touched.includes(name), `${name} not touched`)
  }
  assert.ok(captured.length > touched.length, 'the console output was captured')

  const haystacks = [
    ...texts,
    { where: 'captured console / process output', text: captured.join('\n') },
    { where: 'child stdout', text: report.stdout },
    { where: 'child stderr', text: report.stderr },
  ]
  const leaks = []
  for (const item of secrets) {
    const pieces = needles(item)
    for (const { where, text } of haystacks) {
      if (pieces.some((piece) => text.includes(piece))) leaks.push(`${item.name} ${masked(item.value)} in ${where}`)
    }
  }
  for (const { where, text } of haystacks) {
    const match = TOKEN_FIELD.exec(text)
    if (match) leaks.push(`a ${match[1]} value ${masked(match[3])} in ${where}`)
  }
  assert.deepEqual(leaks, [], `secrets shown:\n${leaks.join('\n')}`)
  // Masking shows a short prefix, never more.
  const mask = captured.join('\n').match(/[A-Za-z0-9]+…/g) || []
  for (const prefix of mask) assert.ok(prefix.length <= 5, `masked prefix ${prefix}`)
})
