//! `ward report`: the compliance reports of the API (and a patient's accounting of
//! disclosures), from the data directory, as JSON or CSV on standard output. Each run is
//! audited (`report.generate`, by the command line).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::{PatientId, UserId};
use ward_server::services::{Period, ReportKind};
use ward_server::wire::{audit_csv, disclosure_list, disclosures_csv, report_document};

use crate::{ConfigArgs, settings};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    UserActivity,
    FailedLogins,
    Exports,
    /// A patient's accounting of disclosures (45 CFR 164.528); needs `--patient`.
    Disclosures,
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
    /// The patient (for `disclosures`), by id.
    #[arg(long)]
    patient: Option<uuid::Uuid>,
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
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let services = ward_server::Services::offline(Arc::clone(&store), keyring);
    let output = render(&services, &args, period).await;
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            store.close().await;
            return Err(e);
        }
    };
    let event = NewAuditEvent::new(AuditAction::ReportGenerated, Outcome::Success)
        .target(TargetKind::AuditLog, None)
        .patient(args.patient.map(PatientId::from_uuid))
        .detail(format!(
            r#"{{"report":"{}","rows":{},"via":"cli"}}"#,
            output.kind, output.rows
        ));
    let audited = store.append_audit(event).await;
    store.close().await;
    audited?;
    std::io::stdout().lock().write_all(&output.bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// A report, rendered.
struct Output {
    kind: &'static str,
    rows: usize,
    bytes: Vec<u8>,
}

async fn render(
    services: &ward_server::Services,
    args: &ReportArgs,
    period: Period,
) -> anyhow::Result<Output> {
    let csv = matches!(args.format, Format::Csv);
    let failed = |e: ward_server::services::ServiceError| anyhow::anyhow!("{e}");
    if let Kind::Disclosures = args.kind {
        let patient = PatientId::from_uuid(args.patient.context("--patient is required")?);
        let entries = services
            .compliance()
            .disclosure_rows(patient, period)
            .await
            .map_err(failed)?;
        let bytes = if csv {
            disclosures_csv(&entries).map_err(|_| anyhow::anyhow!("cannot write CSV"))?
        } else {
            serde_json::to_vec_pretty(&disclosure_list(patient, &entries))?
        };
        return Ok(Output {
            kind: "disclosures",
            rows: entries.len(),
            bytes,
        });
    }
    let kind = match args.kind {
        Kind::UserActivity => ReportKind::UserActivity,
        Kind::FailedLogins => ReportKind::FailedLogins,
        _ => ReportKind::Exports,
    };
    let rows = services
        .compliance()
        .report_rows(kind, args.user.map(UserId::from_uuid), period)
        .await
        .map_err(failed)?;
    let bytes = if csv {
        audit_csv(&rows).map_err(|_| anyhow::anyhow!("cannot write CSV"))?
    } else {
        let document = report_document(kind.as_str(), period.from, period.to, &rows);
        serde_json::to_vec_pretty(&document)?
    };
    Ok(Output {
        kind: kind.as_str(),
        rows: rows.len(),
        bytes,
    })
}
