//! Loading the configuration (file, then `WARD_*` variables, then flags) and setting up logs.

use std::net::SocketAddr;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use ward_server::Config;

use crate::ConfigArgs;

/// The configuration keys that `WARD_*` variables may set.
const ENV_KEYS: [&str; 24] = [
    "data_dir",
    "listen",
    "database_url",
    "database_max_connections",
    "key_store_url",
    "root_key_file",
    "root_key",
    "tls_cert_file",
    "tls_key_file",
    "behind_tls_proxy",
    "trusted_proxies",
    "max_connections",
    "attachment_max_bytes",
    "attachment_max_inspected_bytes",
    "audit_checkpoint_secs",
    "key_dir",
    "key_epoch_secs",
    "alert_webhook_url",
    "nats_url",
    "nats_credentials_file",
    "nats_nkey_file",
    "nats_tls_ca_file",
    "nats_tls_required",
    "organisation",
];

/// Builds the configuration; `listen` overrides everything else when given.
pub fn load(args: &ConfigArgs, listen: Option<SocketAddr>) -> anyhow::Result<Config> {
    let mut figment = Figment::new();
    if let Some(path) = &args.config {
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(Env::prefixed("WARD_").only(&ENV_KEYS));
    if let Some(dir) = &args.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(listen) = listen {
        figment = figment.merge(Serialized::default("listen", listen.to_string()));
    }
    let mut config: Config = figment
        .extract()
        .context("invalid configuration (is --data-dir or WARD_DATA_DIR set?)")?;
    // Secrets may come from files, as container platforms mount them.
    if let Some(path) = std::env::var_os("WARD_DATABASE_URL_FILE") {
        let url = std::fs::read_to_string(&path).context("reading WARD_DATABASE_URL_FILE")?;
        config.database_url = Some(SecretString::from(url.trim().to_owned()));
    }
    if let Some(path) = std::env::var_os("WARD_KEY_STORE_URL_FILE") {
        let url = std::fs::read_to_string(&path).context("reading WARD_KEY_STORE_URL_FILE")?;
        config.key_store_url = Some(SecretString::from(url.trim().to_owned()));
    }
    if let Some(path) = std::env::var_os("WARD_NATS_URL_FILE") {
        let url = std::fs::read_to_string(&path).context("reading WARD_NATS_URL_FILE")?;
        config.nats_url = Some(SecretString::from(url.trim().to_owned()));
    }
    Ok(config)
}

/// Logs go to standard error; `RUST_LOG` picks the level (default `info`).
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Whatever the level asked for, never the lines that carry payloads: when trace is on
    // anywhere, those libraries are held to debug (a cap only; never raised).
    if filter.max_level_hint() == Some(tracing::level_filters::LevelFilter::TRACE) {
        for directive in PAYLOAD_LOGGERS {
            if let Ok(directive) = directive.parse() {
                filter = filter.add_directive(directive);
            }
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Libraries whose trace lines hold the bytes they move (WebSocket frames carry message
/// text), held to debug at most. Ward's own lines never carry PHI at any level.
const PAYLOAD_LOGGERS: [&str; 2] = ["tungstenite=debug", "tokio_tungstenite=debug"];
