//! `portico webhooks …`: operator commands over the database (no server needed): recent
//! deliveries with their state, one delivery's attempts, and resending an event.

use crate::listen::stamp;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use portico_domain::webhook_endpoint::WebhookEndpoint;
use portico_store::{DeliveryQuery, DeliveryState, NewDelivery, Store, Write};

#[derive(Args, Debug)]
pub struct WebhooksArgs {
    /// The database the servers use.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://./.portico/portico.db",
        global = true
    )]
    database_url: String,
    #[command(subcommand)]
    command: WebhooksCommand,
}

#[derive(Subcommand, Debug)]
enum WebhooksCommand {
    /// Recent deliveries, newest first, with their state and last answer.
    Deliveries {
        /// Only deliveries of this event.
        #[arg(long)]
        event: Option<String>,
        /// Only deliveries to this endpoint.
        #[arg(long)]
        endpoint: Option<String>,
        /// Only deliveries in this state: pending, succeeded, failed or canceled.
        #[arg(long, value_parser = parse_state)]
        state: Option<DeliveryState>,
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Also show every attempt of each delivery.
        #[arg(long)]
        attempts: bool,
    },
    /// Sends an event to an endpoint again (a new delivery; the worker of any running server
    /// picks it up within seconds).
    Resend {
        /// The event (`evt_…`).
        event: String,
        /// The endpoint (`we_…`) of the event's account.
        #[arg(long)]
        endpoint: String,
    },
}

fn parse_state(s: &str) -> Result<DeliveryState, String> {
    DeliveryState::parse(s).ok_or_else(|| {
        let names: Vec<&str> = DeliveryState::ALL.iter().map(|d| d.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

pub async fn run(args: WebhooksArgs) -> anyhow::Result<()> {
    let store = portico_store::open(&args.database_url)
        .await
        .with_context(|| "cannot open the database (set --database-url)".to_string())?;
    let result = match args.command {
        WebhooksCommand::Deliveries {
            event,
            endpoint,
            state,
            limit,
            attempts,
        } => deliveries(store.as_ref(), event, endpoint, state, limit, attempts).await,
        WebhooksCommand::Resend { event, endpoint } => {
            resend(store.as_ref(), &event, &endpoint).await
        }
    };
    store.close().await;
    result
}

async fn deliveries(
    store: &dyn Store,
    event_id: Option<String>,
    endpoint_id: Option<String>,
    state: Option<DeliveryState>,
    limit: usize,
    with_attempts: bool,
) -> anyhow::Result<()> {
    let rows = store
        .deliveries(&DeliveryQuery {
            account: None,
            event_id,
            endpoint_id,
            state,
            limit,
        })
        .await?;
    if rows.is_empty() {
        println!("no deliveries");
        return Ok(());
    }
    println!(
        "{:<20} {:<10} {:>8} {:>6}  {:<20} {:<32} {:<28} last error",
        "created", "state", "attempts", "status", "next attempt", "event", "endpoint"
    );
    for d in rows {
        println!(
            "{:<20} {:<10} {:>8} {:>6}  {:<20} {:<32} {:<28} {}",
            stamp(d.created),
            d.state.as_str(),
            d.attempts,
            d.last_status.map(|s| s.to_string()).unwrap_or("-".into()),
            d.next_attempt.map(stamp).unwrap_or("-".into()),
            d.event_id,
            d.endpoint_id,
            d.last_error.as_deref().unwrap_or("")
        );
        if with_attempts {
            for a in store.delivery_attempts(&d.id).await? {
                println!(
                    "    #{} at {}  {}  {} ms  {}",
                    a.attempt,
                    stamp(a.at),
                    a.status.map(|s| s.to_string()).unwrap_or("-".into()),
                    a.duration_ms,
                    a.error.as_deref().unwrap_or("ok")
                );
            }
        }
    }
    Ok(())
}

async fn resend(store: &dyn Store, event_id: &str, endpoint_id: &str) -> anyhow::Result<()> {
    let Some(account) = store.account_of("event", event_id).await? else {
        bail!("no event {event_id} in this database");
    };
    let endpoint = portico_store::get::<WebhookEndpoint>(store, &account, endpoint_id)
        .await?
        .filter(|e| !e.value.deleted)
        .map(|e| e.value);
    let Some(endpoint) = endpoint else {
        bail!("no webhook endpoint {endpoint_id} in the account of {event_id}");
    };
    if endpoint.disabled {
        bail!("webhook endpoint {endpoint_id} is disabled: enable it first");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let delivery = NewDelivery::due(event_id, endpoint_id, now);
    let id = delivery.id.clone();
    store
        .commit(&account, vec![Write::Delivery(delivery)])
        .await?;
    println!(
        "queued {id}: {event_id} to {endpoint_id} ({})",
        endpoint.url
    );
    Ok(())
}
