//! `portico`: the command line. `portico serve` runs the Stripe-compatible server.

// Two exceptions, system calls (`tune_c_allocator`, `raise_open_file_limit`), are allowed where
// they stand; nothing else may be unsafe.
#![deny(unsafe_code)]

mod demo;
mod listen;
mod log_line;
mod mail_cmd;
mod portal_cmd;
mod webhooks_cmd;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use portico_server::webhooks::WebhookSettings;
use portico_server::ServeConfig;
use std::fmt;
use std::net::SocketAddr;
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "A self-hosted, stateful, Stripe-compatible customer portal server"
)]
struct Cli {
    /// Log format.
    #[arg(long, env = "PORTICO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server.
    Serve(ServeArgs),
    /// Follow a running Portico's events and forward them, signed, to a local URL.
    Listen(listen::ListenArgs),
    /// Webhook deliveries: list them, or send an event again.
    Webhooks(webhooks_cmd::WebhooksArgs),
    /// A demo: a server with a seeded business, and a portal link for every flow.
    Demo(demo::DemoArgs),
    /// Portal links, the default configuration and the account's branding.
    Portal(portal_cmd::PortalArgs),
    /// Creates a portal session for a customer and prints its link (`portico portal link`).
    PortalLink(portal_cmd::LinkArgs),
    /// The email Portico wrote (portal login links): the outbox, or what was sent.
    Mail(mail_cmd::MailArgs),
}

/// An API key: shown as `sk_…****` in logs and debug output.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.0.chars().take(8).collect();
        write!(f, "{prefix}****")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PORTICO_LISTEN", default_value = "127.0.0.1:12111")]
    listen: SocketAddr,
    /// Database: `sqlite://PATH` (embedded, the default) or `postgres://…` (shared).
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://./.portico/portico.db"
    )]
    database_url: String,
    /// Base URL of the links Portico hands out (default: derived from --listen).
    #[arg(long, env = "PORTICO_PUBLIC_URL")]
    public_url: Option<String>,
    /// A secret key to accept (repeatable; comma-separated in the env var). Each key is its own account.
    #[arg(
        long = "api-key",
        env = "PORTICO_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    api_keys: Vec<Secret>,
    /// A key sealing the secrets Portico stores and must read back (webhook signing secrets,
    /// saved idempotent responses, emailed sign-in links): 32 random bytes in base64, e.g. from
    /// `openssl rand -base64 32`. Repeatable (comma-separated in the env var) to rotate: the
    /// first seals, all open. Every instance sharing a database needs the same keys. Without
    /// one, a key kept in the database itself is used.
    #[arg(long = "data-key", env = "PORTICO_DATA_KEYS", value_delimiter = ',', hide_env_values = true, value_parser = data_key)]
    data_keys: Vec<portico_server::seal::DataKey>,
    /// A password for the operators' dashboard (`/dashboard`): signed in with it, an operator
    /// may open any account. Without it, the dashboard takes only an account's secret key.
    #[arg(long, env = "PORTICO_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<Secret>,
    /// Development mode: accept any `sk_test_…` key, each distinct key its own empty account.
    #[arg(long, env = "PORTICO_DEV")]
    dev: bool,
    /// The accounts' default currency (a Stripe account's settlement currency): an invoice or
    /// invoice item for a customer with no currency of their own is in it.
    #[arg(long, env = "PORTICO_DEFAULT_CURRENCY", default_value = "usd", value_parser = currency_code)]
    default_currency: String,
    #[command(flatten)]
    webhooks: WebhookArgs,
    /// A portal session link not opened within this long expires.
    #[arg(long, env = "PORTICO_PORTAL_LINK_TTL", default_value = "5m", value_parser = humantime::parse_duration)]
    portal_link_ttl: std::time::Duration,
    /// An opened portal session ends after this long without use.
    #[arg(long, env = "PORTICO_PORTAL_SESSION_IDLE", default_value = "1h", value_parser = humantime::parse_duration)]
    portal_session_idle: std::time::Duration,
    /// API requests allowed per second per API key, with bursts of twice that; 0 turns the limit
    /// off (default: 100, off in --dev).
    #[arg(long, env = "PORTICO_RATE_LIMIT_PER_KEY")]
    rate_limit_per_key: Option<f64>,
    /// Requests (API and pages) allowed per second per client IP address, with bursts of twice
    /// that; 0 turns the limit off (default: 200, off in --dev).
    #[arg(long, env = "PORTICO_RATE_LIMIT_PER_CLIENT")]
    rate_limit_per_client: Option<f64>,
    /// Connections one client (IP address) may hold open at once, more are closed as they come;
    /// 0 turns the limit off (default: 256, off in --dev). A trusted proxy's connections are not
    /// limited.
    #[arg(long, env = "PORTICO_MAX_CONNECTIONS_PER_CLIENT")]
    max_connections_per_client: Option<usize>,
    /// Login-page requests allowed per email address in ten minutes.
    #[arg(long, env = "PORTICO_LOGIN_LIMIT_PER_ADDRESS", default_value_t = 3)]
    login_limit_per_address: usize,
    /// Login-page requests allowed per client (IP address) in ten minutes.
    #[arg(long, env = "PORTICO_LOGIN_LIMIT_PER_CLIENT", default_value_t = 10)]
    login_limit_per_client: usize,
    /// A proxy or load balancer in front of Portico (an IP address; repeat for several, or
    /// comma-separated in the environment): for requests from it, the client is the last
    /// address of `X-Forwarded-For` that is not a trusted proxy, and the per-client limits
    /// count that client.
    #[arg(long, env = "PORTICO_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// Send email (portal login links) through this SMTP server:
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://user:pass@host:465` (TLS), or
    /// `smtp://host:25` (no TLS, for a local relay). Without it, email stays in the outbox
    /// (`portico mail list`).
    #[arg(long, env = "PORTICO_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<Secret>,
    /// The address email is sent from.
    #[arg(long, env = "PORTICO_MAIL_FROM", default_value = "portal@localhost")]
    mail_from: String,
}

