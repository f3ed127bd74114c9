'use strict'
// Mirrors core `secret`: the one masking rule. Every record type the package returns is collected from
// a real flow against the emulator, and every one of its fields that the rule calls secret (by its
// protocol name: `appAuthToken` is `app_auth_token`) is fed through it: `toString()` and
// `util.inspect` must show the rule's mask of the value and never the value. A field holding a token
// or a code under a name the rule does not list fails the test, so a new secret field cannot slip
// past the rule. The personal data of a service-market order (`contactor`, `phone`: a genuine order
// message signed by Alipay) is fed the same way: never shown, only its length, as `shown` says.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const {
  appAuthLink,
  userConsentLink,
  parseAppAuthCallback,
  parseUserAuthCallback,
  secretFields,
  isSecretField,
  maskSecret,
  shown,
  personalFields,
  isPersonalField,
  Registry,
  NotificationVerifier,
} = require('..')
const { APP_ID, REDIRECT_URI, startEmulator, startAppGateway } = require('./flow-helpers')
const { loadVectors, readKey } = require('./helpers')

// Protocol names ending in `_code` that name a product, not a secret.
const NOT_SECRET = new Set(['service_code', 'item_code'])

/** `appAuthToken` → `app_auth_token`. */
const snake = (name) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

/** Waits until `condition()` holds (at most 10 s). */
async function until(condition) {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** One instance of every record type that can hold a secret, from a flow on the emulator. */
async function collect() {
  const { emulator, config, client } = startEmulator()
  const gateway = await startAppGateway(config)
  try {
    emulator.setNotifyUrl(gateway.url)
    const found = {}
    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
    const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
    found.AppAuthCallback = callback
    const [token] = await client.exchangeAppAuthCode(callback.appAuthCode)
    found.AppAuthToken = token
    found.AppAuthTokenInfo = await client.queryAppAuthToken(token.appAuthToken)
    await until(() => gateway.received.length >= 1)
    const notification = gateway.received[0]
    found.AppAuthNotification = notification
    found.AppAuthDetail = notification.detail
    const registry = Registry.inMemory({ client })
    await registry.ingestNotification(notification)
    found.MerchantAuthorisation = await registry.get(token.authAppId)
    const console = emulator.consoleAppAuthToken(token.authAppId)
    found.ConsoleToken = console
    found.TokenImport = await registry.importToken(console.appAuthToken)
    const consent = userConsentLink({
      host: emulator.baseUrl,
      appId: token.authAppId,
      scopes: ['auth_user'],
      redirectUri: REDIRECT_URI,
    })
    const userCallback = parseUserAuthCallback(await emulator.userConsents(consent.url), token.authAppId, {
      state: consent.state,
    })
    found.UserAuthCallback = userCallback
    found.UserToken = await client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken)
    // The order message Alipay signed (EasySDK 2020 sample), verified with its key.
    const order = loadVectors('real_notifications.json').cases.find(
      (vector) => vector.name === 'easysdk_2020_servicemarket_order_notify',
    )
    found.ServiceMarketOrderNotification = new NotificationVerifier(readKey(order.alipay_public_key)).verifyBody(order.body)
    return found
  } finally {
    await gateway.close()
    emulator.stop()
  }
}

/** The own fields of a record (class instances: their getters too). */
function fields(record) {
  const names = new Set(Object.keys(record))
  for (let proto = Object.getPrototypeOf(record); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (descriptor.get) names.add(name)
    }
  }
  return [...names].map((name) => [name, record[name]]).filter(([, value]) => typeof value !== 'function')
}

test('the rule is the core one', () => {
  const names = secretFields()
  for (const expected of ['app_auth_token', 'app_refresh_token', 'access_token', 'refresh_token']) {
    assert.ok(names.includes(expected) && isSecretField(expected), expected)
  }
  for (const name of names) assert.ok(isSecretField(name), name)
  assert.equal(isSecretField('auth_app_id'), false)
  assert.equal(isSecretField('appAuthToken'), false, 'protocol spelling only')
  assert.equal(maskSecret('202311BBsecretsecretsecret'), '2023…(26 chars)')
  assert.equal(maskSecret('short'), '…(5 chars)')
  assert.equal(shown('auth_app_id', '2021000000000001'), '2021000000000001')
  assert.equal(shown('biz_content', '{"code":"x"}'), '(12 chars)')
  assert.deepEqual(personalFields(), ['contactor', 'phone'])
  for (const name of personalFields()) {
    assert.ok(isPersonalField(name) && !isSecretField(name), name)
  }
  assert.equal(isPersonalField('merchant_pid'), false)
  assert.equal(shown('phone', '17826894615'), '…(11 chars)')
  assert.equal(shown('contactor', '赵华杰'), '…(3 chars)')
})

test('every secret field of every record type is masked by the rule', async () => {
  const records = await collect()
  const fed = new Set()
  const fedPersonal = new Set()
  for (const [typeName, record] of Object.entries(records)) {
    assert.ok(record, typeName)
    const texts = [String(record), util.inspect(record, { depth: 5 })]
    if (record.params) texts.push(String(record.params), util.inspect(record.params))
    for (const [name, value] of fields(record)) {
      const protocolName = snake(name)
      if (/_(token|code)$/.test(protocolName) && typeof value === 'string' && !NOT_SECRET.has(protocolName)) {
        assert.ok(isSecretField(protocolName), `${typeName}.${name} holds a secret the rule misses`)
      }
      if (isPersonalField(protocolName) && value != null) {
        assert.ok(typeof value === 'string' && value.length > 0, `${typeName}.${name}`)
        for (const text of texts) {
          assert.ok(!text.includes(value), `${typeName}.${name} shown in ${text}`)
        }
        assert.ok(texts[0].includes(`${name}: '${shown(protocolName, value)}'`), `${typeName}.${name}: ${texts[0]}`)
        assert.ok(texts[1].includes(shown(protocolName, value)), `${typeName}.${name}: ${texts[1]}`)
        fedPersonal.add(protocolName)
      }
      if (!isSecretField(protocolName) || value == null) continue
      assert.ok(typeof value === 'string' && value.length > 8, `${typeName}.${name}`)
      for (const text of texts) {
        assert.ok(!text.includes(value), `${typeName}.${name} shown in ${text}`)
        assert.ok(text.includes(maskSecret(value)), `${typeName}.${name} not masked by the rule: ${text}`)
      }
      fed.add(protocolName)
    }
  }
  // `auth_token` is a call option (the user's token on a delegated call), not a record field.
  const missed = secretFields().filter((name) => !fed.has(name) && name !== 'auth_token')
  assert.deepEqual(missed, [], `secret fields no record type fed: ${missed}`)
  assert.deepEqual([...fedPersonal].sort(), [...personalFields()].sort(), 'personal fields no record type fed')
})
