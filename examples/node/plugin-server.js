'use strict'
// A minimal ISV plugin server on node:http: it sends merchants to Alipay to authorise the app, takes
// the callback (state checked, code exchanged, tokens stored in a merchant authorisation `Registry`),
// receives the application-gateway notifications (verified, ingested into the registry, then answered
// `success`; the legacy `alipay.service.check` answered signed), and makes delegated calls through the
// registry, which looks the merchant's token up (refreshing it when due) and refuses revoked merchants.
//
//   GET  /alipay/authorize                 302 to the authorisation link (its state remembered)
//   GET  /alipay/callback                  parse + check state, exchange the code, store the tokens
//   POST /alipay/gateway                   verify a notification, ingest it, answer `success`
//   GET  /merchants/<auth_app_id>/versions alipay.open.mini.version.list.query on the merchant's behalf
//
// `plugin-server-emulated.js` runs it against the offline emulator. In an application,
// `require('alipay-isv')`; this example loads the binding from the repository. A real server keeps
// the issued states in the user's session, not in memory.

const http = require('node:http')
const {
  appAuthLink,
  parseAppAuthCallback,
  statesMatch,
  SUCCESS_ACK,
  SERVICE_CHECK,
} = require('../../bindings-node')

const VERSIONS = 'alipay.open.mini.version.list.query'
/** The largest body the gateway endpoint reads (the library's own limit for notifications). */
const MAX_BODY_BYTES = 10 * 1024 * 1024

/**
 * The plugin server for `config` (an `IsvConfig`) calling through `client` (a `Client`), keeping
 * merchants in `registry` (a `Registry` opened with that client, e.g. `Registry.open(file, { client })`).
 * `authHost` is where merchants authorise (`production`, `sandbox`, or the emulator's base URL);
 * `publicUrl` is this server's own URL as the browser sees it (the callback is
 * `${publicUrl}/alipay/callback`; by default taken from the request's Host header — configure it in
 * production).
 */
function createPluginServer({ config, client, registry, authHost, publicUrl, log = () => {} }) {
  const ownUrl = (request) => publicUrl ?? `http://${request.headers.host}`
  const issuedStates = new Set()
  const ingested = [] // { kind, notifyId, outcome } per verified notification (no token)
  const verifier = config.notificationVerifier()

  const routes = {
    'GET /alipay/authorize': async (request, response) => {
      const redirectUri = `${ownUrl(request)}/alipay/callback`
      const link = appAuthLink({ host: authHost, appId: config.appId, redirectUri })
      issuedStates.add(link.state)
      response.writeHead(302, { location: link.url }).end()
    },

    'GET /alipay/callback': async (request, response) => {
      const received = new URL(request.url, ownUrl(request)).searchParams.get('state') ?? ''
      // The state must be one this server issued (compared in constant time), and is used once.
      const issued = [...issuedStates].find((state) => statesMatch(state, received))
      if (issued === undefined) return send(response, 400, { error: 'unknown or missing state' })
      issuedStates.delete(issued)
      const callback = parseAppAuthCallback(request.url, config.appId, { state: issued })
      const tokens = await client.exchangeAppAuthCode(callback.appAuthCode)
      const outcomes = registry.ingestTokens(tokens)
      log(`authorised by ${tokens.map((token, i) => `${token.authAppId} (${outcomes[i]})`).join(', ')}`)
      send(response, 200, { authorised: tokens.map((token) => token.authAppId) })
    },

    'POST /alipay/gateway': async (request, response) => {
      const body = await readBody(request)
      if (new URLSearchParams(body.toString('utf8')).get('service') === SERVICE_CHECK) {
        let verified = true
        try {
          verifier.verifyBody(body)
        } catch {
          verified = false
        }
        response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
        return response.end(config.serviceCheckAnswer(verified))
      }
      let notification
      try {
        notification = verifier.verifyBody(body)
      } catch (error) {
        log(`refused a notification: ${error.code}`)
        return response.writeHead(400).end('fail')
      }
      // Store first, acknowledge after: if ingestion fails, Alipay retries (a retry of a notification
      // already ingested is a `duplicate` and changes nothing).
      let outcome
      try {
        outcome = registry.ingestNotification(notification)
      } catch (error) {
        log(`could not ingest a notification: ${error.code} ${error.reason}`)
        return response.writeHead(500).end('fail')
      }
      ingested.push({ kind: notification.kind, notifyId: notification.notifyId ?? null, outcome })
      log(`notification ${notification.kind} ${notification.msgMethod ?? ''} ${outcome}`.replace(/ +/g, ' '))
      response.end(SUCCESS_ACK)
    },
  }

  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url, ownUrl(request)).pathname
    const versions = /^\/merchants\/(\d+)\/versions$/.exec(path)
    try {
      if (request.method === 'GET' && versions) return await merchantVersions(versions[1], response)
      const route = routes[`${request.method} ${path}`]
      if (!route) return send(response, 404, { error: 'not found' })
      await route(request, response)
    } catch (error) {
      // Typed errors: `code` is stable, `reason` never holds a secret. A store error here is an
      // unknown or revoked merchant (the registry made no call).
      const status = { ALIPAY_SIGNATURE_ERROR: 400, ALIPAY_STORE_ERROR: 404 }[error.code] ?? 502
      send(response, status, {
        error: error.code ?? 'ERROR',
        reason: error.reason ?? error.message,
        subCode: error.subCode ?? null,
      })
    }
  })

  async function merchantVersions(authAppId, response) {
    // The registry finds the merchant's token (refreshed when due); unknown or revoked merchants are
    // refused with ALIPAY_STORE_ERROR before any call.
    const { fields } = await registry.executeFor(authAppId, VERSIONS, {
      bizContent: { bundle_id: 'com.alipay.alipaywallet' },
    })
    send(response, 200, { authAppId, versions: fields.app_versions })
  }

  return Object.assign(server, { ingested })
}

function send(response, status, object) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(object))
}

/** The request body, refused (and the connection dropped) as soon as it passes `MAX_BODY_BYTES`. */
function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let length = 0
    request.on('data', (chunk) => {
      length += chunk.length
      if (length > MAX_BODY_BYTES) {
        request.destroy()
        reject(new Error(`the body is over the ${MAX_BODY_BYTES}-byte limit`))
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

module.exports = { createPluginServer }
