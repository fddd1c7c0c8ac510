//! `portico-bench floor`: what this machine can do at most, for Portico's figures to be read
//! against, served the way Portico serves (hyper, HTTP/1.1, keep-alive, the same runtime and
//! allocator):
//!
//! - `http`: every request answered with a fixed JSON body, nothing else;
//! - `insert`: every POST stores its body as one row of SQLite (WAL, `synchronous=FULL`, as
//!   Portico runs it) in a transaction of its own, durable when answered.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// A small Stripe-sized object.
const BODY: &str = r#"{"id":"cus_0000000000000000000000","object":"customer","address":null,"balance":0,"created":1790000000,"currency":null,"default_source":null,"delinquent":false,"description":null,"discount":null,"email":"floor@example.com","invoice_prefix":"ABCDEF12","invoice_settings":{"custom_fields":null,"default_payment_method":null,"footer":null,"rendering_options":null},"livemode":false,"metadata":{},"name":null,"next_invoice_sequence":1,"phone":null,"preferred_locales":[],"shipping":null,"tax_exempt":"none","test_clock":null}"#;

/// Which floor.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    Http,
    Insert,
}

/// Serves the floor until the process is stopped.
pub async fn serve(kind: Kind, listen: SocketAddr, db: Option<PathBuf>) -> anyhow::Result<()> {
    let conn = match kind {
        Kind::Http => None,
        Kind::Insert => {
            let path = db.ok_or_else(|| anyhow::anyhow!("--db is needed for the insert floor"))?;
            let c = rusqlite::Connection::open(path)?;
            c.pragma_update(None, "journal_mode", "WAL")?;
            c.pragma_update(None, "synchronous", "FULL")?;
            c.execute_batch(
                "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, created INTEGER NOT NULL, data TEXT NOT NULL)",
            )?;
            Some(Arc::new(Mutex::new(c)))
        }
    };
    let listener = TcpListener::bind(listen).await?;
    println!("floor ({kind:?}) on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let conn = conn.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let conn = conn.clone();
                async move { answer(req, conn).await }
            });
            let _ = auto::Builder::new(TokioExecutor::new())
                .http1_only()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    req: Request<Incoming>,
    conn: Option<Arc<Mutex<rusqlite::Connection>>>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let body = req.into_body().collect().await?.to_bytes();
    let status = match conn {
        None => 200,
        Some(conn) => {
            let stored = tokio::task::spawn_blocking(move || -> rusqlite::Result<()> {
                let mut c = conn.lock().expect("the floor's connection");
                let tx = c.transaction()?;
                tx.execute(
                    "INSERT INTO rows (created, data) VALUES (?1, ?2)",
                    rusqlite::params![1_790_000_000i64, String::from_utf8_lossy(&body)],
                )?;
                tx.commit()
            })
            .await;
            if matches!(stored, Ok(Ok(()))) {
                200
            } else {
                500
            }
        }
    };
    let mut r = Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(r)
}
