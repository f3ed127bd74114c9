'use strict'
// Boundaries (issue 8, item 5): internal failure paths — Rust panics on the JavaScript thread and on
// the libuv pool (the debug-only hooks), methods called on the wrong receiver, classes without a
// public constructor, wrong argument types, a closed registry, a stopped emulator — each surface as
// a JavaScript Error the process survives, never a crash. And memory stays flat over 100,000 sign +
// verify crossings: RSS after a warm-up of 10,000 iterations and after 100,000 more must differ by
// less than 20 MiB. Each iteration builds a canonical content (`signContent`, an object into Rust)
// and verifies a 2048-bit RSA2 signature (`Verifier.verify`); every 5th iteration also signs
// (`Signer.sign`: 20,000 signs in the measured run, since a debug-build 2048-bit sign costs ~1 ms)
// and every 10th verifies a wrong signature (a thrown error).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const v8 = require('node:v8')
const vm = require('node:vm')

const binding = require('..')
const { generateKeyPair, signContent, Signer, Verifier, PrivateKey, PublicKey, AppAuthToken, Registry, Emulator } = binding
const { APP_ID, APP_PUBLIC_KEY } = require('./flow-helpers')

const MiB = 1024 * 1024

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an error')
}

test('Rust panics surface as Errors, over and over, on both threads; the binding keeps working', async () => {
  process.env.RUST_BACKTRACE = '0'
  for (let i = 0; i < 20; i++) {
    const error = thrown(() => binding.__panicForTests())
    assert.ok(error instanceof Error)
    assert.match(error.message, /deliberate panic/)
  }
  const background = await Promise.allSettled(Array.from({ length: 10 }, () => binding.__panicInBackgroundForTests()))
  for (const outcome of background) {
    assert.equal(outcome.status, 'rejected')
    assert.ok(outcome.reason instanceof Error)
    assert.match(outcome.reason.message, /panic/)
  }
  // An unknown sample kind panics inside the error hook: an Error again.
  assert.ok(thrown(() => binding.__throwCoreErrorForTests('no such kind')) instanceof Error)
  const pair = generateKeyPair(2048)
  new Verifier(pair.publicKey).verify('a=1', new Signer(pair.privateKey).sign('a=1'))
})

test('misuse at the boundary is an Error, never a crash', () => {
  const pair = generateKeyPair(2048)
  const cases = {
    'a method on a plain object': () => PrivateKey.prototype.toPkcs8Pem.call({}),
    'a getter on a plain object': () => Object.getOwnPropertyDescriptor(PublicKey.prototype, 'bits').get.call({}),
    'a method on another class': () => PublicKey.prototype.toPem.call(pair.privateKey),
    'a class without a public constructor': () => new AppAuthToken(),
    'a number for a key': () => PrivateKey.fromText(42),
    'a string for DER bytes': () => PrivateKey.fromDer('not bytes'),
    'a number for a Signer key': () => new Signer(7),
    'a plain object for a key': () => new Verifier({ bits: 2048 }),
    'a symbol for content': () => new Signer(pair.privateKey).sign(Symbol('x')),
    'a number for params': () => signContent(5),
    'a getter that throws in params': () => signContent({ get a() { throw new Error('from a getter') } }),
    'a bits value out of range': () => generateKeyPair(1024),
    'a huge bits value': () => generateKeyPair(2 ** 40),
    'a bits value that a u32 would wrap to 2048': () => generateKeyPair(2 ** 32 + 2048),
    'a fractional bits value': () => generateKeyPair(2048.5),
    'a string for params': () => signContent('a=1'),
    'a closed registry': () => {
      const registry = Registry.inMemory()
      registry.close()
      registry.list()
    },
    'a stopped emulator': () => {
      const emulator = Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY })
      emulator.stop()
      emulator.setFault('hang')
    },
    'an invalid port': () => Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY, port: 70000 }),
  }
  for (const [name, fn] of Object.entries(cases)) {
    const error = thrown(fn)
    assert.ok(error instanceof Error, `${name}: ${error}`)
    assert.equal(typeof error.message, 'string', name)
  }
  // Still alive and well.
  new Verifier(pair.publicKey).verify('b=2', new Signer(pair.privateKey).sign('b=2'))
})

/** The resident set size in bytes, after a full garbage collection. */
function rss(gc) {
  gc()
  gc()
  return process.memoryUsage().rss
}

test('RSS stays flat over 100,000 sign / verify iterations through the binding', (t) => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const pair = generateKeyPair(2048)
  assert.equal(pair.privateKey.bits, 2048)
  const signer = new Signer(pair.privateKey)
  const verifier = new Verifier(pair.publicKey)
  const wrong = Buffer.alloc(256, 3).toString('base64')
  let content = signContent({ app_id: APP_ID, method: 'm', n: '0' })
  let sign = signer.sign(content)
  let signs = 0
  let failures = 0
  const run = (count) => {
    for (let i = 0; i < count; i++) {
      const next = signContent({ app_id: APP_ID, method: 'm', n: String(i) })
      if (i % 5 === 0) {
        content = next
        sign = signer.sign(content)
        signs++
      }
      verifier.verify(content, sign)
      if (i % 10 === 0) {
        try {
          verifier.verify(next + '&x=1', wrong)
        } catch (error) {
          if (error.code !== 'ALIPAY_SIGNATURE_ERROR') throw error
          failures++
        }
      }
    }
  }
  run(10_000)
  const before = rss(gc)
  signs = 0
  failures = 0
  const started = performance.now()
  run(100_000)
  const seconds = (performance.now() - started) / 1000
  const after = rss(gc)
  const growth = after - before
  t.diagnostic(
    `RSS before ${(before / MiB).toFixed(1)} MiB, after ${(after / MiB).toFixed(1)} MiB, growth ` +
      `${(growth / MiB).toFixed(2)} MiB over 100,000 verifies + ${signs} signs + ${failures} failed verifies ` +
      `(${seconds.toFixed(1)} s)`,
  )
  assert.equal(signs, 20_000)
  assert.equal(failures, 10_000)
  assert.ok(growth < 20 * MiB, `RSS grew by ${(growth / MiB).toFixed(2)} MiB`)
})
