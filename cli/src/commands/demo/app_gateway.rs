//! The demo's application gateway (应用网关): a loopback HTTP endpoint in front of the library's
//! [`Gateway`], which verifies each notification the emulator pushes, stores what the registry keeps and
//! answers. The demo's order handler accepts each new order (接单) before `success` is answered; every
//! delivery (and its raw body, to replay Alipay's retries) is handed to the demo's steps.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use alipay_isv::gateway::{
    Delivery, DeliveryKind, Gateway, GatewayAnswer, GatewayResult, Received,
};
use alipay_isv::notify::Notification;
use alipay_isv::{Error, Result};

/// One request the gateway answered.
pub struct Arrival {
    /// The verified notification handed to the handler (none for a refused request or a retry of a
    /// handled one).
    pub delivery: Option<Delivery>,
    /// What the gateway answered and did.
    pub result: GatewayResult,
    /// The request's raw body, as Alipay sent it.
    pub body: Vec<u8>,
}

/// A running application gateway.
pub struct AppGateway {
    /// The URL the emulator posts to.
    pub url: String,
    /// The component answering each request.
    pub gateway: Arc<Gateway>,
    arrivals: Receiver<Arrival>,
    /// Arrivals a step skipped, for a later step: pushes travel on their own, in any order.
    pending: Mutex<VecDeque<Arrival>>,
}

impl AppGateway {
    /// Starts listening on a free loopback port; each order delivery goes to `on_order` before the
    /// answer.
    pub fn start(
        gateway: Gateway,
        on_order: impl Fn(&Delivery) -> Result<()> + Send + Sync + 'static,
    ) -> Result<AppGateway> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|error| Error::transport(format!("cannot listen: {error}"), false))?;
        let port = listener
            .local_addr()
            .map_err(|error| Error::transport(format!("no local address: {error}"), false))?
            .port();
        let (sender, arrivals) = channel();
        let gateway = Arc::new(gateway);
        let on_order = Arc::new(on_order);
        let serving = gateway.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let gateway = serving.clone();
                let on_order = on_order.clone();
                let sender = sender.clone();
                thread::spawn(move || serve(stream, &gateway, &*on_order, &sender));
            }
        });
        Ok(AppGateway {
            url: format!("http://127.0.0.1:{port}/alipay/gateway"),
            gateway,
            arrivals,
            pending: Mutex::new(VecDeque::new()),
        })
    }

    /// The next request answered, waiting up to `timeout`.
    pub fn next(&self, timeout: Duration) -> Result<Arrival> {
        self.arrivals.recv_timeout(timeout).map_err(|_| {
            Error::transport(
                format!("no notification reached the application gateway within {timeout:?}"),
                false,
            )
        })
    }

    /// The first delivered notification `pick` accepts — among those earlier steps skipped, then as they
    /// arrive (keeping the others for later steps), waiting up to `timeout` for each.
    pub fn next_delivery(
        &self,
        timeout: Duration,
        pick: impl Fn(&Notification) -> bool,
    ) -> Result<(Delivery, GatewayResult, Vec<u8>)> {
        let picked = |arrival: &Arrival| {
            arrival
                .delivery
                .as_ref()
                .is_some_and(|delivery| pick(&delivery.notification))
        };
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let found = match pending.iter().position(picked) {
            Some(position) => pending.remove(position),
            None => loop {
                let arrival = self.next(timeout)?;
                if picked(&arrival) {
                    break Some(arrival);
                }
                pending.push_back(arrival);
            },
        };
        match found {
            Some(Arrival {
                delivery: Some(delivery),
                result,
                body,
            }) => Ok((delivery, result, body)),
            _ => Err(Error::protocol(
                "the expected notification did not reach the application gateway",
            )),
        }
    }
}

/// Answers one connection: one POST through the gateway.
fn serve(
    stream: TcpStream,
    gateway: &Gateway,
    on_order: &(dyn Fn(&Delivery) -> Result<()> + Send + Sync),
    sender: &Sender<Arrival>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok((content_type, body)) = read_request(&stream, gateway.max_body_bytes()) else {
        write_answer(
            stream,
            &GatewayAnswer {
                status: 413,
                content_type: "text/plain; charset=utf-8".into(),
                body: "fail".into(),
            },
        );
        return;
    };
    let (delivery, result) = match gateway.receive(content_type.as_deref(), &body) {
        Received::Answer(result) => (None, result),
        Received::Deliver(delivery) => {
            let handled = match delivery.kind {
                DeliveryKind::Order => on_order(&delivery).map_err(|error| error.to_string()),
                _ => Ok(()),
            };
            let result = gateway.finish(&delivery, handled);
            (Some(*delivery), result)
        }
    };
    write_answer(stream, &result.answer);
    let _ = sender.send(Arrival {
        delivery,
        result,
        body,
    });
}

fn write_answer(mut stream: TcpStream, answer: &GatewayAnswer) {
    let _ = write!(
        stream,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        answer.status,
        if answer.status == 200 { "OK" } else { "Error" },
        answer.content_type,
        answer.body.len(),
        answer.body
    );
}

/// The request's content type and body, refusing a body over `limit` before reading it.
fn read_request(stream: &TcpStream, limit: usize) -> std::io::Result<(Option<String>, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    let mut content_type = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
    }
    if length > limit {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((content_type, body))
}
