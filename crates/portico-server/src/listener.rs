//! Serving connections: HTTP/1.1 with the limits a public server needs — request heads over
//! 64 KiB are refused (431), a head must arrive within 10 seconds (slow clients are cut off), a
//! client may hold only so many connections at once — and each request tagged with the client's
//! address. Shutdown stops accepting and lets requests in flight finish.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// hyper's read buffer for a request head; heads beyond about twice this are refused (431).
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// How long a client may take to send a request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long requests in flight may take to finish at shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The connections each client address holds open.
#[derive(Default)]
struct Open(std::sync::Mutex<std::collections::HashMap<IpAddr, usize>>);

impl Open {
    /// Counts a new connection from `ip`, unless it already holds `cap`.
    fn take(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<Held> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Held(self.clone(), ip))
    }
}

/// One counted connection, uncounted when it ends.
struct Held(Arc<Open>, IpAddr);

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.0 .0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves. A client (not a `trusted` proxy)
/// holding `per_client` connections has more closed as they come, so that one client cannot
/// take every file descriptor the server has.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    trusted: Arc<[IpAddr]>,
    per_client: Option<usize>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Open::default());
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let builder = builder.http1_only();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let held = match per_client.filter(|_| !trusted.contains(&peer.ip())) {
            Some(cap) => match open.take(client_of(peer.ip()), cap) {
                Some(h) => Some(h),
                None => {
                    tracing::debug!(%peer, "connection refused: the client holds too many");
                    continue;
                }
            },
            None => None,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let trusted = trusted.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let client = if trusted.contains(&peer.ip()) {
                forwarded_client(req.headers(), &trusted).map_or(peer, |ip| SocketAddr::new(ip, 0))
            } else {
                peer
            };
            req.extensions_mut().insert(ConnectInfo(client));
            router.clone().oneshot(req)
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(held);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the shutdown grace period");
    }
    Ok(())
}

/// Whom a connection from `ip` counts against: the address itself, or for IPv6 its /64 (the
/// block one host is given, any address of which it may use); an IPv4 address written as IPv6
/// is that IPv4 address.
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// The client a request from a trusted proxy is for: the last address of `X-Forwarded-For`
/// (each proxy appends the one it saw) that is not itself a trusted proxy. `None` when the
/// header is missing or unreadable.
fn forwarded_client(headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut chain: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        for part in value.to_str().ok()?.split(',') {
            chain.push(part.trim().parse().ok()?);
        }
    }
    chain.into_iter().rev().find(|ip| !trusted.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_count_against_an_address_or_its_ipv6_block() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_of(ip("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(client_of(ip("::ffff:203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(client_of(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            client_of(ip("2001:db8:1:2:ffff::9")),
            client_of(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            client_of(ip("2001:db8:1:3::1")),
            client_of(ip("2001:db8:1:2::1"))
        );
    }

    #[test]
    fn the_client_is_the_last_address_a_trusted_proxy_did_not_add() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let inner: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(forwarded_client(&h, &[proxy]), None);
        // A client may send its own header; the proxy appends the address it saw.
        h.insert("x-forwarded-for", "1.2.3.4, 203.0.113.9".parse().unwrap());
        assert_eq!(
            forwarded_client(&h, &[proxy]),
            Some("203.0.113.9".parse().unwrap())
        );
        h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.2".parse().unwrap());
        assert_eq!(
            forwarded_client(&h, &[proxy, inner]),
            Some("203.0.113.9".parse().unwrap())
        );
        h.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(forwarded_client(&h, &[proxy]), None);
    }
}
