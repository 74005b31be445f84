//! `ward audit verify`: walks the audit hash chain and reports the first bad event.

use std::process::ExitCode;

use ward_server::services::verify_chain;

use crate::{ConfigArgs, settings};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Checks every audit event links to the one before it and matches its hash. Exits 1 and
    /// names the first bad event if any was altered, removed or reordered.
    Verify {
        #[command(flatten)]
        config: ConfigArgs,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { config } = command;
    let config = settings::load(&config, None)?;
    let store = ward_server::open_store(&config).await?;
    let outcome = verify_chain(store.as_ref()).await;
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