/// How webhooks are delivered.
#[derive(Args, Debug)]
struct WebhookArgs {
    /// Deliver webhooks to loopback and private-network addresses (default: only in --dev).
    #[arg(long, env = "PORTICO_WEBHOOK_ALLOW_PRIVATE", num_args = 0..=1, default_missing_value = "true")]
    webhook_allow_private: Option<bool>,
    /// Waits between attempts after a failed delivery, e.g. `1m,5m,30m,2h`; the last repeats
    /// (default: 1m backing off to 24h; in --dev 1s,2s,5s,… backing off to 24h).
    #[arg(long, env = "PORTICO_WEBHOOK_RETRY_SCHEDULE", value_delimiter = ',', value_parser = humantime::parse_duration)]
    webhook_retry_schedule: Vec<std::time::Duration>,
    /// Stop retrying this long after the event.
    #[arg(long, env = "PORTICO_WEBHOOK_RETRY_FOR", default_value = "3d", value_parser = humantime::parse_duration)]
    webhook_retry_for: std::time::Duration,
    /// How long one delivery attempt may take.
    #[arg(long, env = "PORTICO_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    webhook_timeout: std::time::Duration,
}

impl WebhookArgs {
    fn settings(&self, dev: bool) -> anyhow::Result<WebhookSettings> {
        let mut s = if dev {
            WebhookSettings::dev()
        } else {
            WebhookSettings::production()
        };
        if let Some(allow) = self.webhook_allow_private {
            s.allow_private = allow;
        }
        if !self.webhook_retry_schedule.is_empty() {
            s.retry_schedule = self
                .webhook_retry_schedule
                .iter()
                .map(|d| d.as_secs().max(1) as i64)
                .collect();
        }
        s.retry_for = self.webhook_retry_for.as_secs() as i64;
        if self.webhook_timeout.is_zero() {
            anyhow::bail!("--webhook-timeout must be more than zero");
        }
        s.timeout = self.webhook_timeout;
        Ok(s)
    }
}

/// Bytes of log lines gathered into one write (a full buffer is written at once).
const LOG_BUFFER: usize = 64 << 10;

