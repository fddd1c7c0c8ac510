//! `portico-bench`: load and benchmark tools for Portico.
//!
//! - `load`: a sustained mixed load (API and portal pages) on a running server, with latency,
//!   errors and the server's memory over time.
//! - `proxy`: one address in front of several instances (connections in turn).
//! - `seed`: a dataset of subscribed and plain customers, written straight to the database.
//! - `measure`: one operation's throughput and latency at a fixed concurrency.
//! - `floor`: the machine's limits to read those against (a fixed-body HTTP server, and one
//!   durable SQLite insert per request).

mod client;
mod floor;
mod load;
mod measure;
mod proxy;
mod seed;
mod stats;

use clap::{Parser, Subcommand};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "portico-bench", about = "Load and benchmark tools for Portico")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A mixed load on a running Portico: prints a JSON report.
    Load {
        /// The server.
        #[arg(long, default_value = "http://127.0.0.1:12111")]
        base: String,
        /// A key of the account to use (a fresh `sk_test_` key in --dev).
        #[arg(long)]
        key: String,
        /// Virtual users working at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// How long to run.
        #[arg(long, default_value = "2m", value_parser = humantime::parse_duration)]
        duration: Duration,
        /// A server process id, to sample its memory (repeatable).
        #[arg(long = "pid")]
        pids: Vec<u32>,
        /// Write the report here too.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Seeds a database (no server may be running on it) and prints the fixture for `measure`.
    Seed {
        #[arg(long)]
        database_url: String,
        /// The key of the account to seed (the server must accept it).
        #[arg(long)]
        key: String,
        /// Customers in all.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// Of which subscribed (a card, an active subscription, its paid invoice).
        #[arg(long, default_value_t = 10_000)]
        subscribed: usize,
        /// Write the fixture here.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Measures one operation at a fixed concurrency; prints JSON.
    Measure {
        #[arg(long)]
        base: String,
        /// The operation (see the list in `measure.rs`).
        #[arg(long)]
        op: String,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
        duration: Duration,
        #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
        warmup: Duration,
        /// The fixture `seed` wrote (Portico's operations need it).
        #[arg(long)]
        fixture: Option<std::path::PathBuf>,
        /// The API key (default: the fixture's; localstripe takes any).
        #[arg(long)]
        key: Option<String>,
        /// The server's process id: report the CPU time it spends per operation.
        #[arg(long)]
        server_pid: Option<u32>,
    },
    /// Serves a floor: `http` (a fixed body) or `insert` (one durable SQLite insert per request).
    Floor {
        #[arg(value_enum)]
        kind: floor::Kind,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
        /// The insert floor's database file.
        #[arg(long)]
        db: Option<std::path::PathBuf>,
    },
    /// Forwards connections on one address to several instances in turn.
    Proxy {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:12111")]
        listen: std::net::SocketAddr,
        /// An instance (repeatable).
        #[arg(long = "to", required = true)]
        targets: Vec<std::net::SocketAddr>,
    },
}

/// The floors are served the way Portico serves, allocator included: with the system allocator
/// the fixed-body floor spent about a third more CPU a request (10.3 µs against 7.5), which made
/// it a lower bar than this machine allows. The load generator allocates with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load {
            base,
            key,
            concurrency,
            duration,
            pids,
            out,
        } => {
            let report = load::load(load::LoadArgs {
                base,
                key,
                concurrency,
                duration,
                pids,
            })
            .await?;
            let text = serde_json::to_string_pretty(&report)?;
            if let Some(path) = out {
                std::fs::write(path, &text)?;
            }
            println!("{text}");
            if report["errors"].as_u64() != Some(0) {
                anyhow::bail!("the load saw errors");
            }
        }
        Command::Proxy { listen, targets } => proxy::proxy(listen, targets).await?,
        Command::Seed {
            database_url,
            key,
            customers,
            subscribed,
            out,
        } => {
            let fixture = seed::seed(seed::SeedArgs {
                database_url,
                key,
                customers,
                subscribed,
            })
            .await?;
            std::fs::write(&out, serde_json::to_string_pretty(&fixture)?)?;
            println!("{}", fixture["seeded"]);
        }
        Command::Measure {
            base,
            op,
            concurrency,
            duration,
            warmup,
            fixture,
            key,
            server_pid,
        } => {
            anyhow::ensure!(
                measure::OPS.contains(&op.as_str()),
                "unknown operation {op}; one of: {}",
                measure::OPS.join(", ")
            );
            let fixture: Option<measure::Fixture> = match fixture {
                Some(p) => Some(serde_json::from_str(&std::fs::read_to_string(p)?)?),
                None => None,
            };
            let key = key
                .or_else(|| fixture.as_ref().map(|f| f.key.clone()))
                .unwrap_or_else(|| "sk_test_bench".into());
            let report = measure::measure(measure::MeasureArgs {
                base,
                op,
                concurrency,
                duration,
                warmup,
                fixture,
                key,
                server_pid,
            })
            .await?;
            println!("{report}");
        }
        Command::Floor { kind, listen, db } => floor::serve(kind, listen, db).await?,
    }
    Ok(())
}
