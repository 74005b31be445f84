//! The compliance report in wire form, and as one self-contained printable HTML page (no
//! script, no outside asset: it opens offline and prints to PDF from any browser).

use std::fmt::Write as _;

use ward_core::controls::Obligation;
use ward_core::evidence::{CheckOutcome, Status};
use ward_core::oversight::AccessDecision;
use ward_proto::evidence::{
    AccessDecisionKind, AccessDecisionView, AccessReviewRow, AuditHeadView, ComplianceReportView,
    ControlStatus, ControlView, ReviewItemView, SelftestView,
};

use super::frames::alert_kind;
use crate::opened::{AccessRow, ComplianceReport, ReviewItem};

pub fn compliance_report_view(r: &ComplianceReport) -> ComplianceReportView {
    ComplianceReportView {
        organisation: r.organisation.clone(),
        version: r.version.to_owned(),
        generated_at: r.generated_at.to_datetime(),
        from: r.period.from.to_datetime(),
        to: r.period.to.to_datetime(),
        audit_head: r.audit_head.as_ref().map(|(seq, hash)| AuditHeadView {
            seq: *seq,
            hash: hash.clone(),
        }),
        controls: r
            .controls
            .iter()
            .map(|a| ControlView {
                citation: a.control.citation.to_owned(),
                title: a.control.title.to_owned(),
                obligation: match a.control.obligation {
                    Obligation::Required => ward_proto::evidence::Obligation::Required,
                    Obligation::Addressable => ward_proto::evidence::Obligation::Addressable,
                },
                status: match a.status {
                    Status::Met => ControlStatus::Met,
                    Status::Attention => ControlStatus::Attention,
                    Status::NotMet => ControlStatus::NotMet,
                },
                reason: a.reason.clone(),
                evidence: a.evidence.clone(),
                features: a.control.features.iter().map(|s| (*s).to_owned()).collect(),
                tests: a.control.tests.iter().map(|s| (*s).to_owned()).collect(),
            })
            .collect(),
        break_glass: r.break_glass.iter().map(review_item_view).collect(),
        alerts: r.alerts.iter().map(review_item_view).collect(),
        access_review: r.access.iter().map(access_row_view).collect(),
        selftest: r
            .selftest
            .iter()
            .map(|c| SelftestView {
                name: c.name.to_owned(),
                outcome: match c.outcome {
                    CheckOutcome::Passed => ward_proto::evidence::CheckOutcome::Passed,
                    CheckOutcome::Failed => ward_proto::evidence::CheckOutcome::Failed,
                    CheckOutcome::Skipped => ward_proto::evidence::CheckOutcome::Skipped,
                },
                detail: c.detail.clone(),
            })
            .collect(),
    }
}

fn review_item_view(item: &ReviewItem) -> ReviewItemView {
    let a = &item.alert;
    ReviewItemView {
        alert_id: a.id,
        kind: alert_kind(a.kind),
        subject: item.subject.clone(),
        patient_id: a.patient_id.map(|p| *p.as_uuid()),
        raised_at: a.raised_at.to_datetime(),
        signed_off_by: item.signed_off_by.clone(),
        signed_off_at: a.acknowledged_at.map(|t| t.to_datetime()),
        note: item.note.clone(),
    }
}

const fn decision_kind(keep: bool) -> AccessDecisionKind {
    if keep {
        AccessDecisionKind::Keep
    } else {
        AccessDecisionKind::Remove
    }
}

pub fn access_row_view(row: &AccessRow) -> AccessReviewRow {
    let a = &row.account;
    AccessReviewRow {
        user_id: *a.id.as_uuid(),
        username: a.username.clone(),
        role: a.role.to_string(),
        active: a.active,
        second_factor: a.second_factor,
        last_sign_in: a.last_sign_in.map(|t| t.to_datetime()),
        patient_conversations: u64::try_from(row.patient_conversations).unwrap_or(u64::MAX),
        decision: row.decision.as_ref().map(|d| decision_kind(d.keep)),
        reviewed_by: row.reviewed_by.clone(),
        reviewed_at: row.decision.as_ref().map(|d| d.reviewed_at.to_datetime()),
    }
}

pub fn access_decision_view(d: &AccessDecision) -> AccessDecisionView {
    AccessDecisionView {
        id: d.id,
        user_id: *d.user_id.as_uuid(),
        role: d.role.to_string(),
        decision: decision_kind(d.keep),
        reviewed_by: *d.reviewed_by.as_uuid(),
        reviewed_at: d.reviewed_at.to_datetime(),
    }
}

/// Text made safe to place in HTML, inside an element or a quoted attribute.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

const fn status_label(status: ControlStatus) -> (&'static str, &'static str) {
    match status {
        ControlStatus::Met => ("met", "Met"),
        ControlStatus::Attention => ("attention", "Attention"),
        ControlStatus::NotMet => ("not-met", "Not met"),
    }
}