/// Logs go to stderr from a thread of their own, so a request never waits on the write of its
/// log line (a write per line cost ~5% of a cheap request's time). That thread writes whatever
/// lines are queued with one write, once the queue is empty, so a line is never held back
/// waiting for more. Nothing is dropped: when the queue is full the logging call waits. Keep the
/// returned guard until the end: dropping it writes out what is still queued.
fn init_logs(
    format: LogFormat,
    default_filter: &str,
) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    use std::io::IsTerminal;
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        // A bounded queue is allocated whole: 128k lines (the default) cost ~4 MiB at rest.
        .buffered_lines_limit(4096)
        .thread_name("portico-logs")
        .finish(std::io::BufWriter::with_capacity(
            LOG_BUFFER,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.event_format(log_line::Plain).init(),
    }
    guard
}

/// `http://HOST:PORT` for the listen address; an unspecified host becomes `localhost`.
fn default_public_url(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// A currency code Portico knows (`usd`, `EUR`), lowercased.
fn currency_code(s: &str) -> Result<String, String> {
    portico_domain::Currency::parse(s)
        .map(|c| c.code().to_owned())
        .ok_or_else(|| format!("`{s}` is not a currency code Portico knows (e.g. usd, eur)"))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.dev && args.api_keys.is_empty() {
        anyhow::bail!(
            "no API keys: pass --api-key KEY (repeatable), or --dev to accept any sk_test_ key"
        );
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| default_public_url(local))
        .trim_end_matches('/')
        .to_owned();
    let config = ServeConfig {
        listen: local,
        database_url: args.database_url.clone(),
        public_url: public_url.clone(),
        api_keys: args.api_keys.iter().map(|k| k.0.clone()).collect(),
        dev: args.dev,
        webhooks: args.webhooks.settings(args.dev)?,
        portal: portico_server::state::PortalSettings {
            link_ttl_secs: args.portal_link_ttl.as_secs().max(1) as i64,
            idle_secs: args.portal_session_idle.as_secs().max(1) as i64,
            login_per_address: args.login_limit_per_address.max(1),
            login_per_client: args.login_limit_per_client.max(1),
        },
        mail: portico_server::mail::MailSettings {
            smtp_url: args.smtp_url.as_ref().map(|s| s.0.clone()),
            from: args.mail_from.clone(),
        },
        rate_limits: portico_server::state::RateLimits {
            per_key: rate(args.rate_limit_per_key, args.dev, 100.0),
            per_client: rate(args.rate_limit_per_client, args.dev, 200.0),
            connections_per_client: match args.max_connections_per_client {
                Some(0) => None,
                Some(n) => Some(n),
                None if args.dev => None,
                None => Some(256),
            },
        },
        data_keys: args.data_keys.clone(),
        admin_password: args.admin_password.as_ref().map(|p| p.0.clone()),
        trusted_proxies: args.trusted_proxy.clone(),
        default_currency: args.default_currency.clone(),
    };
    if !args.dev && args.data_keys.is_empty() {
        tracing::warn!("no --data-key: stored secrets are sealed with a key kept in the database itself; give a key to keep them sealed in backups and copies of it");
    }
    tracing::info!(
        listen = %local,
        public_url = %public_url,
        database = %redact_url(&args.database_url),
        dev = args.dev,
        keys = args.api_keys.len(),
        "Portico is listening"
    );
    if args.dev {
        eprintln!("Portico API at {public_url}  (dev mode: any sk_test_… key works; each key is its own account)");
    }
    portico_server::serve(config, listener, shutdown_signal()).await
}

/// A `--data-key` value.
pub(crate) fn data_key(text: &str) -> Result<portico_server::seal::DataKey, String> {
    portico_server::seal::DataKey::parse(text)
}

/// A rate limit from its flag: the given rate (0 is none), else `default` outside --dev.
fn rate(flag: Option<f64>, dev: bool, default: f64) -> Option<portico_server::limits::Rate> {
    let per_second = match flag {
        Some(r) => r,
        None if dev => 0.0,
        None => default,
    };
    (per_second > 0.0).then_some(portico_server::limits::Rate { per_second })
}

/// A database URL without its password (in the authority or as a `password=` option), for logs.
fn redact_url(url: &str) -> String {
    let url = redact_authority(url);
    match url.split_once('?') {
        Some((base, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| {
                    if kv.to_ascii_lowercase().starts_with("password=") {
                        "password=****".to_owned()
                    } else {
                        kv.to_owned()
                    }
                })
                .collect();
            format!("{base}?{}", q.join("&"))
        }
        None => url,
    }
}

fn redact_authority(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:****@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// A request allocates many small, short-lived values; mimalloc serves them faster than the
/// system allocator (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SQLite allocates through the C library's `malloc`, not the Rust allocator above. A reading
/// connection empties its page cache whenever the database has changed since its last read
/// (about once per commit while writes go on), and glibc hands the freed pages back to the
/// operating system each time, only for the next read to fault them in again: an `madvise`,
/// a TLB flush on every core and a page fault per page. Keeping up to this much freed memory
/// at the top of each allocation arena stops that churn (measured, 32 clients creating portal
/// sessions with a `subscription_update_confirm` flow: ~5% less CPU per session); the memory
/// stays bounded by what the caches use at their fullest.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_TRIM_THRESHOLD: libc::c_int = 8 << 20;

/// Setting the trim threshold stops glibc from raising its mmap threshold as it goes (from
/// 128 KiB), so it is set too: blocks below this come from the arenas, and only larger ones get
/// a mapping of their own (each `munmap` would flush the TLB again).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_MMAP_THRESHOLD: libc::c_int = 4 << 20;

/// Applies [`MALLOC_TRIM_THRESHOLD`] and [`MALLOC_MMAP_THRESHOLD`] where the C library is glibc,
/// unless the operator tuned glibc's allocator through the environment; elsewhere nothing.
#[allow(unsafe_code)]
fn tune_c_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let tuned = [
            "GLIBC_TUNABLES",
            "MALLOC_TRIM_THRESHOLD_",
            "MALLOC_MMAP_THRESHOLD_",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
        if tuned {
            return;
        }
        // SAFETY: mallopt only changes glibc's allocation parameters, and both values are in
        // range. A zero return (not applied) leaves glibc's defaults, which also work.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD);
            libc::mallopt(libc::M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
        }
    }
}

/// Lets the process open as many files as the system allows it (the soft limit, often 1024,
/// up to the hard one): every connection and database file takes a descriptor, and a server out
/// of them can accept no one.
#[allow(unsafe_code)]
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write the struct given; a failure leaves the
        // limit as it was.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tune_c_allocator();
    raise_open_file_limit();
    let cli = Cli::parse();
    // The demo talks to a person: only warnings, unless PORTICO_LOG asks for more.
    let default_filter = match cli.command {
        Command::Demo(_) => "warn",
        _ => "info,sqlx=warn",
    };
    let _logs = init_logs(cli.log_format, default_filter);
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Listen(args) => listen::listen(args).await,
        Command::Webhooks(args) => webhooks_cmd::run(args).await,
        Command::Demo(args) => demo::demo(args).await,
        Command::Portal(args) => portal_cmd::run(args).await,
        Command::Mail(args) => mail_cmd::run(args).await,
        Command::PortalLink(args) => {
            println!(
                "{}",
                portal_cmd::link(&reqwest::Client::new(), &args).await?
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            default_public_url("127.0.0.1:12111".parse().unwrap()),
            "http://127.0.0.1:12111"
        );
        assert_eq!(
            default_public_url("0.0.0.0:80".parse().unwrap()),
            "http://localhost:80"
        );
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:****@h:5432/db"
        );
        assert_eq!(redact_url("sqlite://./x.db"), "sqlite://./x.db");
        assert_eq!(
            redact_url("postgres://h/db?sslmode=require&password=pw"),
            "postgres://h/db?sslmode=require&password=****"
        );
        assert_eq!(
            format!("{:?}", Secret("sk_test_supersecret".into())),
            "sk_test_****"
        );
    }
}
