//! `portico-bench proxy`: one address in front of several Portico instances, as a TCP load
//! balancer would put them: each new connection goes to the next instance in turn, skipping
//! instances that refuse connections. For trying a cluster on one machine; not for production.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Forwards connections on `listen` to `targets` in turn until the process is stopped.
pub async fn proxy(listen: SocketAddr, targets: Vec<SocketAddr>) -> anyhow::Result<()> {
    anyhow::ensure!(!targets.is_empty(), "give at least one --to address");
    let listener = TcpListener::bind(listen).await?;
    println!(
        "proxy on http://{} → {}",
        listener.local_addr()?,
        targets
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let targets = Arc::new(targets);
    let next = Arc::new(AtomicUsize::new(0));
    loop {
        let (mut inbound, _) = match listener.accept().await {
            Ok(c) => c,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let (targets, next) = (targets.clone(), next.clone());
        tokio::spawn(async move {
            let _ = inbound.set_nodelay(true);
            let first = next.fetch_add(1, Ordering::Relaxed);
            for i in 0..targets.len() {
                let target = targets[(first + i) % targets.len()];
                let connect = TcpStream::connect(target);
                if let Ok(Ok(mut outbound)) =
                    tokio::time::timeout(Duration::from_secs(2), connect).await
                {
                    let _ = outbound.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    return;
                }
            }
        });
    }
}
