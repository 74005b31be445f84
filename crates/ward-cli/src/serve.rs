//! `ward serve`.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use ward_server::{Config, Server};
use ward_store::instance_lock::InstanceLock;

use crate::{ConfigArgs, settings};

pub async fn run(args: &ConfigArgs, listen: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, listen)?;
    serve(&config, |_| {}).await?;
    Ok(ExitCode::SUCCESS)
}

/// Builds and runs a server until Ctrl-C or SIGTERM; `ready` is told the bound address. The
/// server holds the deployment's shared lock from before it opens anything until it has
/// stopped, so a root key rotation cannot run under it (nor it start during one).
pub async fn serve(config: &Config, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let lock = InstanceLock::serving(&config.store(), config.nats_url.is_some()).await?;
    let server = Server::build(config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let scheme = if server.uses_tls() { "https" } else { "http" };
    // Listen for SIGTERM before saying ready: the server's start-up work (the start checkpoint)
    // runs before it first waits for the signal, and an unheard SIGTERM would kill it mid-way.
    let shutdown = shutdown_signal()?;
    tracing::info!(%address, scheme, "ward is listening");
    ready(address);
    server.run(listener, shutdown).await;
    lock.release().await;
    tracing::info!("ward stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. Both are registered now, not when first awaited, so a signal
/// that arrives before the server waits for it is not lost.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = term.recv() => {}
        }
    })
}
