//! The alert webhook: every alert is also POSTed, as the JSON of its `alert.raised` frame (ids
//! and kinds, never PHI), to one configured address, off the request path, with a few retries.
//! The address may hold a secret token: it never reaches a log line.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(5);

/// Where alerts go besides compliance officers' devices.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: SecretString,
    client: reqwest::Client,
}

impl Webhook {
    /// Refuses an address that is not `https://`, or `http://` to a loopback host.
    pub fn check_url(url: &str) -> Result<(), &'static str> {
        let parsed = reqwest::Url::parse(url).map_err(|_| "is not a URL")?;
        let host = parsed.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match parsed.scheme() {
            "https" => Ok(()),
            "http" if loopback => Ok(()),
            _ => Err("must be https:// (or http:// to a loopback address)"),
        }
    }

    pub fn new(url: SecretString) -> Result<Self, &'static str> {
        Self::check_url(url.expose_secret())?;
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|_| "cannot build an HTTP client")?;
        Ok(Self { url, client })
    }

    /// Sends `body` in the background; failures are retried, then logged without the address.
    pub fn send(&self, body: std::sync::Arc<str>) {
        let hook = self.clone();
        tokio::spawn(async move {
            for attempt in 1..=ATTEMPTS {
                let sent = hook
                    .client
                    .post(hook.url.expose_secret())
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => return,
                    Ok(response) => {
                        tracing::warn!(
                            status = response.status().as_u16(),
                            attempt,
                            "alert webhook refused"
                        );
                    }
                    Err(_) => tracing::warn!(attempt, "alert webhook unreachable"),
                }
                tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::services::Webhook;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(Webhook::check_url("https://siem.example.org/hooks/ward").is_ok());
        assert!(Webhook::check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(Webhook::check_url("http://[::1]:9000/hook").is_ok());
        assert!(Webhook::check_url("http://localhost/hook").is_ok());
        assert!(Webhook::check_url("http://siem.example.org/hook").is_err());
        assert!(Webhook::check_url("ftp://127.0.0.1/").is_err());
        assert!(Webhook::check_url("not a url").is_err());
    }
}
