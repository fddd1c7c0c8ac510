//! Outgoing email. A message is recorded in the database's `emails` table in the same commit as
//! what causes it. Without an SMTP server it stays there, in the outbox, for the operator to
//! read (`portico mail list`, or `/p/dev/mail` in development mode). With one (`--smtp-url`), a
//! sender in every `portico serve` claims queued messages, hands them to the server, and records
//! the outcome; a failed message is tried again on the next pass, up to five times.

use crate::seal::{SealError, Sealer};
use crate::state::App;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use portico_domain::{IdGen, ID_LEN};
use portico_store::{Email, EmailStatus, NewEmail, Write};
use std::time::Duration;

/// How many times a message is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long one sender holds a message it is sending.
const LEASE_SECS: i64 = 120;
/// Finished messages are kept this long.
pub const RETENTION_SECS: i64 = 30 * 86_400;

/// Where email goes.
#[derive(Clone, Default)]
pub struct MailSettings {
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS), or
    /// `smtp://host:25` (no TLS, a local relay); `None` keeps messages in the outbox.
    pub smtp_url: Option<String>,
    /// The sender's address (`billing@example.com`); the business name goes in front of it.
    pub from: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp", &self.smtp_url.as_ref().map(|_| "[configured]"))
            .field("from", &self.from)
            .finish()
    }
}

impl MailSettings {
    /// The outbox only, from `portal@localhost`.
    pub fn outbox() -> MailSettings {
        MailSettings {
            smtp_url: None,
            from: "portal@localhost".into(),
        }
    }
}

/// A message to send: a plain-text and an HTML part.
pub struct Message {
    pub to: String,
    /// The name shown as the sender (the business).
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The write that records `m`, queued for the SMTP sender or kept in the outbox. Its text and
/// HTML are stored sealed: they carry one-time sign-in links.
pub async fn record(app: &App, m: Message, now: i64) -> Result<Write, SealError> {
    let status = if app.settings.mail.smtp_url.is_some() {
        EmailStatus::Queued
    } else {
        EmailStatus::Outbox
    };
    let name = m.from_name.replace(['"', '\r', '\n', '<', '>'], "");
    Ok(Write::Email(NewEmail {
        id: crate::ids::Ids.next("em_", ID_LEN),
        created: now,
        to: m.to,
        from: format!("\"{name}\" <{}>", app.settings.mail.from),
        subject: m.subject,
        text: app.sealer.seal(&m.text).await?,
        html: app.sealer.seal(&m.html).await?,
        status,
    }))
}

/// A stored email with its text and HTML opened.
pub async fn opened(sealer: &Sealer, mut e: Email) -> Result<Email, SealError> {
    e.text = sealer.open(&e.text).await?;
    e.html = sealer.open(&e.html).await?;
    Ok(e)
}

fn build(e: &Email) -> Result<lettre::Message, String> {
    let from: Mailbox = e.from.parse().map_err(|x| format!("bad sender: {x}"))?;
    let to: Mailbox = e.to.parse().map_err(|x| format!("bad recipient: {x}"))?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(e.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(e.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(e.html.clone()),
                ),
        )
        .map_err(|x| format!("cannot build the message: {x}"))
}

/// Sends what is due once; returns how many messages were handed to the server.
pub async fn send_due(app: &App) -> usize {
    let Some(url) = app.settings.mail.smtp_url.clone() else {
        return 0;
    };
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&url) {
        Ok(b) => b.timeout(Some(Duration::from_secs(20))).build(),
        Err(e) => {
            tracing::error!(error = %e, "the SMTP URL is not usable");
            return 0;
        }
    };
    let now = app.clock.now();
    let due = match app.store.due_emails(now, 50).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the email queue");
            return 0;
        }
    };
    let mut sent = 0;
    for e in due {
        match app.store.claim_email(&e.id, now, now + LEASE_SECS).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                tracing::warn!(error = %err, "cannot claim an email");
                continue;
            }
        }
        let built = match opened(&app.sealer, e.clone()).await {
            Ok(e) => build(&e),
            Err(x) => Err(x.to_string()),
        };
        let result = match built {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|x| x.to_string()),
            Err(x) => Err(x),
        };
        let error = result.err();
        let give_up = error.is_some() && e.attempts + 1 >= MAX_ATTEMPTS;
        match &error {
            None => {
                sent += 1;
                tracing::info!(email = %e.id, "email sent");
            }
            Some(x) => tracing::warn!(email = %e.id, error = %x, give_up, "email not sent"),
        }
        if let Err(err) = app
            .store
            .finish_email(&e.id, app.clock.now(), error.as_deref(), give_up)
            .await
        {
            tracing::warn!(error = %err, "cannot record an email's outcome");
        }
    }
    sent
}

/// The sender: runs when woken by a commit that queued mail, and every ten seconds for retries.
pub async fn worker(app: App) {
    if app.settings.mail.smtp_url.is_none() {
        return;
    }
    loop {
        send_due(&app).await;
        tokio::select! {
            _ = app.mail_wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }
}
