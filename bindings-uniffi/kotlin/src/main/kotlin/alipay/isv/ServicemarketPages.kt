// Hand-written companion of the generated binding (package `alipay.isv`): the pages of a
// service-market order as a lazy Kotlin `Sequence`. Each page is one `Client.queryServicemarketOrder`
// call; whether another follows is `ServiceMarketOrderPage.hasNext()` (the core's rule: no protocol
// logic here).
package alipay.isv

/**
 * Every page of a service-market order, fetched lazily as the sequence is iterated — one
 * [Client.queryServicemarketOrder] call per page (100 items a page), blocking: iterate it from
 * `Dispatchers.IO`. It ends after a page that is not full ([ServiceMarketOrderPage.hasNext] false:
 * no items, or `totalSize <= currentPage * 100`); a failing call throws from the iteration, and no
 * page is fetched after it. Each iteration starts again at page 1. [Client.servicemarketOrderPages]
 * fetches them all at once instead.
 *
 * ```
 * val items = client.servicemarketOrderPageSequence(orderId).flatMap { it.items }.toList()
 * ```
 *
 * @throws AlipayException as [Client.queryServicemarketOrder] does, while iterating.
 */
fun Client.servicemarketOrderPageSequence(commodityOrderId: String): Sequence<ServiceMarketOrderPage> =
    sequence {
        var number = 1uL
        while (true) {
            val page = queryServicemarketOrder(commodityOrderId, number)
            yield(page)
            if (!page.hasNext()) break
            number += 1uL
        }
    }
