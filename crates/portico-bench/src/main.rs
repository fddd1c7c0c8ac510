//! `portico-bench`: load and benchmark tools for Portico.
//!
//! - `load`: a sustained mixed load (API and portal pages) on a running server, with latency,
//!   errors and the server's memory over time.

mod client;
mod load;
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
        /// The server's process id, to sample its memory.
        #[arg(long)]
        pid: Option<u32>,
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
            pid,
        } => {
            let report = load::load(load::LoadArgs {
                base,
                key,
                concurrency,
                duration,
                pid,
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}
