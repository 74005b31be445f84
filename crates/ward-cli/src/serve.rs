//! `ward serve`.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use ward_server::{Config, Server};

use crate::{ConfigArgs, settings};

pub async fn run(args: &ConfigArgs, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, listen)?;
    serve(&config, |_| {}).await?;
    Ok(ExitCode::SUCCESS)
}

/// Builds and runs a server until Ctrl-C or SIGTERM; `ready` is told the bound address.
pub async fn serve(config: &Config, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let server = Server::build(config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let scheme = if server.uses_tls() { "https" } else { "http" };
    tracing::info!(%address, scheme, "ward is listening");
    ready(address);
    server.run(listener, shutdown_signal()).await;
    tracing::info!("ward stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