fn time(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;\
color:#111;padding:0 1rem}h1{font-size:1.6rem;margin:0}h2{margin-top:2rem;border-bottom:2px solid \
#333}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;\
vertical-align:top;border-bottom:1px solid #ccc;padding:.3rem .4rem}.control{break-inside:avoid;\
border:1px solid #bbb;border-radius:4px;padding:.5rem .8rem;margin:.7rem 0}.control h3{margin:0;\
font-size:1rem}.badge{display:inline-block;padding:0 .5rem;border-radius:3px;font-weight:600;\
border:1px solid}.met{color:#0a5a1a;border-color:#0a5a1a}.attention{color:#7a4b00;\
border-color:#7a4b00}.not-met{color:#a00;border-color:#a00}.muted{color:#555}ul{margin:.3rem 0}\
code{font-size:.85em}@media print{body{margin:0;max-width:none}}";

/// The page's Content-Security-Policy: nothing may load or run; only its own inline style
/// (by hash) applies.
pub fn compliance_html_csp() -> String {
    use base64::Engine;
    let hash =
        base64::engine::general_purpose::STANDARD.encode(ward_crypto::sha256(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'; sandbox"
    )
}

/// The report as one printable page.
pub fn compliance_html(r: &ComplianceReportView) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let count = |s: ControlStatus| r.controls.iter().filter(|c| c.status == s).count();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>HIPAA Security Rule evidence: {org}</title><style>{STYLE}</style></head><body>\
         <h1>HIPAA Security Rule evidence</h1><p><strong>{org}</strong><br>\
         Period {from} to {to}<br>Made {at} by Ward {version}",
        org = esc(&r.organisation),
        from = time(r.from),
        to = time(r.to),
        at = time(r.generated_at),
        version = esc(&r.version),
    );
    if let Some(head) = &r.audit_head {
        let _ = write!(
            h,
            "<br>At audit event {} (chain head <code>{}</code>)",
            head.seq,
            esc(&head.hash)
        );
    }
    let _ = write!(
        h,
        "</p><p>{} controls: {} met, {} need attention, {} not met.</p><h2>Controls</h2>",
        r.controls.len(),
        count(ControlStatus::Met),
        count(ControlStatus::Attention),
        count(ControlStatus::NotMet),
    );
    for c in &r.controls {
        let (class, label) = status_label(c.status);
        let obligation = match c.obligation {
            ward_proto::evidence::Obligation::Required => "required",
            ward_proto::evidence::Obligation::Addressable => "addressable",
        };
        let _ = write!(
            h,
            "<section class=\"control\" id=\"c-{id}\"><h3>{citation} {title} \
             <span class=\"muted\">({obligation})</span> <span class=\"badge {class}\">{label}</span>\
             </h3><p>{reason}</p><ul>",
            id = esc(&c.citation.replace(['(', ')', '.'], "")),
            citation = esc(&c.citation),
            title = esc(&c.title),
            reason = esc(&c.reason),
        );
        for line in &c.evidence {
            let _ = write!(h, "<li>{}</li>", esc(line));
        }
        h.push_str("</ul><p class=\"muted\">Implemented by: ");
        h.push_str(&esc(&c.features.join("; ")));
        h.push_str("<br>Proved by: ");
        for (i, test) in c.tests.iter().enumerate() {
            if i > 0 {
                h.push_str(", ");
            }
            let _ = write!(h, "<code>{}</code>", esc(test));
        }
        h.push_str("</p></section>");
    }
    review_table(&mut h, "Break-glass uses", &r.break_glass);
    review_table(&mut h, "Alerts", &r.alerts);
    h.push_str(
        "<h2>Access review</h2><table><tr><th>Account</th><th>Role</th><th>Active</th>\
         <th>Second factor</th><th>Last sign-in</th><th>Patient conversations</th>\
         <th>Decision</th></tr>",
    );
    for a in &r.access_review {
        let decision = match (a.decision, &a.reviewed_by, a.reviewed_at) {
            (Some(d), by, Some(at)) => format!(
                "{} by {} {}",
                if d == AccessDecisionKind::Keep {
                    "keep"
                } else {
                    "remove"
                },
                esc(by.as_deref().unwrap_or("?")),
                time(at)
            ),
            _ => "not reviewed".to_owned(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.username),
            esc(&a.role),
            yes_no(a.active),
            yes_no(a.second_factor),
            a.last_sign_in.map_or_else(|| "never".to_owned(), time),
            a.patient_conversations,
            decision,
        );
    }
    h.push_str("</table>");
    if !r.selftest.is_empty() {
        h.push_str(
            "<h2>Self-test</h2><table><tr><th>Check</th><th>Result</th><th>Detail</th></tr>",
        );
        for c in &r.selftest {
            let result = match c.outcome {
                ward_proto::evidence::CheckOutcome::Passed => "passed",
                ward_proto::evidence::CheckOutcome::Failed => "FAILED",
                ward_proto::evidence::CheckOutcome::Skipped => "skipped",
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{result}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(&c.detail)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

const fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

fn review_table(h: &mut String, title: &str, items: &[ReviewItemView]) {
    let _ = write!(
        h,
        "<h2>{title}</h2><table><tr><th>Raised</th><th>Kind</th><th>Account</th>\
         <th>Signed off</th><th>Note</th></tr>"
    );
    if items.is_empty() {
        h.push_str("<tr><td colspan=\"5\">none in the period</td></tr>");
    }
    for item in items {
        let kind = serde_json::to_value(item.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let signed = match (&item.signed_off_by, item.signed_off_at) {
            (by, Some(at)) => format!("{} {}", esc(by.as_deref().unwrap_or("?")), time(at)),
            _ => "not yet".to_owned(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{signed}</td><td>{}</td></tr>",
            time(item.raised_at),
            esc(&kind),
            esc(item.subject.as_deref().unwrap_or("")),
            esc(item.note.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            esc(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
