//! The three phases on one database server: the hosts started (in namespaces when they can be made),
//! the refresh stampede, the revocation across hosts, the database restart; each checked and printed.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::{AppAuthToken, StateCheck, app_auth_link, parse_app_auth_callback};
use alipay_isv::client::Client;
use alipay_isv::key::PublicKey;
use alipay_isv::registry::{DEFAULT_TOKEN_CACHE_TTL, Registry};
use alipay_isv_emulator::{APP_AUTH_CANCELLED, Emulator, EmulatorOptions};

use crate::network::Network;
use crate::processes::{HostProcess, field, number};
use crate::relay::Relay;
use crate::shared::{APP_ID, THREADS, TOKEN_METHOD, client, key_text, now_ms};

/// Hosts sharing the database.
const HOSTS: usize = 3;
/// Merchants whose tokens are due when the hosts start.
const MERCHANTS: usize = 12;
/// How many times each thread asks for each merchant's token in the refresh phase.
const ROUNDS: usize = 3;

/// A database server of `scripts/services/`.
#[derive(Clone, Copy)]
pub enum Service {
    /// PostgreSQL.
    Postgres,
    /// MySQL (MariaDB).
    Mysql,
}

impl Service {
    fn script_name(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Mysql => "mysql",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Service::Postgres => "PostgreSQL",
            Service::Mysql => "MySQL (MariaDB)",
        }
    }

    fn variable(self) -> &'static str {
        match self {
            Service::Postgres => "ALIPAY_ISV_TEST_POSTGRES_URL",
            Service::Mysql => "ALIPAY_ISV_TEST_MYSQL_URL",
        }
    }

    /// Runs `scripts/services/<name>.sh COMMAND`, returning its output.
    fn script(self, command: &str) -> String {
        let script = format!(
            "{}/../scripts/services/{}.sh",
            env!("CARGO_MANIFEST_DIR"),
            self.script_name()
        );
        let output = Command::new("bash")
            .args([&script, command])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} {command}: {}",
            self.script_name(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }
}

/// The server halted for the outage phase; started again when dropped, also when the test fails (the
/// tests after this one need it).
struct Outage {
    service: Service,
    halted: bool,
}

impl Outage {
    fn halt(&mut self) -> Duration {
        let started = Instant::now();
        self.service.script("halt");
        self.halted = true;
        started.elapsed()
    }

    fn resume(&mut self) -> Duration {
        let started = Instant::now();
        self.service.script("resume");
        self.halted = false;
        started.elapsed()
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if self.halted {
            self.service.script("resume");
        }
    }
}

/// The `host:port` of a database URL and where it sits in the URL.
fn authority(url: &str) -> (usize, usize) {
    let start = url.find('@').expect("the URL names a user") + 1;
    let end = start + url[start..].find('/').expect("the URL names a database");
    (start, end)
}

fn authorise(emulator: &Emulator, client: &Client) -> AppAuthToken {
    let link = app_auth_link(
        &emulator.base_url(),
        APP_ID,
        "http://127.0.0.1/cb",
        &[],
        None,
    )
    .unwrap();
    let location = emulator.merchant_authorizes(&link.url).unwrap();
    let callback =
        parse_app_auth_callback(&location, APP_ID, StateCheck::Expect(&link.state)).unwrap();
    let mut tokens = client
        .exchange_app_auth_code(&callback.app_auth_code)
        .unwrap();
    assert_eq!(tokens.len(), 1);
    tokens.remove(0)
}

