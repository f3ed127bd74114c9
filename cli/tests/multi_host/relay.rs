//! A TCP relay on the bridge's address to a database server that listens on loopback only: each
//! connection a host opens is relayed to a new connection to the server, byte for byte, and closed when
//! either side closes. While the server is down, a host's connection is accepted and closed at once, as a
//! refused connection would be.

use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// A running relay; stops accepting when dropped.
pub struct Relay {
    /// Where the hosts connect.
    pub address: SocketAddr,
    stopping: Arc<AtomicBool>,
}

impl Relay {
    /// Relays `listen_ip:<any port>` to `upstream`.
    pub fn start(listen_ip: Ipv4Addr, upstream: SocketAddr) -> io::Result<Relay> {
        let listener = TcpListener::bind((listen_ip, 0))?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        thread::spawn(move || {
            for downstream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(downstream) = downstream else { continue };
                match TcpStream::connect(upstream) {
                    Ok(upstream) => pipe(downstream, upstream),
                    Err(_) => {
                        let _ = downstream.shutdown(Shutdown::Both);
                    }
                }
            }
        });
        Ok(Relay { address, stopping })
    }
}

/// Copies both ways on two threads; each direction's end closes the other side's writing half.
fn pipe(downstream: TcpStream, upstream: TcpStream) {
    let _ = downstream.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    for (from, to) in [
        (downstream.try_clone(), upstream.try_clone()),
        (upstream.try_clone(), downstream.try_clone()),
    ] {
        let (Ok(mut from), Ok(mut to)) = (from, to) else {
            continue;
        };
        thread::spawn(move || {
            let _ = io::copy(&mut from, &mut to);
            let _ = to.shutdown(Shutdown::Both);
            let _ = from.shutdown(Shutdown::Both);
        });
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accepting thread so it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}
