'use strict'
// A minimal ISV plugin server on node:http: it sends merchants to Alipay to authorise the app, takes
// the callback (state checked, code exchanged, tokens stored in a merchant authorisation `Registry`),
// serves the application gateway with the library's `Gateway` (every notification verified and stored
// in the registry — authorisations, cancellations, service-market orders — then handed to the handler
// of its kind, and answered `success` only once that handler finished; the legacy
// `alipay.service.check` answered signed), accepts each service-market order as it arrives, and makes
// delegated calls through the registry, which looks the merchant's token up (refreshing it when due)
// and refuses revoked merchants.
//
//   GET  /alipay/authorize                 302 to the authorisation link (its state remembered)
//   GET  /alipay/callback                  parse + check state, exchange the code, store the tokens
//   POST /alipay/gateway                   the Gateway: verify, store, handle, answer `success`
//   GET  /merchants/<auth_app_id>/versions alipay.open.mini.version.list.query on the merchant's behalf
//   GET  /orders/<commodity_order_id>      a stored service-market order (no personal data)
//
// `plugin-server-emulated.js` runs it against the offline emulator. In an application,
// `require('alipay-isv')`; this example loads the binding from the repository. A real server keeps
// the issued states in the user's session, not in memory.

const http = require('node:http')
const { appAuthLink, parseAppAuthCallback, statesMatch, Gateway } = require('../../bindings-node')

const VERSIONS = 'alipay.open.mini.version.list.query'

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
  const ingested = [] // { kind, notifyId, outcome } per notification handled (no token)
  const noted = ({ notification, notifyId, ingest }) => {
    ingested.push({ kind: notification.kind, notifyId, outcome: ingest })
    log(`notification ${notification.kind} ${notification.msgMethod ?? ''} ${ingest}`.replace(/ +/g, ' '))
  }

  // The application gateway: the Gateway verifies and stores before calling a handler, and answers
  // `success` only after the handler finished (a handler that throws makes it answer `fail`, and
  // Alipay retries: the retry is not stored twice). A kind without a handler is acknowledged once
  // stored.
  const gateway = new Gateway(config, registry, {
    onAuthorisation: noted,
    onCancellation: noted,
    async onOrder(delivery) {
      noted(delivery)
      // The order is stored; take it. The merchant's plugin authorisation arrives separately (before
      // or after), and the registry links the two (`registry.orderAuthorisation`).
      const order = await registry.acceptOrder(delivery.notification.commodityOrderId)
      log(`order ${order.commodityOrderId} ${order.status}`)
    },
  })
  const gatewayListener = gateway.middleware({
    onResult: (result) => {
      if (result.error) log(`gateway ${result.outcome} (${result.status}): ${result.error.code}`)
    },
  })

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
      const outcomes = await registry.ingestTokens(tokens)
      log(`authorised by ${tokens.map((token, i) => `${token.authAppId} (${outcomes[i]})`).join(', ')}`)
      send(response, 200, { authorised: tokens.map((token) => token.authAppId) })
    },

    'POST /alipay/gateway': gatewayListener,
  }

  const server = http.createServer(async (request, response) => {
    const path = new URL(request.url, ownUrl(request)).pathname
    const versions = /^\/merchants\/(\d+)\/versions$/.exec(path)
    const order = /^\/orders\/(\d+)$/.exec(path)
    try {
      if (request.method === 'GET' && versions) return await merchantVersions(versions[1], response)
      if (request.method === 'GET' && order) return await storedOrder(order[1], response)
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

  async function storedOrder(commodityOrderId, response) {
    // Store reads are Promises (a round trip on PostgreSQL or MySQL): the server keeps serving meanwhile.
    const order = await registry.order(commodityOrderId)
    if (order === null) return send(response, 404, { error: 'no such order' })
    // The order's state, never its contact person or phone (personal data).
    send(response, 200, {
      commodityOrderId,
      status: order.status,
      merchantPid: order.merchantPid,
      items: order.items,
      history: order.history.map((change) => `${change.source}: ${change.status}`),
      authorised: (await registry.orderAuthorisation(commodityOrderId)) !== null,
    })
  }

  return Object.assign(server, { ingested })
}

function send(response, status, object) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(object))
}

module.exports = { createPluginServer }
