// Hand-written companion of the generated binding (package `alipay.isv`): the core's observability
// events logged through SLF4J. No protocol logic: it turns an ObservedEvent into one log record.
package alipay.isv

import org.slf4j.Logger
import org.slf4j.LoggerFactory

/**
 * Logs every observed event (gateway calls, notifications, registry refreshes and revocations) through
 * SLF4J: logger `alipay.isv.<kind>` (`alipay.isv.call`, `.notification`, `.refresh`, `.revocation`),
 * `INFO` for a success and `WARN` for a failure, the event's text as the message and every field as an
 * SLF4J 2 key-value pair (`app_id`, `auth_app_id`, `method`, `outcome`, `code`, `sub_code`, `latency_ms`,
 * `trace_id`, `retries`, `notify_id`, `signed_form`, `reason`). No token or code is ever in an event.
 *
 * Install it once at start-up: `Slf4jEventListener.install()`.
 */
class Slf4jEventListener : EventListener {
    private val loggers = HashMap<String, Logger>()

    private fun logger(kind: String): Logger =
        synchronized(loggers) { loggers.getOrPut(kind) { LoggerFactory.getLogger("alipay.isv.$kind") } }

    override fun onEvent(event: ObservedEvent) {
        val logger = logger(event.kind)
        val warn = event.level == "warn"
        if (if (warn) !logger.isWarnEnabled else !logger.isInfoEnabled) return
        var record = if (warn) logger.atWarn() else logger.atInfo()
        val fields = listOf(
            "kind" to event.kind,
            "outcome" to event.outcome,
            "app_id" to event.appId,
            "auth_app_id" to event.authAppId,
            "method" to event.method,
            "code" to event.code,
            "sub_code" to event.subCode,
            "latency_ms" to event.latencyMs,
            "trace_id" to event.traceId,
            "retries" to event.retries,
            "notify_id" to event.notifyId,
            "signed_form" to event.signedForm,
            "reason" to event.reason,
        )
        for ((name, value) in fields) {
            if (value != null) record = record.addKeyValue(name, value)
        }
        record.log(event.text)
    }

    companion object {
        /** Adds a listener logging through SLF4J; returns its id for [removeEventListener]. */
        fun install(): ULong = addEventListener(Slf4jEventListener())
    }
}
