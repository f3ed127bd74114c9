//! Many instances, one registry. Three "hosts" — processes of their own, each in a network namespace of
//! its own joined to the test's by a veth pair and a bridge — share one PostgreSQL database (then one
//! MySQL/MariaDB database) and one emulator, with 8 threads each. The test checks, and prints:
//!
//! 1. **Exactly one refresh per merchant**: every merchant's token is due; the 24 threads ask for each
//!    token at once; exactly one refresh per merchant reaches the emulator, every token served is the
//!    refreshed one, and each works for a delegated call.
//! 2. **Revocation across hosts**: a cancellation pushed to host A is refused by hosts B and C from the
//!    token cache's bound on (no lookup that started later than the bound after A's commit is served);
//!    the latency is printed.
//! 3. **A database restart mid-run**: while the hosts store new authorisations and look tokens up, the
//!    server is halted and started again: the hosts see typed `Store` errors, then work again without
//!    being restarted, and every acknowledged write is in the database afterwards.
//!
//! The database servers are those of `scripts/services/` (scripts/test-rust.sh starts them; cargo
//! feature `sql-store-tests`). The hosts reach them through a relay on the bridge (the servers listen on
//! loopback only). Network namespaces need root; without them the hosts run as plain processes on
//! loopback, and the test says so in its output.

mod host;
mod network;
mod processes;
mod relay;
mod scenario;
mod shared;

use std::time::Instant;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("host") {
        host::run();
        return;
    }
    let started = Instant::now();
    for service in [scenario::Service::Postgres, scenario::Service::Mysql] {
        scenario::run(service);
    }
    println!(
        "multi_host: PostgreSQL and MySQL passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
