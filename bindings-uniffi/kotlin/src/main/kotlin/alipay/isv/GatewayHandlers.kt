// Hand-written companion of the generated binding (package `alipay.isv`): the application gateway's
// handlers in Kotlin. `Gateway.receive` (Rust) verifies and stores; this file only dispatches the
// delivery to the handler of its kind (a four-line table) and hands the handler's outcome to
// `Gateway.finish` (Rust), which chooses the answer. No protocol logic here.
package alipay.isv

/**
 * What the host does with each kind of verified notification the [Gateway] delivers — every
 * notification is already verified and stored in the registry when its handler runs. Each handler is
 * optional: the default does nothing, so a kind without a handler is acknowledged (`success`) once
 * stored.
 *
 * A handler that throws makes the answer `fail` (status 500): Alipay retries later, the retry stores
 * nothing twice and runs the handler again, and the exception's text goes into
 * [GatewayResult.error] (never into the HTTP body). Once a handler returned, the notification is
 * marked handled: a later retry is acknowledged without calling it again.
 *
 * Handlers run on the thread that called [Gateway.handle] (the HTTP server's worker for
 * [GatewayHttpHandler]) and may call the registry, which blocks: e.g.
 * `gateway.registry().acceptOrder(order.commodityOrderId)`.
 *
 * Implement the interface, or build one from lambdas with the factory function of the same name:
 * ```
 * val handlers = GatewayHandlers(onOrder = { delivery ->
 *     val order = delivery.notification as Notification.ServiceMarketOrder
 *     registry.acceptOrder(order.commodityOrderId)
 * })
 * ```
 */
interface GatewayHandlers {
    /**
     * A service-market order ([DeliveryKind.ORDER]; `delivery.notification` is a
     * [Notification.ServiceMarketOrder]), stored as an [OrderRecord] (`registry.order(id)`): accept or
     * reject it (`registry.acceptOrder(id)`, `registry.rejectOrder(id, reason)`).
     */
    fun onOrder(delivery: GatewayDelivery) {}

    /**
     * A merchant authorised one of our apps ([DeliveryKind.AUTHORISATION]; a
     * [Notification.AppAuth], a plugin's when `pluginAuthorisation`), its token already stored.
     */
    fun onAuthorisation(delivery: GatewayDelivery) {}

    /**
     * A merchant revoked an authorisation ([DeliveryKind.CANCELLATION]; a [Notification.Message]
     * whose `isAppAuthCancelled`), already marked revoked in the registry.
     */
    fun onCancellation(delivery: GatewayDelivery) {}

    /**
     * Anything else ([DeliveryKind.OTHER]: payment notifications, other messages), verified; only the
     * host knows what to do with it.
     */
    fun onOther(delivery: GatewayDelivery) {}
}

/**
 * [GatewayHandlers] from lambdas: each one given handles its kind, a kind without one is acknowledged
 * once stored. `GatewayHandlers()` handles nothing (every verified notification is stored and
 * acknowledged).
 */
fun GatewayHandlers(
    onOrder: ((GatewayDelivery) -> Unit)? = null,
    onAuthorisation: ((GatewayDelivery) -> Unit)? = null,
    onCancellation: ((GatewayDelivery) -> Unit)? = null,
    onOther: ((GatewayDelivery) -> Unit)? = null,
): GatewayHandlers {
    val order = onOrder
    val authorisation = onAuthorisation
    val cancellation = onCancellation
    val other = onOther
    return object : GatewayHandlers {
        override fun onOrder(delivery: GatewayDelivery) { order?.invoke(delivery) }
        override fun onAuthorisation(delivery: GatewayDelivery) { authorisation?.invoke(delivery) }
        override fun onCancellation(delivery: GatewayDelivery) { cancellation?.invoke(delivery) }
        override fun onOther(delivery: GatewayDelivery) { other?.invoke(delivery) }
    }
}

/** Runs the handler of the delivery's kind: the dispatch table. */
private fun GatewayHandlers.dispatch(delivery: GatewayDelivery) = when (delivery.kind) {
    DeliveryKind.ORDER -> onOrder(delivery)
    DeliveryKind.AUTHORISATION -> onAuthorisation(delivery)
    DeliveryKind.CANCELLATION -> onCancellation(delivery)
    DeliveryKind.OTHER -> onOther(delivery)
}

/** The one line a failed handler reports to [Gateway.finish] (typed errors by kind and reason). */
private fun failureText(error: Throwable): String = when (error) {
    is AlipayException -> "${error.kind()} error: ${error.reason()}"
    else -> error.message?.takeIf { it.isNotBlank() }?.let { "${error.javaClass.simpleName}: $it" }
        ?: error.javaClass.name
}

/**
 * Handles one request to the application gateway: [Gateway.receive] (refuse, answer the gateway
 * check, or verify and store), the handler of the notification's kind, then [Gateway.finish] — the
 * result to write back as it is (`status`, `contentType`, `body`). `contentType` is the request's
 * `Content-Type` header (null when absent) and `body` its raw bytes, never decoded by a framework;
 * read at most [Gateway.maxBodyBytes] + 1 bytes (a longer body is answered 413).
 *
 * A handler that throws (any exception, or a `NotImplementedError`) gives `fail` with status 500 and
 * outcome `handler_failed`, its text in [GatewayResult.handlerError]; only a `VirtualMachineError` (out of memory,
 * stack overflow) is rethrown, the notification left unfinished (Alipay retries it). Blocking
 * (signature verification, disk, and what the handlers do): call it from `Dispatchers.IO` or a worker
 * pool.
 *
 * @throws AlipayException.Internal only for a bug in the library.
 */
fun Gateway.handle(
    contentType: String?,
    body: ByteArray,
    handlers: GatewayHandlers = GatewayHandlers(),
): GatewayResult = when (val received = receive(contentType, body)) {
    is GatewayReceived.Answer -> received.result
    is GatewayReceived.Deliver -> {
        val failure = try {
            handlers.dispatch(received.delivery)
            null
        } catch (error: VirtualMachineError) {
            throw error
        } catch (error: Throwable) {
            failureText(error)
        }
        finish(received.delivery, failure)
    }
}
