'use strict'
// The application gateway (应用网关) for Node.js hosts, hand-written (index.js is generated): `Gateway`
// runs the native two-phase `GatewayCore` — `receive` (verify and store, on the libuv pool), the
// handler of the delivery's kind, `finish` — and `middleware()` adapts it to `node:http` and Express.
// Every answer (status, content type, body) and every decision is the core's; this module only
// dispatches by kind, reads the request body within the limit and writes the answer. Typed by
// gateway.d.ts; exported by the package's entry (main.js).

const { GatewayCore, GatewayDelivery } = require('./index.js')

/** The handler option of each delivery kind: the one dispatch table. */
const HANDLERS = Object.freeze({
  authorisation: 'onAuthorisation',
  cancellation: 'onCancellation',
  order: 'onOrder',
  other: 'onOther',
})

const TEXT = 'text/plain; charset=utf-8'

/** An error shaped as the native ones (`code`, `kind`, `reason`), for misuse found here. */
function alipayError(kind, code, prefix, reason) {
  return Object.assign(new Error(`${prefix}: ${reason}`), { code, kind, reason })
}

const configError = (reason) => alipayError('config', 'ALIPAY_CONFIG_ERROR', 'configuration error', reason)
const protocolError = (reason) => alipayError('protocol', 'ALIPAY_PROTOCOL_ERROR', 'protocol error', reason)

/** The result of a request that could not be received or finished (a closed registry, a panic). */
function failed(error) {
  return { status: 500, contentType: TEXT, body: 'fail', outcome: 'failed', error, ingest: null, verified: null, handlerError: null }
}

/** Why a handler failed, as text for the result's error (never for the HTTP body). */
function reasonOf(error) {
  if (error instanceof Error) return error.message || error.name
  try {
    return String(error)
  } catch {
    return 'the handler failed with a value that has no text'
  }
}

/**
 * The application gateway of one app: what Alipay posts is verified with `config`, stored into
 * `registry` (authorisations, cancellations, service-market orders), handed to the handler of its
 * kind, and answered `success` only once the handler finished (sync or async); `fail` otherwise, so
 * Alipay retries (a retry is never stored twice; an already handled notification is acknowledged
 * without calling the handler again). A kind without a handler is acknowledged once stored.
 */
class Gateway {
  #core
  #handlers

  constructor(config, registry, handlers = {}) {
    if (handlers === null || typeof handlers !== 'object') {
      throw configError('the handlers must be an object ({ onOrder, onAuthorisation, onCancellation, onOther })')
    }
    const names = Object.values(HANDLERS)
    for (const name of Object.keys(handlers)) {
      if (!names.includes(name)) {
        throw configError(`unknown handler \`${name}\`: the handlers are ${names.join(', ')}`)
      }
    }
    this.#handlers = {}
    for (const [kind, name] of Object.entries(HANDLERS)) {
      const handler = handlers[name] ?? null
      if (handler !== null && typeof handler !== 'function') {
        throw configError(`the handler \`${name}\` must be a function`)
      }
      this.#handlers[kind] = handler
    }
    this.#core = new GatewayCore(config, registry)
  }

  /** The largest body taken, in bytes (`config`'s `maxBodyBytes`). */
  get maxBodyBytes() {
    return this.#core.maxBodyBytes
  }

  /**
   * Handles one request: its `Content-Type` (`undefined` / `null` when absent) and raw body. Resolves
   * to the result to write back; never rejects for what was posted, nor when a handler throws.
   */
  async handle(contentType, body) {
    if (contentType !== undefined && contentType !== null && typeof contentType !== 'string') {
      throw new TypeError('the content type must be a string, null or undefined')
    }
    if (!(body instanceof Uint8Array) && typeof body !== 'string') {
      throw new TypeError('the body must be a Buffer, a Uint8Array or a string')
    }
    let received
    try {
      received = await this.#core.receive(contentType ?? null, body)
    } catch (error) {
      return failed(error)
    }
    if (!(received instanceof GatewayDelivery)) return received
    const handler = this.#handlers[received.kind]
    let failure = null
    if (handler !== null) {
      try {
        await handler(received)
      } catch (error) {
        failure = reasonOf(error)
      }
    }
    try {
      return await this.#core.finish(received, failure)
    } catch (error) {
      return failed(error)
    }
  }

