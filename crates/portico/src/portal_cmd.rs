//! `portico portal …`: portal links for a customer (through the API of a running Portico), and
//! the operator's settings that Stripe keeps outside the API — the default configuration and
//! the account's branding (over the database).

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use portico_domain::branding::{BrandingUpdate, Logo};
use portico_server::auth::account_for;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PortalArgs {
    #[command(subcommand)]
    command: PortalCommand,
}

#[derive(Subcommand, Debug)]
enum PortalCommand {
    /// Creates a portal session for a customer and prints its link.
    Link(LinkArgs),
    /// Makes a configuration the account's default (the one sessions use without `configuration`).
    SetDefault {
        /// The configuration (`bpc_…`).
        configuration: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Sets the business name, accent colour and logo the account's portal pages show.
    Branding {
        /// The business name ("" removes it).
        #[arg(long)]
        business_name: Option<String>,
        /// The accent colour, e.g. `#635bff` ("" removes it).
        #[arg(long)]
        accent_color: Option<String>,
        /// A PNG, JPEG, GIF, WebP or SVG file (at most 256 KiB).
        #[arg(long, conflicts_with = "no_logo")]
        logo: Option<PathBuf>,
        /// Removes the logo.
        #[arg(long)]
        no_logo: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Where the operator commands act: the database, and the account (named by its key).
#[derive(Args, Debug)]
struct DbArgs {
    /// The secret key of the account.
    #[arg(long, env = "PORTICO_API_KEY", hide_env_values = true)]
    api_key: String,
    /// The database the servers use.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://./.portico/portico.db"
    )]
    database_url: String,
    /// The servers' public URL (links in the events this records are built on it).
    #[arg(
        long,
        env = "PORTICO_PUBLIC_URL",
        default_value = "http://127.0.0.1:12111"
    )]
    public_url: String,
}

/// A flow to deep-link into, by Stripe's name (`subscription_cancel`; hyphens also do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlowKind {
    #[value(name = "payment_method_update", alias = "payment-method-update")]
    PaymentMethodUpdate,
    #[value(name = "subscription_cancel", alias = "subscription-cancel")]
    SubscriptionCancel,
    #[value(name = "subscription_update", alias = "subscription-update")]
    SubscriptionUpdate,
    #[value(
        name = "subscription_update_confirm",
        alias = "subscription-update-confirm"
    )]
    SubscriptionUpdateConfirm,
}

impl FlowKind {
    fn as_str(self) -> &'static str {
        match self {
            FlowKind::PaymentMethodUpdate => "payment_method_update",
            FlowKind::SubscriptionCancel => "subscription_cancel",
            FlowKind::SubscriptionUpdate => "subscription_update",
            FlowKind::SubscriptionUpdateConfirm => "subscription_update_confirm",
        }
    }
}

/// What happens once a flow is done, by Stripe's `after_completion[type]` name (hyphens also
/// do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AfterKind {
    #[value(name = "hosted_confirmation", alias = "hosted-confirmation")]
    HostedConfirmation,
    #[value(name = "portal_homepage", alias = "portal-homepage")]
    PortalHomepage,
    Redirect,
}

/// A portal link to make.
#[derive(Args, Debug, Clone, Default)]
pub struct LinkArgs {
    /// The customer (`cus_…`).
    #[arg(long)]
    pub customer: String,
    /// Deep-link into this flow (default: the portal homepage).
    #[arg(long, value_enum)]
    pub flow: Option<FlowKind>,
    /// The subscription the flow acts on (default: the customer's first live one).
    #[arg(long)]
    pub subscription: Option<String>,
    /// For subscription_update_confirm: the new price.
    #[arg(long)]
    pub price: Option<String>,
    /// For subscription_update_confirm: the new quantity.
    #[arg(long)]
    pub quantity: Option<i64>,
    /// For subscription_update_confirm: a promotion code (`promo_…`) to apply.
    #[arg(long)]
    pub promotion_code: Option<String>,
    /// For subscription_cancel: a coupon to offer the customer to stay.
    #[arg(long)]
    pub retention_coupon: Option<String>,
    /// What happens after the flow (default: a hosted confirmation).
    #[arg(long, value_enum)]
    pub after: Option<AfterKind>,
    /// Where `--after redirect` sends the customer.
    #[arg(long)]
    pub redirect_url: Option<String>,
    /// A message for the hosted confirmation.
    #[arg(long)]
    pub message: Option<String>,
    /// The configuration (default: the account's default).
    #[arg(long)]
    pub configuration: Option<String>,
    /// The link back to your app.
    #[arg(long)]
    pub return_url: Option<String>,
    /// The portal's language (one of Stripe's locales, or `auto`).
    #[arg(long)]
    pub locale: Option<String>,
    /// The secret key of the account.
    #[arg(
        long,
        env = "PORTICO_API_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub api_key: String,
    /// The Portico server to ask.
    #[arg(
        long,
        env = "PORTICO_API_BASE",
        default_value = "http://127.0.0.1:12111"
    )]
    pub api_base: String,
}

