//! `ward compliance report` and `ward compliance selftest`: the HIPAA evidence report from the
//! data directory (JSON or one printable HTML page on standard output), and the live checks
//! that the safeguards work now. Both are audited.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ward_core::Timestamp;
use ward_core::evidence::CheckOutcome;
use ward_server::services::Period;
use ward_server::wire::evidence::{compliance_html, compliance_report_view};

use crate::{ConfigArgs, UsageError, settings};

#[derive(Debug, clap::Subcommand)]
pub enum ComplianceCommand {
    /// Evidence per HIPAA Security Rule safeguard, from live state (runs the self-test first).
    Report(ReportArgs),
    /// Checks now that a wrong password is refused and audited, a sealed value is not in the
    /// database in clear, TLS 1.1 is refused and the audit chain verifies; exit 1 on a failure.
    Selftest {
        #[command(flatten)]
        config: ConfigArgs,
    },
}

#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Json,
    /// One self-contained printable page.
    Html,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// From this time (RFC 3339); 30 days before `--to` if absent.
    #[arg(long)]
    from: Option<String>,
    /// Up to this time (RFC 3339); now if absent.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub async fn run(command: ComplianceCommand) -> anyhow::Result<ExitCode> {
    match command {
        ComplianceCommand::Report(args) => report(args).await,
        ComplianceCommand::Selftest { config } => selftest(&config).await,
    }
}

async fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let period = Period::new(time("from", &args.from)?, time("to", &args.to)?)
        .map_err(|e| UsageError(format!("--{}: {}", e.field, e.reason)))?;
    let services = open(&args.config).await?;
    let result = async {
        services.selftest().await?;
        services
            .compliance()
            .compliance_report_offline(period)
            .await
    }
    .await;
    services.store().close().await;
    let view = compliance_report_view(&result.map_err(|e| anyhow::anyhow!("{e}"))?);
    let bytes = match args.format {
        Format::Json => serde_json::to_vec_pretty(&view)?,
        Format::Html => compliance_html(&view).into_bytes(),
    };
    std::io::stdout().lock().write_all(&bytes)?;
    Ok(ExitCode::SUCCESS)
}

async fn selftest(config: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let services = open(config).await?;
    let checks = services.selftest().await;
    services.store().close().await;
    let checks = checks.map_err(|e| anyhow::anyhow!("{e}"))?;
    for c in &checks {
        println!("{:<26} {:<8} {}", c.name, c.outcome.as_str(), c.detail);
    }
    Ok(
        if checks.iter().any(|c| c.outcome == CheckOutcome::Failed) {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// The deployment's services, offline, describing it as its settings say.
async fn open(config: &ConfigArgs) -> anyhow::Result<ward_server::Services> {
    let config = settings::load(config, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    Ok(ward_server::Services::offline(Arc::clone(&store), keyring)
        .with_deployment(config.deployment()))
}

fn time(name: &str, text: &Option<String>) -> Result<Option<Timestamp>, UsageError> {
    text.as_deref()
        .map(|t| {
            OffsetDateTime::parse(t, &Rfc3339)
                .map(Timestamp::from_datetime)
                .map_err(|_| UsageError(format!("--{name} must be an RFC 3339 time")))
        })
        .transpose()
}