  /**
   * A request listener for `node:http` (`http.createServer(gateway.middleware())`) and an Express
   * route handler (`app.post('/alipay/gateway', gateway.middleware())`): takes the raw body from
   * `request.body` when it is a `Buffer` (`express.raw()`), else reads the request within
   * `maxBodyBytes` (past it: answered 413 at once, the rest read and dropped), answers 405 to anything
   * but POST, and writes the result's status, content type and body. `options.onResult(result,
   * request)` is called after each answer (for logs and metrics).
   */
  middleware(options = {}) {
    const onResult = options?.onResult ?? null
    if (onResult !== null && typeof onResult !== 'function') throw configError('`onResult` must be a function')
    return (request, response) => {
      this.#serve(request, response, onResult).catch((error) => process.emitWarning(error))
    }
  }

  async #serve(request, response, onResult) {
    let result
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST')
      result = {
        status: 405,
        contentType: TEXT,
        body: 'fail',
        outcome: 'refused',
        error: protocolError(`the gateway takes POST requests, not ${String(request.method).slice(0, 16)}`),
        ingest: null,
        verified: null,
      }
    } else {
      let body
      try {
        body = await readBody(request, this.#core.maxBodyBytes)
      } catch (error) {
        body = error
      }
      if (body === null) return // the client went away: nobody to answer
      result = body instanceof Error ? failed(body) : await this.handle(request.headers['content-type'], body)
    }
    if (!response.headersSent) {
      response.statusCode = result.status
      response.setHeader('content-type', result.contentType)
      response.end(result.body)
    }
    if (onResult !== null) {
      try {
        onResult(result, request)
      } catch (error) {
        process.emitWarning(error)
      }
    }
  }

  /** `Gateway(GatewayCore(app …, max body … bytes), handlers onOrder, …)`: never a key. */
  toString() {
    const set = Object.entries(HANDLERS).filter(([kind]) => this.#handlers[kind] !== null)
    return `Gateway(${this.#core}, handlers ${set.map(([, name]) => name).join(', ') || 'none'})`
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString()
  }
}

/**
 * The raw body of `request`: `request.body` when a body parser left a `Buffer` (express.raw), else
 * the request stream read to its end or until it passes `limit` bytes (then what was read, which the
 * core answers 413, and the rest is drained unread). Resolves to `null` when the client went away;
 * rejects when a body parser consumed the stream into something else (the raw bytes are needed to
 * verify the signature).
 */
function readBody(request, limit) {
  if (request.body instanceof Uint8Array) return Promise.resolve(request.body)
  if (request.readableEnded) {
    return Promise.reject(
      configError(
        'the request body was already read by a body parser: mount the gateway before it, or use express.raw() for its route',
      ),
    )
  }
  return new Promise((resolve) => {
    const chunks = []
    let length = 0
    let settled = false
    const settle = (value) => {
      if (settled) return
      settled = true
      request.removeListener('data', onData)
      request.removeListener('end', onEnd)
      request.removeListener('close', onClose)
      resolve(value)
    }
    const onData = (chunk) => {
      chunks.push(chunk)
      length += chunk.length
      if (length > limit) {
        settle(Buffer.concat(chunks, length))
        request.resume() // drained, never kept
      }
    }
    const onEnd = () => settle(Buffer.concat(chunks, length))
    const onClose = () => {
      if (!request.complete) settle(null)
    }
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('close', onClose)
    request.on('error', () => settle(null))
  })
}

module.exports = { Gateway }