pub async fn run(args: PortalArgs) -> anyhow::Result<()> {
    match args.command {
        PortalCommand::Link(l) => {
            let http = reqwest::Client::new();
            println!("{}", link(&http, &l).await?);
            Ok(())
        }
        PortalCommand::SetDefault { configuration, db } => {
            let app = open(&db).await?;
            let account = account_for(&db.api_key);
            let now = now();
            let c = portico_server::operator::set_default_configuration(
                &app,
                &account,
                &configuration,
                now,
            )
            .await
            .map_err(|f| anyhow::anyhow!(f.error.message))?;
            println!("{} is now the default configuration", c.id);
            app.store.close().await;
            Ok(())
        }
        PortalCommand::Branding {
            business_name,
            accent_color,
            logo,
            no_logo,
            db,
        } => {
            let logo = match (logo, no_logo) {
                (_, true) => Some(None),
                (Some(path), false) => Some(Some(read_logo(&path)?)),
                (None, false) => None,
            };
            let update = BrandingUpdate {
                business_name: business_name.map(|n| Some(n).filter(|n| !n.is_empty())),
                accent_color: accent_color.map(|c| Some(c).filter(|c| !c.is_empty())),
                logo,
            };
            let app = open(&db).await?;
            let b = portico_server::operator::set_branding(
                &app,
                &account_for(&db.api_key),
                update,
                now(),
            )
            .await
            .map_err(|f| anyhow::anyhow!(f.error.message))?;
            println!(
                "branding: name {:?}, accent {:?}, logo {}",
                b.business_name.unwrap_or_default(),
                b.accent_color.unwrap_or_default(),
                if b.logo.is_some() { "set" } else { "none" }
            );
            app.store.close().await;
            Ok(())
        }
    }
}

async fn open(db: &DbArgs) -> anyhow::Result<portico_server::state::App> {
    let config = portico_server::ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: db.database_url.clone(),
        public_url: db.public_url.trim_end_matches('/').to_owned(),
        api_keys: vec![db.api_key.clone()],
        dev: false,
        webhooks: portico_server::webhooks::WebhookSettings::production(),
        portal: Default::default(),
        mail: portico_server::mail::MailSettings::outbox(),
        rate_limits: Default::default(),
        data_keys: Vec::new(),
        admin_password: None,
        trusted_proxies: Vec::new(),
        default_currency: "usd".into(),
    };
    let app = portico_server::build(
        &config,
        std::sync::Arc::new(portico_server::state::SystemClock),
    )
    .await
    .context("cannot open the database (set --database-url)")?;
    let caller = portico_server::auth::Caller {
        account: account_for(&db.api_key),
        livemode: db.api_key.starts_with("sk_live_"),
    };
    app.ensure_account(&caller, now())
        .await
        .map_err(|f| anyhow::anyhow!(f.error.message))?;
    Ok(app)
}

