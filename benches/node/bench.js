'use strict'
// The Node.js benchmark of issue 7: our binding (alipay-isv, release build) against the official SDK
// (npm `alipay-sdk`, pinned in package.json) and raw `node:crypto` with cached `KeyObject`s, in the same
// run, interleaved (short slices alternating the implementations, several rounds, medians).
//
// Run it through run.sh, which builds the binding in release mode into a temporary folder and installs
// the peers into ./node_modules; it passes that folder as ALIPAY_ISV_NODE_DIR.
//
// Knobs (environment): BENCH_SECONDS (one slice, default 1), BENCH_ROUNDS (default 6); the multi-core
// phase runs two thirds as many rounds. BENCH_COMMAND is echoed as "the command".

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')

const KEYS = path.join(__dirname, '..', '..', 'tests', 'vectors', 'keys')
const readKey = (name) => fs.readFileSync(path.join(KEYS, name), 'utf8')

const APP_ID = '2021000000000001'
const METHOD = 'alipay.trade.create'
const QUERY_METHOD = 'alipay.trade.query'
const NOTIFY_URL = 'https://isv.example.com/alipay/notify?channel=app&v=2'
const APP_AUTH_TOKEN = '202611BBa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5'
/** `biz_content` of the request: ~280 bytes of JSON, so the canonical content is ~600 bytes. */
const BIZ = {
  out_trade_no: '20261121000000000001',
  total_amount: '88.88',
  subject: 'Gift box A+B, 2 items (year-end promotion)',
  product_code: 'FACE_TO_FACE_PAYMENT',
  buyer_id: '2088102000000001',
  seller_id: '2088102000000002',
  goods_detail: [{ goods_id: 'apple-01', goods_name: 'Apple', quantity: 2, price: '44.44' }],
  extend_params: { sys_service_provider_id: '2088511833207846' },
}

/** Formats now as `yyyy-MM-dd HH:mm:ss` in China time (UTC+8), as a hand-written client would. */
function chinaNow() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/** The canonical content, hand-written: every parameter but `sign`, non-empty, sorted, `k=v&…`. */
function jsSignContent(params) {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== '' && params[key] != null)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&')
}

/** The ten request parameters of the `signContent` / `signParams` rows (fixed timestamp). */
function requestParams(timestamp) {
  return {
    app_id: APP_ID,
    method: METHOD,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp,
    version: '1.0',
    notify_url: NOTIFY_URL,
    app_auth_token: APP_AUTH_TOKEN,
    biz_content: JSON.stringify(BIZ),
  }
}

/** A ~2 KB `alipay.trade.query` response body signed with the Alipay private key. */
function responseBody(alipayPrivate) {
  const node = {
    code: '10000',
    msg: 'Success',
    trade_no: '2026112122001401000500000001',
    out_trade_no: '20261121000000000001',
    buyer_logon_id: '159****5620',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '88.88',
    trans_currency: 'CNY',
    settle_currency: 'CNY',
    settle_amount: '88.88',
    pay_currency: 'CNY',
    pay_amount: '88.88',
    settle_trans_rate: '1',
    trans_pay_rate: '1',
    buyer_pay_amount: '88.88',
    point_amount: '0.00',
    invoice_amount: '88.88',
    send_pay_date: '2026-11-21 23:04:05',
    receipt_amount: '88.88',
    store_id: 'NJ_S_001',
    terminal_id: 'NJ_T_001',
    fund_bill_list: [
      { fund_channel: 'ALIPAYACCOUNT', amount: '80.00', real_amount: '80.00' },
      { fund_channel: 'COUPON', amount: '8.88', real_amount: '8.88' },
    ],
    store_name: 'Nanjing Xinjiekou flagship store',
    buyer_user_id: '2088101117955611',
    buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5',
    charge_amount: '0.53',
    charge_flags: 'bluesea_1',
    settlement_id: '2018101610032004620239146945',
    auth_trade_pay_mode: 'CREDIT_PREAUTH_PAY',
    buyer_user_type: 'PRIVATE',
    mdiscount_amount: '0.00',
    discount_amount: '0.00',
    subject: 'Gift box A+B, 2 items (year-end promotion)',
    body: 'Two gift boxes; delivery within 3 days; invoice requested by email',
    alipay_sub_merchant_id: '2088301372182171',
    passback_params: 'merchantBizType%3d3C%26merchantBizNo%3d2016010101111',
    voucher_detail_list: [
      { id: '2015102600073002039000002D5O', name: 'Year-end coupon', type: 'ALIPAY_FIX_VOUCHER', amount: '8.88', merchant_contribute: '0.00', other_contribute: '8.88', memo: '8.88 off any order' },
    ],
    enterprise_pay_info: { is_use_enterprise_pay: 'false', invoice_amount: '0.00', biz_info: '{"agreement_no":"20261121000000001"}' },
  }
  const nodeText = JSON.stringify(node)
  const sign = crypto.sign('sha256', Buffer.from(nodeText), alipayPrivate).toString('base64')
  return `{"alipay_trade_query_response":${nodeText},"sign":"${sign}"}`
}

