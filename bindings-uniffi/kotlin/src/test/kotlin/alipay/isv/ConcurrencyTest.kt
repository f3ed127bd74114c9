package alipay.isv

import alipay.isv.Emulators.VERSIONS
import org.junit.jupiter.api.Test
import java.util.concurrent.Callable
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** One shared client and emulator under load: 100 delegated calls from an 8-thread pool all verify. */
class ConcurrencyTest {
    @Test
    fun `100 concurrent delegated calls from 8 threads all verify`() {
        Emulators.start().use { emulator ->
            val client = Emulators.client(emulator)
            val token = Emulators.authorise(emulator, client)
            val pool = Executors.newFixedThreadPool(8)
            try {
                val threads = ConcurrentHashMap.newKeySet<String>()
                val futures = (1..100).map {
                    pool.submit(
                        Callable {
                            threads.add(Thread.currentThread().name)
                            client.execute(VERSIONS, CallOptions(appAuthToken = token.appAuthToken))
                        },
                    )
                }
                val answers = futures.map { it.get(60, TimeUnit.SECONDS) }
                for (answer in answers) {
                    assertEquals("10000", answer.fields["code"])
                    assertEquals(token.authAppId, answer.fields["auth_app_id"])
                }
                assertEquals(100, answers.size)
                assertEquals(100UL, emulator.callCount(VERSIONS))
                assertTrue(threads.size > 1, "the calls ran on ${threads.size} thread(s)")
            } finally {
                pool.shutdown()
                pool.awaitTermination(10, TimeUnit.SECONDS)
            }
        }
    }
}