fn read_logo(path: &PathBuf) -> anyhow::Result<Logo> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let content_type = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        other => bail!("the logo must be a .png, .jpg, .gif, .webp or .svg file, not .{other}"),
    };
    use base64::Engine;
    Ok(Logo {
        content_type: content_type.into(),
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Calls the API; a Stripe error becomes an error with its message.
pub async fn call(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    method: reqwest::Method,
    path: &str,
    form: &[(String, String)],
) -> anyhow::Result<Value> {
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let req = http.request(method.clone(), &url).bearer_auth(key);
    let req = if method == reqwest::Method::GET {
        req.query(form)
    } else {
        req.form(form)
    };
    let resp = req
        .send()
        .await
        .with_context(|| format!("cannot reach Portico at {base}"))?;
    let status = resp.status();
    let text = resp.text().await.context("cannot read Portico's answer")?;
    let body: Value =
        serde_json::from_str(&text).context("Portico answered with something other than JSON")?;
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("unknown error");
        bail!("{method} {path}: {message}");
    }
    Ok(body)
}

fn kv(k: &str, v: impl ToString) -> (String, String) {
    (k.to_owned(), v.to_string())
}

/// Creates a portal session as `l` describes and returns its URL.
pub async fn link(http: &reqwest::Client, l: &LinkArgs) -> anyhow::Result<String> {
    if l.api_key.is_empty() {
        bail!("--api-key is required (or PORTICO_API_KEY)");
    }
    let base = &l.api_base;
    let key = &l.api_key;
    let mut form = vec![kv("customer", &l.customer)];
    for (name, value) in [
        ("configuration", &l.configuration),
        ("return_url", &l.return_url),
        ("locale", &l.locale),
    ] {
        if let Some(v) = value {
            form.push(kv(name, v));
        }
    }
    if let Some(flow) = l.flow {
        let kind = flow.as_str();
        form.push(kv("flow_data[type]", kind));
        if flow != FlowKind::PaymentMethodUpdate {
            let sub = match &l.subscription {
                Some(s) => {
                    call(
                        http,
                        base,
                        key,
                        reqwest::Method::GET,
                        &format!("/v1/subscriptions/{s}"),
                        &[],
                    )
                    .await?
                }
                None => {
                    let list = call(
                        http,
                        base,
                        key,
                        reqwest::Method::GET,
                        "/v1/subscriptions",
                        &[kv("customer", &l.customer), kv("limit", 1)],
                    )
                    .await?;
                    match list["data"].get(0) {
                        Some(s) => s.clone(),
                        None => bail!(
                            "the customer {} has no live subscription: pass --subscription",
                            l.customer
                        ),
                    }
                }
            };
            let sub_id = sub["id"].as_str().unwrap_or_default();
            form.push(kv(&format!("flow_data[{kind}][subscription]"), sub_id));
            if flow == FlowKind::SubscriptionUpdateConfirm {
                let item = sub["items"]["data"][0]["id"].as_str().unwrap_or_default();
                let p = "flow_data[subscription_update_confirm]";
                form.push(kv(&format!("{p}[items][0][id]"), item));
                if let Some(price) = &l.price {
                    form.push(kv(&format!("{p}[items][0][price]"), price));
                }
                if let Some(q) = l.quantity {
                    form.push(kv(&format!("{p}[items][0][quantity]"), q));
                }
                if let Some(code) = &l.promotion_code {
                    form.push(kv(&format!("{p}[discounts][0][promotion_code]"), code));
                }
            }
            if let (FlowKind::SubscriptionCancel, Some(c)) = (flow, &l.retention_coupon) {
                let p = "flow_data[subscription_cancel][retention]";
                form.push(kv(&format!("{p}[type]"), "coupon_offer"));
                form.push(kv(&format!("{p}[coupon_offer][coupon]"), c));
            }
        }
        match l.after {
            Some(AfterKind::Redirect) => {
                let Some(url) = &l.redirect_url else {
                    bail!("--after redirect needs --redirect-url");
                };
                form.push(kv("flow_data[after_completion][type]", "redirect"));
                form.push(kv("flow_data[after_completion][redirect][return_url]", url));
            }
            Some(AfterKind::PortalHomepage) => {
                form.push(kv("flow_data[after_completion][type]", "portal_homepage"))
            }
            Some(AfterKind::HostedConfirmation) | None => {
                form.push(kv(
                    "flow_data[after_completion][type]",
                    "hosted_confirmation",
                ));
                if let Some(m) = &l.message {
                    form.push(kv(
                        "flow_data[after_completion][hosted_confirmation][custom_message]",
                        m,
                    ));
                }
            }
        }
    }
    let session = call(
        http,
        base,
        key,
        reqwest::Method::POST,
        "/v1/billing_portal/sessions",
        &form,
    )
    .await?;
    Ok(session["url"].as_str().unwrap_or_default().to_owned())
}