/** A trade_status_sync notification as form parameters, signed (V1 content) with the Alipay key. */
function notificationParams(alipayPrivate) {
  const params = {
    gmt_create: '2026-11-21 23:04:05',
    charset: 'utf-8',
    seller_email: 'merchant@example.com',
    subject: 'Gift box A+B, 2 items (year-end promotion)',
    buyer_id: '2088102000000001',
    invoice_amount: '88.88',
    notify_id: '2026112100222230405000000001234567',
    fund_bill_list: '[{"amount":"80.00","fundChannel":"ALIPAYACCOUNT"},{"amount":"8.88","fundChannel":"COUPON"}]',
    notify_type: 'trade_status_sync',
    trade_status: 'TRADE_SUCCESS',
    receipt_amount: '88.88',
    app_id: APP_ID,
    buyer_pay_amount: '88.88',
    sign_type: 'RSA2',
    seller_id: '2088102000000002',
    gmt_payment: '2026-11-21 23:04:06',
    notify_time: '2026-11-21 23:04:07',
    version: '1.0',
    out_trade_no: '20261121000000000001',
    total_amount: '88.88',
    trade_no: '2026112122001401000500000001',
    auth_app_id: '2021000000000002',
    buyer_logon_id: '159****5620',
    point_amount: '0.00',
  }
  const { sign_type: _, ...v1 } = params
  return { ...params, sign: crypto.sign('sha256', Buffer.from(jsSignContent(v1)), alipayPrivate).toString('base64') }
}

function fail(message) {
  throw new Error(`self-check failed: ${message}`)
}

/**
 * Builds every implementation of every operation: `impls[op][name]` is a function of no argument doing
 * one operation. Keys are parsed here, once, where the API allows it; the official SDK gets PEM text,
 * as its users give it (it re-parses per call). Also checks each one once, on good and tampered input.
 */
