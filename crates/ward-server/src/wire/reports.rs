//! Reports and the accounting of disclosures as their JSON documents and as CSV (the `csv`
//! crate), for the HTTP API and `ward report` alike.

use time::format_description::well_known::Rfc3339;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::AuditEvent;
use ward_core::id::PatientId;
use ward_proto::compliance::Report;
use ward_proto::oversight::{DisclosureList, DisclosureView};

use super::views::audit_event_view;
use crate::opened::Disclosure;

/// A report as its JSON document: `kind` (`user-activity`, `failed-logins`, `exports`) over
/// `from` to `to`.
pub fn report_document(kind: &str, from: Timestamp, to: Timestamp, rows: &[AuditEvent]) -> Report {
    Report {
        kind: kind.to_owned(),
        from: from.to_datetime(),
        to: to.to_datetime(),
        rows: rows.iter().map(audit_event_view).collect(),
    }
}

/// Audit events as CSV rows, with a header row.
pub fn audit_csv(rows: &[AuditEvent]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "seq",
        "at",
        "actor_id",
        "address",
        "action",
        "target_kind",
        "target_id",
        "patient_id",
        "outcome",
        "detail",
    ];
    out.write_record(header)?;
    for e in rows {
        let ev = &e.event;
        let id = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
        out.write_record([
            e.seq.to_string(),
            rfc3339(ev.at),
            id(ev.actor.map(|a| *a.as_uuid())),
            ev.address.clone().unwrap_or_default(),
            ev.action.as_str().to_owned(),
            ev.target
                .map(|t| t.kind.as_str().to_owned())
                .unwrap_or_default(),
            id(ev.target.and_then(|t| t.id)),
            id(ev.patient.map(|p| *p.as_uuid())),
            ev.outcome.as_str().to_owned(),
            ev.detail.clone().unwrap_or_default(),
        ])?;
    }
    into_bytes(out)
}

/// The accounting of disclosures as CSV, with a header row.
pub fn disclosures_csv(entries: &[Disclosure]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "at",
        "actor_id",
        "action",
        "outcome",
        "purpose",
        "audit_seq",
    ])?;
    for d in entries {
        let ev = &d.event.event;
        out.write_record([
            rfc3339(ev.at),
            ev.actor.map(|a| a.to_string()).unwrap_or_default(),
            ev.action.as_str().to_owned(),
            ev.outcome.as_str().to_owned(),
            d.purpose.clone().unwrap_or_default(),
            d.event.seq.to_string(),
        ])?;
    }
    into_bytes(out)
}

/// The accounting of disclosures as its JSON document.
pub fn disclosure_list(patient: PatientId, entries: &[Disclosure]) -> DisclosureList {
    DisclosureList {
        patient_id: *patient.as_uuid(),
        disclosures: entries
            .iter()
            .map(|d| DisclosureView {
                at: d.event.event.at.to_datetime(),
                actor_id: d.event.event.actor.map(|u| *u.as_uuid()),
                action: d.event.event.action.as_str().to_owned(),
                outcome: d.event.event.outcome.as_str().to_owned(),
                purpose: d.purpose.clone(),
                audit_seq: d.event.seq,
            })
            .collect(),
    }
}

/// The CSV written, once flushed.
fn into_bytes(out: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn rfc3339(at: Timestamp) -> String {
    at.to_datetime().format(&Rfc3339).unwrap_or_default()
}
