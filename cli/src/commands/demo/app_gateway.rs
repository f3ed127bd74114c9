//! The demo's application gateway (应用网关): a loopback HTTP endpoint that receives the notifications the
//! emulator pushes, verifies each with the Alipay public key, answers `success`, and hands the verified
//! notification to the demo.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::Duration;

use alipay_isv::notify::{Notification, NotificationVerifier, SUCCESS_ACK};
use alipay_isv::{Error, Result};

/// A running application gateway.
pub struct AppGateway {
    /// The URL the emulator posts to.
    pub url: String,
    received: Receiver<Result<Notification>>,
}

impl AppGateway {
    /// Starts listening on a free loopback port.
    pub fn start(verifier: NotificationVerifier) -> Result<AppGateway> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|error| Error::transport(format!("cannot listen: {error}"), false))?;
        let port = listener
            .local_addr()
            .map_err(|error| Error::transport(format!("no local address: {error}"), false))?
            .port();
        let (sender, received) = channel();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let verifier = verifier.clone();
                let sender = sender.clone();
                thread::spawn(move || serve(stream, &verifier, &sender));
            }
        });
        Ok(AppGateway {
            url: format!("http://127.0.0.1:{port}/alipay/gateway"),
            received,
        })
    }

    /// The next verified notification, waiting up to `timeout`.
    pub fn next(&self, timeout: Duration) -> Result<Notification> {
        self.received.recv_timeout(timeout).map_err(|_| {
            Error::transport(
                format!("no notification reached the application gateway within {timeout:?}"),
                false,
            )
        })?
    }
}

/// Answers one connection: one POST, verified, `success` when it verifies.
fn serve(
    stream: TcpStream,
    verifier: &NotificationVerifier,
    sender: &Sender<Result<Notification>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(body) = read_request_body(&stream) else {
        return;
    };
    let outcome = verifier.verify_body(&body);
    let answer = if outcome.is_ok() { SUCCESS_ACK } else { "fail" };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
    let _ = sender.send(outcome);
}

fn read_request_body(stream: &TcpStream) -> std::io::Result<Vec<u8>> {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length.min(1024 * 1024)];
    reader.read_exact(&mut body)?;
    Ok(body)
}