/// Runs the three phases on `service`.
pub fn run(service: Service) {
    let started = Instant::now();
    assert!(
        std::env::var(service.variable()).is_ok(),
        "{} is not set: run `scripts/services/{}.sh start` and source its env file \
         (scripts/test-rust.sh does)",
        service.variable(),
        service.script_name()
    );
    let url = service.script("newdb");
    println!("== multi-host on {}", service.label());
    let network = match Network::create(HOSTS) {
        Ok(network) => {
            println!(
                "   hosts A, B, C: processes in network namespaces of their own, on a veth bridge"
            );
            Some(network)
        }
        Err(reason) => {
            println!(
                "   NETWORK NAMESPACES UNAVAILABLE ({reason}): hosts A, B, C are processes on loopback"
            );
            None
        }
    };
    let services_ip = network
        .as_ref()
        .map_or(Ipv4Addr::LOCALHOST, |network| network.services_ip);
    let (start, end) = authority(&url);
    let upstream: SocketAddr = url[start..end]
        .parse()
        .expect("the URL's host is an address");
    let relay = network
        .as_ref()
        .map(|_| Relay::start(services_ip, upstream).expect("the relay listens on the bridge"));
    let hosts_url = match &relay {
        Some(relay) => format!("{}{}{}", &url[..start], relay.address, &url[end..]),
        None => url.clone(),
    };

    let mut options = EmulatorOptions::new(
        APP_ID,
        PublicKey::from_text(&key_text("app_2048_public.pem")).unwrap(),
    );
    options.host = services_ip.to_string();
    options.app_auth_token_ttl = Duration::from_secs(3600);
    let emulator = Emulator::start(options).unwrap();
    let client = client(&emulator.gateway_url(), &emulator.alipay_public_key_pem());
    let registry = Registry::open_url(&url, None)
        .unwrap()
        .with_client(client.clone());

    // Every merchant authorised for real, stored as if its token expired in a minute: due for the
    // hosts (their margin is two minutes), while the emulator's refreshed tokens last an hour.
    let tokens: Vec<AppAuthToken> = (0..MERCHANTS)
        .map(|_| authorise(&emulator, &client))
        .collect();
    let due: Vec<AppAuthToken> = tokens
        .iter()
        .map(|token| AppAuthToken {
            expires_in: Some(60),
            ..token.clone()
        })
        .collect();
    registry.ingest_tokens(&due).unwrap();
    let merchants: Vec<String> = tokens
        .iter()
        .map(|token| token.auth_app_id.clone())
        .collect();

    let exe = std::env::current_exe().unwrap();
    let mut hosts: Vec<HostProcess> = (0..HOSTS)
        .map(|index| {
            let mut command = match &network {
                Some(network) => network.command(index, exe.to_str().unwrap()),
                None => Command::new(&exe),
            };
            command
                .arg("host")
                .env("MULTI_HOST_INDEX", index.to_string())
                .env("MULTI_HOST_DB", &hosts_url)
                .env("MULTI_HOST_GATEWAY", emulator.gateway_url())
                .env("MULTI_HOST_ALIPAY_KEY", emulator.alipay_public_key_pem());
            HostProcess::start((b'A' + index as u8) as char, command)
        })
        .collect();

    refresh_phase(&emulator, &registry, &mut hosts, &tokens, &merchants);
    revocation_phase(&emulator, &mut hosts, &merchants[0]);
    outage_phase(service, &registry, &mut hosts, &merchants[1..]);

    for host in hosts {
        host.quit();
    }
    drop(relay);
    drop(network);
    println!(
        "   {} passed in {:.1} s",
        service.label(),
        started.elapsed().as_secs_f64()
    );
}

fn refresh_phase(
    emulator: &Emulator,
    registry: &Registry,
    hosts: &mut [HostProcess],
    tokens: &[AppAuthToken],
    merchants: &[String],
) {
    let refreshes_before = emulator.call_count(TOKEN_METHOD);
    let start_ms = now_ms() + 300;
    let command = format!("refresh {start_ms} {ROUNDS} {}", merchants.join(","));
    for host in hosts.iter_mut() {
        host.send(&command);
    }
    let mut slowest = 0;
    let mut served = 0;
    for host in hosts.iter_mut() {
        let answer = host.answer("refresh", Duration::from_secs(120));
        assert_eq!(
            field(&answer, "errors"),
            "0",
            "host {}: {answer}",
            host.name
        );
        assert_eq!(field(&answer, "stale"), "0", "host {}: {answer}", host.name);
        let expected_calls = (THREADS * merchants.len()) as i64;
        assert_eq!(number(&answer, "calls"), expected_calls, "{answer}");
        assert_eq!(
            number(&answer, "served"),
            (ROUNDS as i64) * expected_calls,
            "{answer}"
        );
        served += number(&answer, "served");
        slowest = slowest.max(number(&answer, "elapsed_ms"));
    }
    let refreshes = emulator.call_count(TOKEN_METHOD) - refreshes_before;
    assert_eq!(
        refreshes,
        merchants.len() as u64,
        "exactly one refresh per merchant reaches the gateway"
    );
    for token in tokens {
        let record = registry.get(&token.auth_app_id).unwrap().unwrap();
        assert_ne!(
            record.app_auth_token, token.app_auth_token,
            "{} was refreshed",
            token.auth_app_id
        );
        assert!(record.refresh_lease.is_none(), "no lease is left behind");
    }
    println!(
        "   refresh: {} merchants due, {} hosts x {THREADS} threads asking at once: {refreshes} \
         refreshes reached the emulator (one per merchant); {served} tokens served, every one the \
         refreshed token; {} delegated calls answered 10000; all served within {slowest} ms",
        merchants.len(),
        hosts.len(),
        hosts.len() * THREADS * merchants.len(),
    );
}

