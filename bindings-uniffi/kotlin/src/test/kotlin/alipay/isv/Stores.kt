package alipay.isv

import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlin.test.fail

/**
 * The stores the registry tests run on (`@EnumSource(TestStore::class)`): a SQLite file in the test's
 * temporary directory, and a fresh database in the PostgreSQL and the MySQL (MariaDB) servers that
 * scripts/test-kotlin.sh starts on loopback (`scripts/services/postgres.sh`, `scripts/services/mysql.sh`)
 * and names in `ALIPAY_ISV_TEST_POSTGRES_URL` / `ALIPAY_ISV_TEST_MYSQL_URL`.
 *
 * Every test gets a database of its own (`scripts/services/<name>.sh newdb`, run as a subprocess: about
 * 0.1 s), so no test sees another's records and none depends on the order they run in — the registry
 * tests count records (`list().size`, `orders()`) and reuse merchant ids, which a shared database would
 * mix up. Without the environment variable a server run FAILS, saying which script to run: it is never
 * skipped.
 */
enum class TestStore(val kind: StoreKind, private val service: String?, private val product: String?) {
    SQLITE(StoreKind.SQLITE, null, null),
    POSTGRES(StoreKind.POSTGRES, "postgres", "PostgreSQL"),
    MYSQL(StoreKind.MYSQL, "mysql", "MySQL (MariaDB)"),
    ;

    /** Whether the store is a database server (shared by processes and hosts). */
    val isServer: Boolean get() = service != null

    /** The environment variable of the server's URL (`ALIPAY_ISV_TEST_POSTGRES_URL`, …). */
    private val urlVariable: String get() = "ALIPAY_ISV_TEST_${name}_URL"

    /**
     * The URL of the run's database in the server, which `scripts/services/<name>.sh start` wrote to its
     * env file (it holds the test user's password: never put it in a message).
     */
    fun baseUrl(): String {
        check(isServer) { "$name is not a server" }
        return System.getenv(urlVariable) ?: fail(
            "$urlVariable is not set: the registry tests run on $product too. Run scripts/test-kotlin.sh " +
                "(it starts and stops the servers), or start one with `scripts/services/$service.sh start` " +
                "and export what it wrote to \${ALIPAY_ISV_SERVICES_ROOT:-target/services}/$service/env " +
                "(`set -a; source …/env; set +a`) before `mvn test`.",
        )
    }

    /** The CA certificate of the server's TLS (`ALIPAY_ISV_TEST_<NAME>_CA`). */
    fun caFile(): String {
        val variable = "ALIPAY_ISV_TEST_${name}_CA"
        return System.getenv(variable) ?: fail(
            "$variable is not set: source \${ALIPAY_ISV_SERVICES_ROOT:-target/services}/$service/env " +
                "(written by `scripts/services/$service.sh start` when openssl is installed).",
        )
    }

    /** A fresh, empty registry: the file `name.db` in `dir`, or a new database in the server. */
    fun fresh(dir: Path, name: String): String =
        if (isServer) Stores.newDatabase(this, service!!) else dir.resolve("$name.db").toString()
}

object Stores {
    /** The repository (the pom passes it as `repo.root`). */
    private val repoRoot: Path = Path.of(
        System.getProperty("repo.root") ?: System.getProperty("vectors.dir")?.let { "$it/../.." } ?: "../..",
    ).toAbsolutePath().normalize()

    /** A new empty database in the running `service` (`scripts/services/<service>.sh newdb`): its URL. */
    fun newDatabase(store: TestStore, service: String): String {
        store.baseUrl() // fails saying what to run when the server was not started
        val script = repoRoot.resolve("scripts/services/$service.sh")
        val process = ProcessBuilder(script.toString(), "newdb")
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .start()
        val out = process.inputStream.bufferedReader().readText()
        val err = process.errorStream.bufferedReader().readText()
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            fail("`scripts/services/$service.sh newdb` did not finish within 60 s")
        }
        if (process.exitValue() != 0) {
            // The script's messages name no password; its output (the URL) is not shown.
            fail(
                "`scripts/services/$service.sh newdb` failed (exit ${process.exitValue()}): ${err.trim()} — is the " +
                    "server of ALIPAY_ISV_SERVICES_ROOT=${System.getenv("ALIPAY_ISV_SERVICES_ROOT") ?: "(unset)"} running?",
            )
        }
        val url = out.trim().lines().last()
        check(url.startsWith("$service://")) { "`scripts/services/$service.sh newdb` printed no $service:// URL" }
        return url
    }

    /** The password of `url` (`scheme://user:password@…`). */
    fun password(url: String): String = url.substringAfter("://").substringBefore('@').substringAfter(':')

    /** The user of `url`. */
    fun user(url: String): String = url.substringAfter("://").substringBefore('@').substringBefore(':')

    /** `url` with `parameter` (`name=value`) added to its query. */
    fun withParam(url: String, parameter: String): String = url + (if ('?' in url) "&" else "?") + parameter
}