function setup(ourDir) {
  const ours = require(ourDir)
  // The addon really came from ourDir (the release copy), not from bindings-node/.
  const addons = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
  if (addons.length !== 1 || path.dirname(addons[0]) !== path.resolve(ourDir)) fail(`addon loaded from ${addons.join(', ')}`)
  const { AlipaySdk } = require('alipay-sdk')
  const camelcaseKeys = require(require.resolve('camelcase-keys', { paths: [require.resolve('alipay-sdk')] }))

  const appPem = readKey('app_2048_pkcs8.pem')
  const alipayPublicPem = readKey('alipay_2048_public.pem')
  const alipayPrivate = crypto.createPrivateKey(readKey('alipay_2048_pkcs8.pem'))
  const appPrivateKO = crypto.createPrivateKey(appPem)
  const appPublicKO = crypto.createPublicKey(readKey('app_2048_public.pem'))
  const alipayPublicKO = crypto.createPublicKey(alipayPublicPem)

  const body = responseBody(alipayPrivate)
  const notification = notificationParams(alipayPrivate)
  const fixedParams = requestParams('2026-11-21 23:04:05')

  // Ours: keys parsed once into the config / verifiers.
  const config = new ours.IsvConfig({
    appId: APP_ID,
    privateKey: ours.PrivateKey.fromText(appPem),
    alipayPublicKey: ours.PublicKey.fromText(alipayPublicPem),
  })
  const signer = new ours.Signer(ours.PrivateKey.fromText(appPem))
  const responseVerifier = config.responseVerifier()
  const notificationVerifier = config.notificationVerifier()

  // The official SDK, configured as its README says (PEM text; PKCS#8 app key).
  const sdk = new AlipaySdk({ appId: APP_ID, privateKey: appPem, keyType: 'PKCS8', alipayPublicKey: alipayPublicPem })

  const impls = {
    signRequest: {
      ours: () => config.signRequest(METHOD, { bizContent: BIZ, notifyUrl: NOTIFY_URL, appAuthToken: APP_AUTH_TOKEN }).orderString(),
      sdk: () => sdk.sdkExecute(METHOD, { bizContent: BIZ, notifyUrl: NOTIFY_URL, appAuthToken: APP_AUTH_TOKEN, format: 'JSON' }),
      crypto: () => {
        const params = requestParams(chinaNow())
        params.sign = crypto.sign('sha256', Buffer.from(jsSignContent(params)), appPrivateKO).toString('base64')
        return Object.keys(params)
          .map((key) => `${key}=${encodeURIComponent(params[key])}`)
          .join('&')
      },
    },
    signParams: {
      ours: () => signer.signParams(fixedParams).sign,
      crypto: () => crypto.sign('sha256', Buffer.from(jsSignContent(fixedParams)), appPrivateKO).toString('base64'),
    },
    verifyResponse: {
      ours: () => responseVerifier.verify(QUERY_METHOD, body).fields,
      // What `exec(…, { validateSign: true })` does once the HTTP answer is in (its private
      // #formatExecHttpResponse): JSON.parse, the node by key, checkResponseSign on the raw text (which
      // cuts the signed text out and verifies with the PEM text), camelcase-keys on the node.
      sdk: () => {
        const parsed = JSON.parse(body)
        const key = `${QUERY_METHOD.replaceAll('.', '_')}_response`
        const data = parsed[key]
        sdk.checkResponseSign(body, key, parsed.sign)
        return camelcaseKeys(data, { deep: true })
      },
      crypto: () => {
        const parsed = JSON.parse(body)
        const key = `"${QUERY_METHOD.replaceAll('.', '_')}_response":`
        const start = body.indexOf(key) + key.length
        const end = body.lastIndexOf(',"sign":')
        const ok = crypto.verify('sha256', Buffer.from(body.slice(start, end)), alipayPublicKO, Buffer.from(parsed.sign, 'base64'))
        if (!ok) throw new Error('bad response signature')
        return parsed.alipay_trade_query_response
      },
    },
    verifyNotification: {
      ours: () => notificationVerifier.verifyParams(notification),
      sdk: () => {
        if (!sdk.checkNotifySignV2(notification)) throw new Error('bad notification signature')
        return true
      },
      crypto: () => {
        const { sign, sign_type: _, ...v1 } = notification
        if (!crypto.verify('sha256', Buffer.from(jsSignContent(v1)), alipayPublicKO, Buffer.from(sign, 'base64'))) {
          throw new Error('bad notification signature')
        }
        return v1
      },
    },
    ffi: {
      ours: () => ours.signContent(fixedParams),
      crypto: () => jsSignContent(fixedParams),
    },
    // The smallest call there is: a 19-character string in, a number out.
    ffiMin: {
      ours: () => ours.parseChinaTimestamp('2026-11-21 23:04:05'),
    },
  }

  // --- self-checks: every implementation does the real work, and refuses tampered input.
  const canonical = jsSignContent(fixedParams)
  if (ours.signContent(fixedParams) !== canonical) fail('signContent differs from the hand-written canonical content')
  if (canonical.length < 550 || canonical.length > 700) fail(`canonical content is ${canonical.length} bytes, not ~600`)
  if (body.length < 1900 || body.length > 2300) fail(`response body is ${body.length} bytes, not ~2 KB`)
  const checkOrder = (name, text) => {
    const params = Object.fromEntries(new URLSearchParams(text))
    if (Object.keys(params).length < 10) fail(`${name}: only ${Object.keys(params).length} parameters`)
    const content = jsSignContent(params)
    if (content.length < 550) fail(`${name}: canonical content of ${content.length} bytes`)
    if (!crypto.verify('sha256', Buffer.from(content), appPublicKO, Buffer.from(params.sign, 'base64'))) fail(`${name}: signature does not verify`)
  }
  for (const [name, fn] of Object.entries(impls.signRequest)) checkOrder(`signRequest/${name}`, fn())
  for (const [name, fn] of Object.entries(impls.signParams)) {
    if (!crypto.verify('sha256', Buffer.from(canonical), appPublicKO, Buffer.from(fn(), 'base64'))) fail(`signParams/${name}`)
  }
  for (const [name, fn] of Object.entries(impls.verifyResponse)) {
    const fields = fn()
    if (fields.trade_no !== '2026112122001401000500000001' && fields.tradeNo !== '2026112122001401000500000001') fail(`verifyResponse/${name}`)
  }
  if (ours.parseChinaTimestamp('2026-11-21 23:04:05') !== 1795273445) fail('parseChinaTimestamp')
  for (const fn of Object.values(impls.verifyNotification)) fn()
  const notificationKind = notificationVerifier.verifyParams(notification).kind
  if (notificationKind !== 'other') fail(`notification kind ${notificationKind}`)
  // Tampered inputs are refused by all three.
  const tamperedBody = body.replace('"88.88"', '"88.89"')
  const refuses = (fn) => {
    try {
      return fn() === false
    } catch {
      return true
    }
  }
  if (!refuses(() => responseVerifier.verify(QUERY_METHOD, tamperedBody))) fail('ours accepted a tampered response')
  if (!refuses(() => sdk.checkResponseSign(tamperedBody, 'alipay_trade_query_response', JSON.parse(tamperedBody).sign))) fail('sdk accepted a tampered response')
  const tamperedNotification = { ...notification, total_amount: '88.89' }
  if (!refuses(() => notificationVerifier.verifyParams(tamperedNotification))) fail('ours accepted a tampered notification')
  if (!refuses(() => sdk.checkNotifySignV2(tamperedNotification))) fail('sdk accepted a tampered notification')

  return {
    impls,
    fixtures: { ours, config, body, notification, fixedParams },
    sizes: { canonical: canonical.length, body: body.length, notification: jsSignContent(notification).length, notificationParams: Object.keys(notification).length },
  }
}

