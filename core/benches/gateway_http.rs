//! Notifications per second through the [`Gateway`] over HTTP on loopback: signed order messages (each a
//! new order, as Alipay sends them) posted by 4 keep-alive connections to a small HTTP/1.1 server whose
//! handler is `Gateway::handle` (verify, store, run the order handler, mark handled, answer). Into a SQLite
//! registry (WAL, `synchronous=FULL`), and the same into a registry in memory (no disk write). Prints the
//! rate and the latency percentiles seen by the poster; run with
//! `cargo bench -p alipay-isv --bench gateway_http` (release build).
//!
//! The bodies are signed before the clock starts: the Alipay side's signing is not what is measured.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::config::IsvConfig;
use alipay_isv::gateway::Gateway;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::notify::SignedForm;
use alipay_isv::registry::Registry;
use alipay_isv::sign::{Charset, SignType, Signer};

const APP_ID: &str = "2021000000000001";
const CONNECTIONS: usize = 4;
const PER_CONNECTION: usize = 1_500;

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

/// An order message signed as the gateway signs them (V1, empty values kept).
fn order_body(signer: &Signer, connection: usize, index: usize) -> Vec<u8> {
    let id = format!("2026120700{connection:04}{index:010}");
    let mut params: Vec<(String, String)> = [
        ("notify_id", format!("bench-{connection}-{index}")),
        ("notify_type", "servicemarket_order_notify".into()),
        ("notify_time", "2026-12-07 10:00:00".into()),
        ("app_id", APP_ID.into()),
        ("charset", "UTF-8".into()),
        ("version", "1.0".into()),
        ("commodity_order_id", id),
        ("merchant_pid", "2088000000000042".into()),
        (
            "consumer_miniAppId",
            format!("2021{connection:04}{index:08}"),
        ),
        ("title", "插件订购".into()),
        ("contactor", "张三".into()),
        ("phone", "13800000000".into()),
        ("order_time", "2026-12-07 10:00:00".into()),
        ("total_price", "0.00".into()),
        ("order_item_num", "1".into()),
        ("isv_ticket", String::new()),
        ("sign_type", "RSA2".into()),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value))
    .collect();
    let form = SignedForm {
        sign_type_signed: false,
        empty_values_signed: true,
        alipay_cert_sn_signed: true,
    };
    let sign = signer.sign(&form.content(&params)).unwrap();
    params.push(("sign".into(), sign));
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
        .into_bytes()
}

/// Reads one HTTP/1.1 message's headers and body; `None` at the end of the connection.
fn read_message(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut first = String::new();
    if reader.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((first, body))
}

/// Serves `gateway` on a loopback port, one thread per keep-alive connection.
fn serve(gateway: Arc<Gateway>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let gateway = gateway.clone();
            thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                while let Some((_, body)) = read_message(&mut reader) {
                    let result = gateway.handle(
                        Some("application/x-www-form-urlencoded; charset=utf-8"),
                        &body,
                        |_| Ok::<(), String>(()),
                    );
                    let answer = result.answer;
                    let written = write!(
                        writer,
                        "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
                        answer.status,
                        answer.content_type,
                        answer.body.len(),
                        answer.body
                    );
                    if written.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// Posts every body of each connection in turn; the latencies of all posts, and the wall time.
fn post_all(port: u16, bodies: Vec<Vec<Vec<u8>>>) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let workers: Vec<_> = bodies
        .into_iter()
        .map(|bodies| {
            thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut latencies = Vec::with_capacity(bodies.len());
                for body in bodies {
                    let sent = Instant::now();
                    write!(
                        writer,
                        "POST /alipay/gateway HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \
                         application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .unwrap();
                    writer.write_all(&body).unwrap();
                    let (status, answer) = read_message(&mut reader).unwrap();
                    assert!(status.contains(" 200 "), "{status}");
                    assert_eq!(answer, b"success");
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|worker| worker.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    latencies.sort();
    (latencies, elapsed)
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

fn main() {
    let app_private = Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap());
    let alipay_private =
        Arc::new(PrivateKey::from_text(&key_file("alipay_2048_pkcs8.pem")).unwrap());
    let alipay_public =
        Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap());
    let config = IsvConfig::builder(APP_ID, app_private, alipay_public)
        .build()
        .unwrap();
    let signer = Signer::new(alipay_private, SignType::Rsa2, Charset::Utf8).unwrap();

    let path = std::env::temp_dir().join(format!(
        "alipay-isv-bench-gateway-{}.db",
        std::process::id()
    ));
    let registries: Vec<(&str, Registry)> = vec![
        (
            "SQLite registry (WAL, synchronous=FULL)",
            Registry::open(&path, None).unwrap(),
        ),
        ("registry in memory (no disk write)", Registry::in_memory()),
    ];
    println!(
        "{CONNECTIONS} keep-alive connections × {PER_CONNECTION} order messages, each a new order\n"
    );
    println!("| registry | notifications/s | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (round, (name, registry)) in registries.into_iter().enumerate() {
        let bodies: Vec<Vec<Vec<u8>>> = (0..CONNECTIONS)
            .map(|connection| {
                (0..PER_CONNECTION)
                    .map(|index| order_body(&signer, round * CONNECTIONS + connection, index))
                    .collect()
            })
            .collect();
        let registry = Arc::new(registry);
        let port = serve(Arc::new(Gateway::new(&config, registry.clone())));
        let (latencies, elapsed) = post_all(port, bodies);
        assert_eq!(
            registry.orders().unwrap().len(),
            CONNECTIONS * PER_CONNECTION
        );
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.2} |",
            latencies.len() as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
