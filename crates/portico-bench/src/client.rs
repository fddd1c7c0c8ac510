//! HTTP for the load: the API with a key, and portal pages with a browser cookie.

use serde_json::Value;
use std::time::Duration;

/// One account of a Portico server, and a shared connection pool.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

/// A page's answer.
pub struct PageAnswer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub cookie: Option<String>,
}

impl Client {
    /// A client of `base` for `key`, with up to `pool` idle connections.
    pub fn new(base: &str, key: &str, pool: usize) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(pool)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
        })
    }

    /// Sends a form request to the API: its body when the answer is a 2xx, else what went wrong.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
    ) -> Result<bytes::Bytes, String> {
        let url = format!("{}{path}", self.base);
        let req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.key);
        let req = if method == reqwest::Method::GET {
            req.query(form)
        } else {
            req.form(form)
        };
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!(
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
        Ok(body)
    }

    /// A form request to the API; `Err` describes a non-2xx answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
    ) -> Result<Value, String> {
        let body = self.send(method.clone(), path, form).await?;
        serde_json::from_slice(&body).map_err(|e| format!("{method} {path}: {e}"))
    }

    /// A form request to the API whose answer is only checked: a 2xx with a well-formed JSON
    /// body. Reading it into a `Value` cost the load generator more CPU than the fixed-body
    /// floor's client spends, so the answers a measurement drops are checked without building one.
    pub async fn check(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
    ) -> Result<(), String> {
        let body = self.send(method.clone(), path, form).await?;
        serde_json::from_slice::<serde::de::IgnoredAny>(&body)
            .map(drop)
            .map_err(|e| format!("{method} {path}: {e}"))
    }

    /// POST a form to the API.
    pub async fn post(&self, path: &str, form: &[(String, String)]) -> Result<Value, String> {
        self.call(reqwest::Method::POST, path, form).await
    }

    /// GET from the API.
    pub async fn get(&self, path: &str, query: &[(String, String)]) -> Result<Value, String> {
        self.call(reqwest::Method::GET, path, query).await
    }

    /// A portal page (an absolute URL or a path), with the browser's cookie and a form.
    pub async fn page(
        &self,
        url: &str,
        cookie: Option<&str>,
        form: Option<&[(String, String)]>,
    ) -> Result<PageAnswer, String> {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let mut req = match form {
            Some(f) => self.http.post(&url).form(f),
            None => self.http.get(&url),
        };
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.map_err(|e| format!("page {url}: {e}"))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let cookie = header("set-cookie").and_then(|c| c.split(';').next().map(str::to_owned));
        let body = resp.text().await.map_err(|e| format!("page {url}: {e}"))?;
        Ok(PageAnswer {
            status,
            body,
            location,
            cookie,
        })
    }
}

/// `(key, value)` for a form.
pub fn kv(k: &str, v: impl ToString) -> (String, String) {
    (k.to_owned(), v.to_string())
}

/// The CSRF token of the first form on a page.
pub fn csrf(page: &str) -> Option<String> {
    let start = page.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_owned())
}