fn revocation_phase(emulator: &Emulator, hosts: &mut [HostProcess], merchant: &str) {
    let bound_ms = DEFAULT_TOKEN_CACHE_TTL.as_millis() as i64;
    for host in &mut hosts[1..] {
        host.send(&format!("watch {merchant}"));
    }
    thread::sleep(Duration::from_millis(700));
    emulator.revoke(merchant).unwrap();
    let delivery = emulator
        .deliveries()
        .into_iter()
        .rev()
        .find(|delivery| delivery.kind == APP_AUTH_CANCELLED && delivery.auth_app_id == merchant)
        .expect("the emulator pushed the cancellation");
    let hex: String = delivery
        .body
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    hosts[0].send(&format!("revoke {hex}"));
    let answer = hosts[0].answer("revoke", Duration::from_secs(30));
    assert_eq!(field(&answer, "outcome"), "Applied", "{answer}");
    let committed_ms = number(&answer, "committed_ms");
    // The watchers go on for a second past the bound, so lookups after it are made (and refused).
    let watch_until = committed_ms + bound_ms + 1_000;
    thread::sleep(Duration::from_millis((watch_until - now_ms()).max(0) as u64));
    for host in &mut hosts[1..] {
        host.send("stop");
    }
    let mut latencies = Vec::new();
    for host in &mut hosts[1..] {
        let answer = host.answer("watch", Duration::from_secs(30));
        assert_eq!(field(&answer, "other"), "0", "host {}: {answer}", host.name);
        assert!(
            number(&answer, "served") > 0,
            "host {}: {answer}",
            host.name
        );
        assert!(
            number(&answer, "refused") > 0,
            "host {}: {answer}",
            host.name
        );
        let last_served_start = number(&answer, "last_served_start");
        assert!(
            last_served_start <= committed_ms + bound_ms,
            "host {} served the revoked merchant to a lookup that started {} ms after host A's \
             commit (bound {bound_ms} ms)",
            host.name,
            last_served_start - committed_ms
        );
        latencies.push(format!(
            "host {} after {} ms",
            host.name,
            number(&answer, "first_refused_end") - committed_ms
        ));
    }
    println!(
        "   revocation: pushed to host A and committed; refused by {} (bound {bound_ms} ms: no \
         lookup that started later was served)",
        latencies.join(", ")
    );
}

fn outage_phase(
    service: Service,
    registry: &Registry,
    hosts: &mut [HostProcess],
    merchants: &[String],
) {
    let directory =
        std::env::temp_dir().join(format!("alipay-isv-multi-host-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let files: Vec<_> = (0..hosts.len())
        .map(|index| directory.join(format!("host{index}.txt")))
        .collect();
    for (host, file) in hosts.iter_mut().zip(&files) {
        host.send(&format!("churn {} {}", file.display(), merchants.join(",")));
    }
    let mut outage = Outage {
        service,
        halted: false,
    };
    thread::sleep(Duration::from_millis(2_000));
    let halting = outage.halt();
    thread::sleep(Duration::from_millis(2_000));
    let resuming = outage.resume();
    // Two seconds of work after the restart, then the hosts report.
    thread::sleep(Duration::from_millis(2_000));
    for host in hosts.iter_mut() {
        host.send("stop");
    }
    let mut summaries = Vec::new();
    for host in hosts.iter_mut() {
        let answer = host.answer("churn", Duration::from_secs(60));
        assert_eq!(
            field(&answer, "other_errors"),
            "0",
            "host {}: {answer}",
            host.name
        );
        assert!(
            number(&answer, "store_errors") > 0,
            "host {} saw the outage: {answer}",
            host.name
        );
        assert!(
            number(&answer, "least_ok_after_last_error") > 0,
            "every thread of host {} worked again after the restart: {answer}",
            host.name
        );
        summaries.push(format!(
            "host {}: {} writes acknowledged, {} lookups served, {} Store errors",
            host.name,
            field(&answer, "writes"),
            field(&answer, "reads"),
            field(&answer, "store_errors")
        ));
    }
    let mut acknowledged = HashSet::new();
    for file in &files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            acknowledged.insert(line.to_string());
        }
    }
    let stored: HashMap<String, String> = registry
        .list()
        .expect("the test's registry works again after the restart")
        .into_iter()
        .map(|record| (record.auth_app_id, record.app_auth_token))
        .collect();
    for auth_app_id in &acknowledged {
        assert_eq!(
            stored.get(auth_app_id),
            Some(&format!("churn-token-{auth_app_id}")),
            "the acknowledged write {auth_app_id} is in the database after the restart"
        );
    }
    std::fs::remove_dir_all(&directory).unwrap();
    println!(
        "   restart: the server halted in {} ms, down 2 s, up again in {} ms; {}; hosts not \
         restarted; all {} acknowledged writes found afterwards ({} records in all)",
        halting.as_millis(),
        resuming.as_millis(),
        summaries.join("; "),
        acknowledged.len(),
        stored.len()
    );
}
