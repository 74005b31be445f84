//! `ward audit verify` walks the audit hash chain, holds it against the signed checkpoints and
//! the audit anchor kept with the keys, and reports the first bad event; `ward audit checkpoint`
//! signs the head and prints the latest checkpoint for an outside party to keep; `ward audit
//! reanchor` accepts a restored (shorter) log after an operator restored a backup.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use ward_proto::audit::AuditCheckpointView;
use ward_server::services::{Keys, verify_chain};
use ward_server::wire::{checkpoint_from_view, checkpoint_view};

use crate::{ConfigArgs, settings};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Checks every audit event links to the one before it and matches its (keyed) hash, and
    /// that every signed checkpoint, and the audit anchor kept with the keys, was signed with
    /// this deployment's key and matches the chain. Exits 1 and names the first bad event if any
    /// was altered, removed or reordered, the log was cut short, or it is empty while the
    /// deployment holds data; exits 2, creating nothing, where there is no database or no key to
    /// verify with.
    Verify {
        #[command(flatten)]
        config: ConfigArgs,
        /// Also hold the log against checkpoints exported earlier (JSON files from
        /// `ward audit checkpoint`).
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
    },
    /// Signs the chain's head (after verifying what came since the last checkpoint) and prints
    /// the latest checkpoint as JSON.
    Checkpoint {
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// After restoring an older backup of the database (whose log ends before the checkpoint
    /// kept with the keys): drops that checkpoint, verifies the restored log from its last
    /// checkpoint and signs its head as the new anchor. Run it only after a restore you made:
    /// it accepts the restored log's end as the log's end. Exits 1, anchoring nothing, if the
    /// restored log is broken.
    Reanchor {
        #[command(flatten)]
        config: ConfigArgs,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify {
            config,
            checkpoints,
        } => verify(&config, &checkpoints).await,
        AuditCommand::Checkpoint { config } => checkpoint(&config).await,
        AuditCommand::Reanchor { config } => reanchor(&config).await,
    }
}

async fn verify(config: &ConfigArgs, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut kept = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let view: AuditCheckpointView = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an exported checkpoint", file.display()))?;
        kept.push(checkpoint_from_view(&view).with_context(|| {
            format!(
                "{}: a hash, key or signature is not hex of the right length",
                file.display()
            )
        })?);
    }
    let config = settings::load(config, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let keys = Keys::new(Arc::clone(&store), keyring);
    let outcome = verify_chain(store.as_ref(), &keys, kept).await;
    store.close().await;
    let outcome = outcome.map_err(|e| anyhow::anyhow!("{e}"))?;
    let head: String = outcome.head.iter().map(|b| format!("{b:02x}")).collect();
    match outcome.first_break {
        None => {
            println!("audit chain OK: {} events, head {head}", outcome.verified);
            Ok(ExitCode::SUCCESS)
        }
        Some(chain_break) => {
            println!(
                "audit chain BROKEN at event {}: {chain_break} ({} events verified before it)",
                chain_break.seq(),
                outcome.verified
            );
            Ok(ExitCode::from(1))
        }
    }
}

async fn checkpoint(config: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let config = settings::load(config, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let services = ward_server::Services::offline(Arc::clone(&store), keyring);
    let checkpoint = services
        .compliance()
        .export_checkpoint(ward_core::Timestamp::now())
        .await;
    store.close().await;
    let checkpoint = checkpoint.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&checkpoint_view(&checkpoint))?
    );
    Ok(ExitCode::SUCCESS)
}

async fn reanchor(config: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let config = settings::load(config, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let services = ward_server::Services::offline(Arc::clone(&store), keyring);
    let outcome = services
        .compliance()
        .reanchor(ward_core::Timestamp::now())
        .await;
    store.close().await;
    match outcome.map_err(|e| anyhow::anyhow!("{e}"))? {
        Ok(_) => {
            println!("audit anchor moved to the restored log's head");
            Ok(ExitCode::SUCCESS)
        }
        Err(chain_break) => {
            println!(
                "audit chain BROKEN at event {}: {chain_break}; nothing was anchored",
                chain_break.seq()
            );
            Ok(ExitCode::from(1))
        }
    }
}
