//! The listener: a thread accepting connections, one thread per connection (256 at most), HTTP/1.1
//! keep-alive with an idle timeout, routing to the gateway, the pages and the admin endpoints, and a
//! shutdown that wakes `accept` and closes open connections.

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::gateway::{self, Outcome};
use crate::http::request::{Incoming, Request, RequestReader};
use crate::http::response::Response;
use crate::shared::{Shared, lock};
use crate::{admin, console, pages};

/// The most connections served at once; more are answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 256;
/// How long an idle keep-alive connection (or a stalled request) is kept open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts the accept loop on its own thread.
pub fn spawn(shared: Arc<Shared>, listener: TcpListener) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("alipay-emulator-accept".into())
        .spawn(move || accept_loop(&shared, &listener))
}

fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener) {
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        let Ok(mut stream) = stream else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if lock(&shared.connections).len() >= MAX_CONNECTIONS {
            let _ = Response::text(503, "too many connections\n").write_to(&mut stream, false);
            continue;
        }
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        if let Ok(registered) = stream.try_clone() {
            lock(&shared.connections).insert(id, registered);
        }
        let worker = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("alipay-emulator-conn".into())
            .spawn(move || {
                serve(&worker, stream);
                lock(&worker.connections).remove(&id);
            });
        if spawned.is_err() {
            lock(&shared.connections).remove(&id);
        }
    }
}

/// Serves one connection until it closes, idles out, or the emulator stops.
fn serve(shared: &Arc<Shared>, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(reading) = stream.try_clone() else {
        return;
    };
    let mut reader = RequestReader::new(reading);
    let mut writer = stream;
    while !shared.is_stopping() {
        let request = match reader.next_request() {
            Incoming::Request(request) => request,
            Incoming::Closed => break,
            Incoming::Reject(response) => {
                let _ = response.write_to(&mut writer, false);
                break;
            }
        };
        match route(shared, &request) {
            Outcome::Respond(response) => {
                if response.write_to(&mut writer, request.keep_alive).is_err()
                    || !request.keep_alive
                {
                    break;
                }
            }
            Outcome::Truncate(response) => {
                let half = &response.body[..response.body.len() / 2];
                let mut bytes = response.head(false, response.body.len());
                bytes.extend_from_slice(half);
                let _ = writer.write_all(&bytes);
                let _ = writer.flush();
                break;
            }
            Outcome::Reset => {
                let _ = socket2::SockRef::from(&writer).set_linger(Some(Duration::ZERO));
                drop(reader);
                return;
            }
            Outcome::Hang => {
                while !shared.is_stopping() {
                    std::thread::sleep(Duration::from_millis(50));
                }
                break;
            }
            Outcome::Trickle(response, pause) => {
                let mut bytes = response.head(false, response.body.len());
                bytes.extend_from_slice(&response.body);
                for byte in bytes {
                    if shared.is_stopping() || writer.write_all(&[byte]).is_err() {
                        break;
                    }
                    let _ = writer.flush();
                    gateway::sleep_unless_stopping(shared, pause);
                }
                break;
            }
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

/// Sends a request to its handler.
fn route(shared: &Arc<Shared>, request: &Request) -> Outcome {
    let method = request.method.as_str();
    let query = request.query();
    let get = method == "GET";
    let response = match request.path() {
        "/gateway.do" if get || method == "POST" => return gateway::handle(shared, request),
        path if path.starts_with("/v3/") => return gateway::v3::handle(shared, request),
        "/oauth2/appToAppAuth.htm" if get => pages::app_to_app_auth(shared, query),
        "/oauth2/appToAppBatchAuth.htm" if get => pages::app_to_app_batch_auth(shared, query),
        "/page/message/tasksDetail" if get => pages::tasks_detail(shared, query),
        "/oauth2/publicAppAuthorize.htm" if get => pages::public_app_authorize(shared, query),
        "/emulator/revoke" if method == "POST" => admin::revoke_endpoint(shared, query),
        "/emulator/servicemarket/subscribe" if method == "POST" => {
            crate::servicemarket::subscribe_endpoint(shared, query)
        }
        "/emulator/alipay-public-key" if get => admin::public_key_endpoint(shared),
        "/emulator/stats" if get => admin::stats_endpoint(shared),
        "/emulator/console/app-auth-token" if get => {
            console::app_auth_token_endpoint(shared, query)
        }
        "/gateway.do"
        | "/oauth2/appToAppAuth.htm"
        | "/oauth2/appToAppBatchAuth.htm"
        | "/page/message/tasksDetail"
        | "/oauth2/publicAppAuthorize.htm"
        | "/emulator/revoke"
        | "/emulator/servicemarket/subscribe"
        | "/emulator/alipay-public-key"
        | "/emulator/stats"
        | "/emulator/console/app-auth-token" => Response::text(405, "method not allowed\n"),
        _ => Response::text(404, "not found\n"),
    };
    Outcome::Respond(response)
}

/// Stops serving: flags the threads, wakes `accept`, closes open connections, joins the accept thread.
pub fn stop(shared: &Shared, local_addr: SocketAddr, accept_thread: Option<JoinHandle<()>>) {
    if shared.stopping.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut wake = local_addr;
    if wake.ip().is_unspecified() {
        wake.set_ip(match wake {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let woke = TcpStream::connect_timeout(&wake, Duration::from_secs(2)).is_ok();
    for connection in lock(&shared.connections).values() {
        let _ = connection.shutdown(Shutdown::Both);
    }
    shared.deliveries_changed.notify_all();
    if let Some(handle) = accept_thread
        && woke
    {
        let _ = handle.join();
    }
}