/** Runs `fn` for about `seconds`, in batches grown until one takes ≥ 1 ms; returns calls per second. */
function rate(fn, seconds) {
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(seconds * 1e9))
  let calls = 0
  let batch = 1
  let now = start
  let sink = 0
  while (now < end) {
    const before = now
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0
    calls += batch
    now = process.hrtime.bigint()
    if (now - before < 1_000_000n) batch *= 2
  }
  if (sink === 2) console.log('') // keeps the results alive
  return calls / (Number(now - start) / 1e9)
}

// ----------------------------------------------------------------------------------------------------
// Worker: sets up its own copy of everything (the addon loaded in this worker's environment) and runs
// the slices the main thread asks for.
if (!isMainThread) {
  const { impls } = setup(workerData.ourDir)
  parentPort.on('message', ({ op, impl, seconds }) => {
    try {
      parentPort.postMessage({ rate: rate(impls[op][impl], seconds) })
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.stack) })
    }
  })
  parentPort.postMessage({ ready: true })
  return
}

// ----------------------------------------------------------------------------------------------------
// Main thread.

const SECONDS = Number(process.env.BENCH_SECONDS || 1)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || 6))
const MC_ROUNDS = Math.max(1, Math.round((ROUNDS * 2) / 3))
const OUR_DIR = process.env.ALIPAY_ISV_NODE_DIR

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const log = (text) => process.stderr.write(`${text}\n`)

function spawnWorker() {
  const worker = new Worker(__filename, { workerData: { ourDir: OUR_DIR } })
  const pending = []
  let ready
  const readyPromise = new Promise((resolve, reject) => {
    ready = resolve
    worker.once('error', reject)
  })
  worker.on('message', (message) => {
    if (message.ready) return ready()
    const { resolve, reject } = pending.shift()
    if (message.error) reject(new Error(`in a worker: ${message.error}`))
    else resolve(message.rate)
  })
  worker.on('error', (error) => {
    while (pending.length) pending.shift().reject(error)
  })
  return {
    worker,
    ready: readyPromise,
    run(op, impl, seconds) {
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject })
        worker.postMessage({ op, impl, seconds })
      })
    },
  }
}

