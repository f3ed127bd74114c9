/* The typings of gateway.js (hand-written; index.d.ts is generated from the Rust code). Exported by
   the package's entry, main.d.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type {
  AppAuthNotification,
  BodyArg,
  DeliveryKind,
  GatewayDelivery,
  GatewayResult,
  IsvConfig,
  MessageNotification,
  Notification,
  OtherNotification,
  Registry,
  ServiceMarketOrderNotification,
} from './index.js'

/** A delivery of one kind, its `notification` typed for that kind. */
export type DeliveryOf<K extends DeliveryKind, N extends Notification> = GatewayDelivery & {
  readonly kind: K
  readonly notification: N
}

/**
 * A handler: gets the delivery (the notification is verified and already stored) and may call the
 * registry (e.g. `registry.acceptOrder(...)`). Sync or async: the answer is `success` once it returns
 * (or its promise resolves); if it throws (or the promise rejects) the answer is `fail` (500), Alipay
 * retries, and the error's text goes to the result's `error`, never to the HTTP body.
 */
export type GatewayHandler<D extends GatewayDelivery = GatewayDelivery> = (delivery: D) => void | PromiseLike<void>

/** The handlers of a `Gateway`, one per delivery kind, each optional. */
export interface GatewayHandlers {
  /** A service-market order (`servicemarket_order_notify`), stored: accept or reject it. */
  onOrder?: GatewayHandler<DeliveryOf<'order', ServiceMarketOrderNotification>> | null | undefined
  /** A merchant authorised one of our apps (a plugin's too), stored. */
  onAuthorisation?: GatewayHandler<DeliveryOf<'authorisation', AppAuthNotification>> | null | undefined
  /** A merchant revoked an authorisation (`alipay.open.auth.appauth.cancelled`), stored. */
  onCancellation?: GatewayHandler<DeliveryOf<'cancellation', MessageNotification>> | null | undefined
  /** Anything else (payments, other messages): only the host knows what to do. */
  onOther?: GatewayHandler<DeliveryOf<'other', MessageNotification | OtherNotification>> | null | undefined
}

/** Options of `Gateway.middleware`. */
export interface GatewayMiddlewareOptions {
  /**
   * Called after each answer is written, with the result and the request (for logs and metrics; the
   * result holds no secret). An exception it throws becomes a process warning.
   */
  onResult?: ((result: GatewayResult, request: IncomingMessage) => void) | null | undefined
}

/**
 * A `node:http` request listener that is also an Express route handler (Express's request and
 * response extend node's; `next` is never called: every request is answered).
 */
export type GatewayRequestListener = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/**
 * The application gateway (应用网关) of one app. What Alipay posts is verified with `config` (its
 * Alipay key or certificates; its own key signs the answer to a gateway check), stored into `registry`
 * (authorisations, cancellations, service-market orders), handed to the handler of its kind, and
 * answered `success` only once that handler finished; `fail` otherwise, so Alipay retries. Retries
 * are stored once: a notification already handled is acknowledged without calling its handler again,
 * one whose handler failed is delivered again (`ingest` `duplicate`). A kind without a handler is
 * acknowledged once stored.
 *
 * Built on the native `GatewayCore` (`receive`, the handler, `finish`).
 */
export declare class Gateway {
  /**
   * @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unknown handler name, a handler that is not a
   * function, or a closed registry.
   */
  constructor(config: IsvConfig, registry: Registry, handlers?: GatewayHandlers)
  /** The largest body taken, in bytes (`config`'s `maxBodyBytes`, 10 MiB by default). */
  get maxBodyBytes(): number
  /**
   * Handles one request: its `Content-Type` header (`null` / `undefined` when absent) and its raw
   * body (a `Buffer`; never a body a framework decoded). Resolves to the result to write back:
   * 200 `success` (`handled`, `already_handled`) or the signed XML of a gateway check
   * (`service_check`); 400 for a bad signature or a malformed notification, 413 over the limit, 415
   * for a body that is not a form (`refused`, nothing stored); 500 when storing or the handler failed
   * (`failed`). Never rejects for what was posted, nor when a handler throws; rejects with a
   * `TypeError` for arguments of the wrong type.
   */
  handle(contentType: string | null | undefined, body: BodyArg): Promise<GatewayResult>
  /**
   * A request listener for `node:http` (`http.createServer(gateway.middleware())`) and a route handler
   * for Express (`app.post('/alipay/gateway', gateway.middleware())`). Mount it before any body
   * parser, or behind `express.raw({ type: () => true })` (a `Buffer` in `request.body` is used as
   * is). It reads the body within `maxBodyBytes` — past it, the request is answered 413 at once and
   * the rest is read and dropped — answers 405 to anything but POST, and writes the result's status,
   * content type and body.
   */
  middleware(options?: GatewayMiddlewareOptions): GatewayRequestListener
  /** `Gateway(GatewayCore(app …, max body … bytes), handlers onOrder, …)`: never a key. */
  toString(): string
}
