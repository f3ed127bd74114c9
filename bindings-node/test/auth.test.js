'use strict'
// Mirrors protocol/src/auth (links, state, callbacks) without a network: the link forms per host, the
// state rules, application types and scopes as strings, and the masked callbacks.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const {
  appAuthLink,
  consoleAuthLink,
  userConsentLink,
  generateState,
  statesMatch,
  parseAppAuthCallback,
  parseUserAuthCallback,
  AppAuthCallback,
  UserAuthCallback,
} = require('..')

const APP_ID = '2021000000000001'
const CALLBACK = 'https://isv.example.com/alipay/callback?tenant=7'

test('merchant links: production, sandbox and URL hosts, single and batch', () => {
  const production = appAuthLink({ appId: APP_ID, redirectUri: CALLBACK, state: 'c3RhdGU=' })
  assert.equal(
    production.url,
    `https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=${APP_ID}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=c3RhdGU%3D`,
  )
  assert.equal(production.state, 'c3RhdGU=')
  const sandbox = appAuthLink({ host: 'sandbox', appId: APP_ID, redirectUri: CALLBACK })
  assert.ok(sandbox.url.startsWith('https://openauth-sandbox.dl.alipaydev.com/oauth2/appToAppAuth.htm?'), sandbox.url)
  const batch = appAuthLink({ host: 'http://127.0.0.1:9', appId: APP_ID, redirectUri: CALLBACK, applicationTypes: ['tinyapp', 'WEBAPP', 'TINYAPP'] })
  assert.ok(batch.url.startsWith('http://127.0.0.1:9/oauth2/appToAppBatchAuth.htm?'), batch.url)
  assert.equal(new URL(batch.url).searchParams.get('application_type'), 'TINYAPP,WEBAPP')
  assert.equal(new URL(batch.url).searchParams.get('state'), batch.state)
})

test('console links carry the state in bizData and need an application type', () => {
  const link = consoleAuthLink({ appId: APP_ID, redirectUri: CALLBACK, applicationTypes: ['TINYAPP'] })
  const url = new URL(link.url)
  assert.equal(url.origin + url.pathname, 'https://b.alipay.com/page/message/tasksDetail')
  const bizData = JSON.parse(url.searchParams.get('bizData'))
  assert.equal(bizData.agentOpParam.isvAppId, APP_ID)
  assert.equal(bizData.agentOpParam.state, link.state)
  assert.deepEqual(bizData.agentOpParam.appTypes, ['TINYAPP'])
  assert.throws(() => consoleAuthLink({ appId: APP_ID, redirectUri: CALLBACK }), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('user consent links name the scopes', () => {
  const link = userConsentLink({ appId: '2021000000000009', scopes: ['auth_user', 'AUTH_BASE'], redirectUri: CALLBACK })
  const url = new URL(link.url)
  assert.equal(url.pathname, '/oauth2/publicAppAuthorize.htm')
  assert.equal(url.searchParams.get('scope'), 'auth_user,auth_base')
  assert.equal(url.searchParams.get('app_id'), '2021000000000009')
  assert.throws(() => userConsentLink({ appId: APP_ID, scopes: [], redirectUri: CALLBACK }), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => userConsentLink({ appId: APP_ID, scopes: ['auth_everything'], redirectUri: CALLBACK }), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('bad link options are config errors', () => {
  const bad = [
    { appId: '', redirectUri: CALLBACK },
    { appId: APP_ID, redirectUri: 'ftp://x' },
    { appId: APP_ID, redirectUri: CALLBACK, state: 'not base64!' },
    { appId: APP_ID, redirectUri: CALLBACK, host: 'staging' },
    { appId: APP_ID, redirectUri: CALLBACK, applicationTypes: ['SPACESHIP'] },
  ]
  for (const options of bad) assert.throws(() => appAuthLink(options), { code: 'ALIPAY_CONFIG_ERROR' }, JSON.stringify(options))
})

test('generated states are 32 URL-safe Base64 characters, fresh each time, compared exactly', () => {
  const first = generateState()
  const second = generateState()
  assert.match(first, /^[A-Za-z0-9_-]{32}$/)
  assert.notEqual(first, second)
  assert.equal(statesMatch(first, first), true)
  assert.equal(statesMatch(first, second), false)
  assert.equal(statesMatch('abc', 'abcd'), false)
})

test('callbacks parse from a URL or a bare query, and mask their codes', () => {
  const code = '6fc3708b4a99519f68193ce7efe95de3'
  const query = `app_id=${APP_ID}&source=alipay_app_auth&app_auth_code=${code}&state=YQ%3D%3D`
  for (const input of [`${CALLBACK}&${query}`, query, `?${query}`]) {
    const callback = parseAppAuthCallback(input, APP_ID, { state: 'YQ==' })
    assert.ok(callback instanceof AppAuthCallback)
    assert.equal(callback.appAuthCode, code)
    assert.equal(callback.state, 'YQ==')
    for (const text of [String(callback), util.inspect(callback)]) {
      assert.ok(!text.includes(code), text)
      assert.match(text, /6fc3…\(32 chars\)/)
    }
  }
  const user = parseUserAuthCallback(`app_id=9&scope=auth_user&auth_code=${code}`, '9', { allowMissingState: true })
  assert.ok(user instanceof UserAuthCallback)
  assert.equal(user.authCode, code)
  assert.equal(user.scope, 'auth_user')
  assert.equal(user.state, null)
  assert.ok(!util.inspect(user).includes(code))
  // A repeated parameter is a protocol error.
  assert.throws(() => parseUserAuthCallback(`app_id=9&auth_code=a&auth_code=b`, '9', { allowMissingState: true }), { code: 'ALIPAY_PROTOCOL_ERROR' })
})
