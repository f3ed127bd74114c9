package alipay.isv

import alipay.isv.Emulators.VERSIONS
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import java.nio.file.Path
import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Importing a merchant's `appAuthToken` copied from the open-platform console (获得 app_auth_token 的方法二):
 * the emulator's console token imported into a registry and used for a delegated call; expired,
 * revoked, never-issued and garbage tokens refused with nothing stored; importing twice is one record; no
 * token in any `toString()` or error message. On a SQLite file, a PostgreSQL database and a MySQL
 * database ([TestStore]).
 */
class RegistryImportTest {
    @TempDir
    lateinit var dir: Path

    /** The merchant authorises `authAppId` (the ISV exchanges no code) and the ISV reads the console. */
    private fun consoleToken(emulator: Emulator, authAppId: String, merchantPid: String): ConsoleToken {
        val link = appAuthLink(emulator.baseUrl(), Apps.APP_ID, Emulators.REDIRECT)
        emulator.merchantAuthorizes("${link.url}&auth_app_id=$authAppId&merchant_pid=$merchantPid")
        return emulator.consoleAppAuthToken(authAppId)
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `a console token is imported once and serves a delegated call`(store: TestStore) {
        Emulators.start().use { emulator ->
            val console = consoleToken(emulator, "2021006600000001", "2088006600000001")
            val secret = console.appAuthToken.substring(8)
            assertEquals("2088006600000001", console.merchantPid)
            assertFalse(console.toString().contains(secret), console.toString())
            val path = store.fresh(dir, "merchants")
            Registry.open(path, client = Emulators.client(emulator)).use { registry ->
                val imported = registry.importToken(console.appAuthToken + "\n")
                assertEquals(IngestOutcome.APPLIED, imported.outcome)
                val record = imported.record
                assertEquals("2021006600000001", record.authAppId)
                assertEquals("2088006600000001", record.merchantPid)
                assertEquals(console.appAuthToken, record.appAuthToken)
                assertNull(record.appRefreshToken)
                assertEquals(AuthOrigin.IMPORTED, record.origin)
                assertEquals("imported", record.origin.wireName())
                assertEquals(AuthStatus.ACTIVE, record.status)
                assertTrue(VERSIONS in record.grantedMethods)
                assertFalse(imported.toString().contains(secret), imported.toString())
                assertContains(imported.toString(), "origin=imported")

                val answer = registry.executeFor("2021006600000001", VERSIONS)
                assertEquals("10000", answer.fields["code"])
                assertEquals(console.appAuthToken, registry.tokenForMerchant("2088006600000001"))

                val again = registry.importToken(console.appAuthToken)
                assertEquals(IngestOutcome.DUPLICATE, again.outcome)
                assertEquals(record.version, again.record.version)
                assertEquals(1, registry.list().size)
            }
            Registry.open(path).use { reopened ->
                assertEquals(AuthOrigin.IMPORTED, assertNotNull(reopened.get("2021006600000001")).origin)
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `expired, revoked, unknown and garbage tokens are refused with nothing stored`(store: TestStore) {
        Emulators.start().use { emulator ->
            val expired = consoleToken(emulator, "2021006600000002", "2088006600000002").appAuthToken
            val revoked = consoleToken(emulator, "2021006600000003", "2088006600000003").appAuthToken
            emulator.expireAppAuthToken("2021006600000002")
            emulator.revoke("2021006600000003")
            assertThrows<AlipayException.Config> { emulator.consoleAppAuthToken("2021006600000003") }
            Registry.open(store.fresh(dir, "refused"), client = Emulators.client(emulator)).use { registry ->
                for ((token, authAppId) in listOf(expired to "2021006600000002", revoked to "2021006600000003")) {
                    val refused = assertThrows<AlipayException.Store> { registry.importToken(token) }
                    assertContains(refused.reason(), "invalid")
                    assertContains(refused.reason(), authAppId)
                    assertFalse(refused.reason().contains(token.substring(8)), refused.reason())
                    assertFalse(refused.toString().contains(token.substring(8)), refused.toString())
                }
                val unknown = assertThrows<AlipayException.Api> {
                    registry.importToken("202509BB0000000000000000000000000000cafe")
                }
                assertEquals("aop.invalid-app-auth-token", unknown.subCode)
                val queries = emulator.callCount("alipay.open.auth.token.app.query")
                for (garbage in listOf("", "   ", "not a token at all", "202509BB\u0000secret", "令牌令牌")) {
                    val refused = assertThrows<AlipayException.Config> { registry.importToken(garbage) }
                    assertFalse(refused.reason().contains("secret"), refused.reason())
                }
                assertThrows<AlipayException.Config> { registry.importToken(revoked, "bad refresh token") }
                assertEquals(queries, emulator.callCount("alipay.open.auth.token.app.query"))
                assertTrue(registry.list().isEmpty())
            }
            Registry.inMemory().use { noClient ->
                val refused = assertThrows<AlipayException.Config> { noClient.importToken(expired) }
                assertContains(refused.reason(), "client")
            }
        }
    }

    @ParameterizedTest(name = "on {0}")
    @EnumSource(TestStore::class)
    fun `an imported token without refresh token is refused plainly once due`(store: TestStore) {
        Registries.emulator(Duration.ofSeconds(30)).use { emulator ->
            val console = consoleToken(emulator, "2021006600000004", "2088006600000004")
            Registry.open(store.fresh(dir, "due"), client = Emulators.client(emulator), refreshMargin = Duration.ofSeconds(60)).use { registry ->
                registry.importToken(console.appAuthToken)
                val refused = assertThrows<AlipayException.Store> { registry.tokenFor("2021006600000004") }
                assertContains(refused.reason(), "2021006600000004")
                assertContains(refused.reason(), "no app_refresh_token")
                assertContains(refused.reason(), "import a fresh token")
                assertFalse(refused.reason().contains(console.appAuthToken.substring(8)))
            }
        }
    }
}
