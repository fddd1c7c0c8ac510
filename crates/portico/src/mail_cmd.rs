//! `portico mail …`: the email Portico wrote (portal login links), read from the database — the
//! outbox when no SMTP server is configured, and the record of what was sent when one is.

use crate::listen::stamp;
use anyhow::Context;
use clap::{Args, Subcommand};
use portico_server::seal::Sealer;
use portico_store::EmailQuery;

#[derive(Args, Debug)]
pub struct MailArgs {
    /// The database the servers use.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://./.portico/portico.db",
        global = true
    )]
    database_url: String,
    /// The servers' data keys (`portico serve --data-key`), to read the sealed email text.
    #[arg(long = "data-key", env = "PORTICO_DATA_KEYS", value_delimiter = ',', hide_env_values = true, value_parser = crate::data_key, global = true)]
    data_keys: Vec<portico_server::seal::DataKey>,
    #[command(subcommand)]
    command: MailCommand,
}

#[derive(Subcommand, Debug)]
enum MailCommand {
    /// Recent email, newest first.
    List {
        /// Only email to this address.
        #[arg(long)]
        to: Option<String>,
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// One email: its headers and its text (or `--html`).
    Show {
        /// The email (`em_…`).
        id: String,
        /// Print the HTML part instead of the text.
        #[arg(long)]
        html: bool,
    },
}

pub async fn run(args: MailArgs) -> anyhow::Result<()> {
    let store = portico_store::open(&args.database_url)
        .await
        .context("cannot open the database (set --database-url)")?;
    let sealer = Sealer::new(&args.data_keys, store.clone());
    let result = match args.command {
        MailCommand::List { to, limit } => {
            let emails = store.emails(&EmailQuery { to, limit }).await?;
            if emails.is_empty() {
                println!("no email");
            } else {
                println!(
                    "{:<20} {:<7} {:<32} {:<30} subject",
                    "written", "status", "id", "to"
                );
                for e in emails {
                    println!(
                        "{:<20} {:<7} {:<32} {:<30} {}",
                        stamp(e.created),
                        e.status.as_str(),
                        e.id,
                        e.to,
                        e.subject
                    );
                }
            }
            Ok(())
        }
        MailCommand::Show { id, html } => match store.email(&id).await? {
            Some(e) => {
                let e = portico_server::mail::opened(&sealer, e)
                    .await
                    .context("cannot open the email's text")?;
                println!("From:    {}", e.from);
                println!("To:      {}", e.to);
                println!("Subject: {}", e.subject);
                println!("Written: {}  ({})", stamp(e.created), e.status.as_str());
                if let Some(err) = &e.last_error {
                    println!("Error:   {err}");
                }
                println!();
                println!("{}", if html { &e.html } else { &e.text });
                Ok(())
            }
            None => Err(anyhow::anyhow!("no email {id} in this database")),
        },
    };
    store.close().await;
    result
}
