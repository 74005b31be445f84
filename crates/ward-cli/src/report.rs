//! `ward report`: the compliance reports of the API, from the data directory, as JSON or CSV
//! on standard output. Each run is audited (`report.generate`, by the command line).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::UserId;
use ward_server::api::{audit_csv, report_document};
use ward_server::services::{Period, ReportKind};

use crate::{ConfigArgs, settings};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    UserActivity,
    FailedLogins,
    Exports,
}

#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    kind: Kind,
    #[command(flatten)]
    config: ConfigArgs,
    /// The user (for `user-activity`), by id.
    #[arg(long)]
    user: Option<uuid::Uuid>,
    /// From this time (RFC 3339); 30 days before `--to` if absent.
    #[arg(long)]
    from: Option<String>,
    /// Up to this time (RFC 3339); now if absent.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let kind = match args.kind {
        Kind::UserActivity => ReportKind::UserActivity,
        Kind::FailedLogins => ReportKind::FailedLogins,
        Kind::Exports => ReportKind::Exports,
    };
    let time = |name: &str, text: &Option<String>| -> anyhow::Result<Option<Timestamp>> {
        text.as_deref()
            .map(|t| {
                OffsetDateTime::parse(t, &Rfc3339)
                    .map(Timestamp::from_datetime)
                    .with_context(|| format!("--{name} must be an RFC 3339 time"))
            })
            .transpose()
    };
    let period = Period::new(time("from", &args.from)?, time("to", &args.to)?)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field, e.reason))?;
    let config = settings::load(&args.config, None)?;
    let (store, keyring) = ward_server::open(&config).await?;
    let services = ward_server::Services::new(
        Arc::clone(&store),
        keyring,
        ward_server::realtime::Hub::new(0),
    );
    let rows = services
        .report_rows(kind, args.user.map(UserId::from_uuid), period)
        .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            store.close().await;
            anyhow::bail!("{e}");
        }
    };
    let event = NewAuditEvent::new(AuditAction::ReportGenerated, Outcome::Success)
        .target(TargetKind::AuditLog, None)
        .detail(format!(
            r#"{{"report":"{}","rows":{},"via":"cli"}}"#,
            kind.as_str(),
            rows.len()
        ));
    let audited = store.append_audit(event).await;
    store.close().await;
    audited?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report_document(kind, period, &rows))?;
            writeln!(out)?;
        }
        Format::Csv => {
            let csv = audit_csv(&rows).map_err(|_| anyhow::anyhow!("cannot write CSV"))?;
            out.write_all(&csv)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
