//! `portico-bench`: load and benchmark tools for Portico.
//!
//! - `load`: a sustained mixed load (API and portal pages) on a running server, with latency,
//!   errors and the server's memory over time.
//! - `proxy`: one address in front of several instances (connections in turn).

mod client;
mod load;
mod proxy;
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
    }
    Ok(())
}