async function main() {
  if (!OUR_DIR) throw new Error('ALIPAY_ISV_NODE_DIR is not set: run benches/node/run.sh')
  if (!(SECONDS > 0)) throw new Error(`BENCH_SECONDS must be a positive number, got ${process.env.BENCH_SECONDS}`)
  const started = Date.now()
  const { impls, sizes } = setup(OUR_DIR)
  const OPS = ['signRequest', 'signParams', 'verifyResponse', 'verifyNotification', 'ffi', 'ffiMin']
  const results = {} // op -> impl -> [ops/s per round]
  for (const op of OPS) {
    results[op] = {}
    for (const impl of Object.keys(impls[op])) results[op][impl] = []
  }

  log(`warm-up, then ${ROUNDS} interleaved rounds of ${SECONDS}s slices`)
  for (const op of OPS) for (const fn of Object.values(impls[op])) rate(fn, Math.min(0.3, SECONDS))
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of OPS) {
      const names = Object.keys(impls[op])
      // Rotate the order every round so no implementation always runs first (or after the same one).
      const order = names.map((_, i) => names[(i + round) % names.length])
      for (const impl of order) results[op][impl].push(rate(impls[op][impl], op.startsWith('ffi') ? SECONDS / 2 : SECONDS))
    }
    log(`round ${round + 1}/${ROUNDS}: ${OPS.map((op) => `${op} ${Object.entries(results[op]).map(([k, v]) => `${k}=${Math.round(v[round])}`).join(' ')}`).join('; ')}`)
  }

  // Multi-core: the same operation in 1 worker, then in 2 workers at once (each its own addon
  // instance and keys), alternating which comes first; ops/s summed over the workers.
  log(`multi-core: ${MC_ROUNDS} rounds, 1 worker vs 2 workers`)
  const workers = [spawnWorker(), spawnWorker()]
  await Promise.all(workers.map((w) => w.ready))
  const MC_OPS = ['signRequest', 'verifyResponse']
  const mc = {} // op -> impl -> { one: [], two: [] }
  for (const op of MC_OPS) {
    mc[op] = {}
    for (const impl of Object.keys(impls[op])) mc[op][impl] = { one: [], two: [] }
  }
  for (let round = 0; round < MC_ROUNDS; round++) {
    for (const op of MC_OPS) {
      const names = Object.keys(impls[op])
      for (let i = 0; i < names.length; i++) {
        const impl = names[(i + round) % names.length]
        const one = async () => mc[op][impl].one.push(await workers[0].run(op, impl, SECONDS))
        const two = async () => {
          const rates = await Promise.all(workers.map((w) => w.run(op, impl, SECONDS)))
          mc[op][impl].two.push(rates[0] + rates[1])
        }
        if ((round + i) % 2) {
          await two()
          await one()
        } else {
          await one()
          await two()
        }
      }
    }
    log(`multi-core round ${round + 1}/${MC_ROUNDS} done`)
  }
  await Promise.all(workers.map((w) => w.worker.terminate()))

  // ------------------------------------------------------------------------------------------------
  // The report.
  const fmt = (n) => (n == null ? 'n/a' : Math.round(n).toLocaleString('en-US'))
  const ratio = (a, b) => (a == null || b == null ? 'n/a' : `${(a / b).toFixed(2)}x`)
  const med = (op, impl) => (results[op][impl] ? median(results[op][impl]) : null)
  const sdkVersion = require('alipay-sdk/package.json').version
  const cpu = (() => {
    try {
      const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))
      return line ? line.split(':')[1].trim() : os.cpus()[0].model
    } catch {
      return os.cpus()[0]?.model ?? 'unknown'
    }
  })()
  const nproc = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length

  const lines = []
  const out = (text = '') => lines.push(text)
  out(`machine: ${nproc} cores, ${cpu}; Node ${process.version} (OpenSSL ${process.versions.openssl}); RSA-2048`)
  out(`command: \`${process.env.BENCH_COMMAND || 'bash benches/node/run.sh'}\` (${SECONDS}s slices, ${ROUNDS} interleaved rounds, ${MC_ROUNDS} multi-core rounds; medians; ${Math.round((Date.now() - started) / 1000)}s)`)
  out(`peers: npm \`alipay-sdk\` ${sdkVersion} (PEM text, as its users configure it: re-parsed per call); \`node:crypto\` with cached \`KeyObject\`s and hand-written canonicalisation`)
  out()
  out(`| operation | alipay-isv (release) | alipay-sdk ${sdkVersion} | node:crypto + KeyObject | vs alipay-sdk | vs node:crypto |`)
  out('|---|---:|---:|---:|---:|---:|')
  const row = (label, op) => {
    const [o, s, c] = [med(op, 'ours'), med(op, 'sdk'), med(op, 'crypto')]
    out(`| ${label} | ${fmt(o)} | ${fmt(s)} | ${fmt(c)} | ${ratio(o, s)} | ${ratio(o, c)} |`)
  }
  row(`sign a request (10 params, ${sizes.canonical}-byte content) → order string, ops/s`, 'signRequest')
  row('sign params only (canonicalise + sign; `Signer.signParams`), ops/s', 'signParams')
  row(`verify a ${sizes.body}-byte response (extract node + verify + fields), ops/s`, 'verifyResponse')
  row(`verify a notification (${sizes.notificationParams} form params → ${sizes.notification}-byte V1 content → verify), ops/s`, 'verifyNotification')
  const mcMed = (op, impl, which) => median(mc[op][impl][which])
  for (const [op, label] of [['signRequest', 'sign a request'], ['verifyResponse', 'verify a response']]) {
    for (const [which, count] of [['one', '1 worker'], ['two', '2 workers']]) {
      const [o, s, c] = ['ours', 'sdk', 'crypto'].map((impl) => mcMed(op, impl, which))
      out(`| ${label}, ${count} (worker_threads), ops/s | ${fmt(o)} | ${fmt(s)} | ${fmt(c)} | ${ratio(o, s)} | ${ratio(o, c)} |`)
    }
    const [o, s, c] = ['ours', 'sdk', 'crypto'].map((impl) => mcMed(op, impl, 'two') / mcMed(op, impl, 'one'))
    out(`| ${label}: 2 workers / 1 worker | ${o.toFixed(2)}x | ${s.toFixed(2)}x | ${c.toFixed(2)}x | | |`)
  }
  const ffiOurs = 1e9 / med('ffi', 'ours')
  const ffiJs = 1e9 / med('ffi', 'crypto')
  out(`| FFI: \`signContent\` of the 10 params, ns/call (peer column: the same in plain JS) | ${fmt(ffiOurs)} ns | n/a | ${fmt(ffiJs)} ns | | |`)
  out(`| FFI: \`parseChinaTimestamp\` (the smallest call: 19-char string in, number out), ns/call | ${fmt(1e9 / med('ffiMin', 'ours'))} ns | n/a | n/a | | |`)
  out()

  const targets = [
    ['request signing ≥ 3x alipay-sdk', med('signRequest', 'ours') / med('signRequest', 'sdk'), 3, 'x'],
    ['response verification ≥ 6x alipay-sdk', med('verifyResponse', 'ours') / med('verifyResponse', 'sdk'), 6, 'x'],
    ['request signing no slower than node:crypto (≥ 1.00x)', med('signRequest', 'ours') / med('signRequest', 'crypto'), 1, 'x'],
    ['response verification no slower than node:crypto (≥ 1.00x)', med('verifyResponse', 'ours') / med('verifyResponse', 'crypto'), 1, 'x'],
    ['notification verification no slower than node:crypto (≥ 1.00x)', med('verifyNotification', 'ours') / med('verifyNotification', 'crypto'), 1, 'x'],
  ]
  out('targets (issue 7, Node):')
  for (const [label, value, min] of targets) out(`- ${label}: ${value.toFixed(2)}x — ${value >= min ? 'met' : 'MISSED'}`)
  out(`- FFI overhead < 2 µs per call: ${(ffiOurs / 1000).toFixed(2)} µs — ${ffiOurs < 2000 ? 'met' : 'MISSED'}`)
  const scaling = ['signRequest', 'verifyResponse'].map((op) => (mcMed(op, 'ours', 'two') / mcMed(op, 'ours', 'one')).toFixed(2))
  out(`- 2 workers vs 1 (no Node target; Python's is ≥ 1.7x): sign ${scaling[0]}x, verify ${scaling[1]}x`)
  console.log(lines.join('\n'))
}

module.exports = { setup, rate }
if (require.main === module) {
  main().catch((error) => {
    console.error(error && error.stack ? error.stack : error)
    process.exit(1)
  })
}
