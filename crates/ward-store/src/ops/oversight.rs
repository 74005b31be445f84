//! Break-glass grants (emergency access to a patient's care-team thread) and the alerts
//! compliance officers receive.

use ward_core::Timestamp;
use ward_core::id::{PatientId, UserId};
use ward_core::keys::Epoch;
use ward_core::oversight::{AccessDecision, Alert, AlertId, AlertKind, BreakGlassGrant, GrantId};
use ward_core::role::RoleName;

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

// ---- break-glass grants -------------------------------------------------------------------

const GRANT: &str = "SELECT id, patient_id, user_id, conversation_id, epoch, sealed_reason, \
     opened_at, ends_at, ended_at FROM break_glass WHERE id = $1";
const DUE_GRANTS: &str = "SELECT id, patient_id, user_id, conversation_id, epoch, \
     sealed_reason, opened_at, ends_at, ended_at FROM break_glass \
     WHERE ended_at IS NULL AND ends_at <= $1 ORDER BY ends_at LIMIT $2";
const GRANTS_FOR_PATIENT: &str = "SELECT id, patient_id, user_id, conversation_id, epoch, \
     sealed_reason, opened_at, ends_at, ended_at FROM break_glass WHERE patient_id = $1 \
     ORDER BY opened_at DESC";
const INSERT_GRANT: &str = "INSERT INTO break_glass (id, patient_id, user_id, \
     conversation_id, epoch, sealed_reason, opened_at, ends_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const END_GRANT: &str = "UPDATE break_glass SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";
/// Whether a user still has a reason to be in a care-team thread: on the care team, or
/// another break-glass grant still open.
const STILL_ENTITLED: &str = "SELECT (SELECT COUNT(*) FROM care_team \
     WHERE patient_id = $1 AND user_id = $2) + (SELECT COUNT(*) FROM break_glass \
     WHERE patient_id = $1 AND user_id = $2 AND ended_at IS NULL)";

fn grant_row(r: &dyn Row) -> StoreResult<BreakGlassGrant> {
    Ok(BreakGlassGrant {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        user_id: r.get(2)?,
        conversation_id: r.get(3)?,
        epoch: Epoch::from_index(r.get(4)?),
        sealed_reason: r.get(5)?,
        opened_at: r.get(6)?,
        ends_at: r.get(7)?,
        ended_at: r.opt(8)?,
    })
}

pub(crate) async fn grant<E: Exec>(c: &mut E, id: GrantId) -> StoreResult<Option<BreakGlassGrant>> {
    c.fetch_optional(GRANT, &[id.into()], grant_row).await
}

/// Grants still open whose time is up by `now`.
pub(crate) async fn due_grants<E: Exec>(
    c: &mut E,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<BreakGlassGrant>> {
    let args = [now.into(), i64::from(limit).into()];
    c.fetch(DUE_GRANTS, &args, grant_row).await
}

/// Every grant for a patient, newest first.
pub(crate) async fn grants_for_patient<E: Exec>(
    c: &mut E,
    patient: PatientId,
) -> StoreResult<Vec<BreakGlassGrant>> {
    c.fetch(GRANTS_FOR_PATIENT, &[patient.into()], grant_row)
        .await
}

pub(crate) async fn insert_grant<E: Exec>(c: &mut E, g: &BreakGlassGrant) -> StoreResult<()> {
    let args = [
        g.id.into(),
        g.patient_id.into(),
        g.user_id.into(),
        g.conversation_id.into(),
        g.epoch.index().into(),
        g.sealed_reason.as_slice().into(),
        g.opened_at.into(),
        g.ends_at.into(),
    ];
    c.execute(INSERT_GRANT, &args).await?;
    Ok(())
}

/// Ends a grant; false if it had ended already.
pub(crate) async fn end_grant<E: Exec>(
    c: &mut E,
    grant: GrantId,
    at: Timestamp,
) -> StoreResult<bool> {
    Ok(c.execute(END_GRANT, &[grant.into(), at.into()]).await? == 1)
}

/// Whether `user` belongs in the patient's care-team thread without the grant that just
/// ended: on the care team, or holding another open grant.
pub(crate) async fn still_entitled<E: Exec>(
    c: &mut E,
    patient: PatientId,
    user: UserId,
) -> StoreResult<bool> {
    let args = [patient.into(), user.into()];
    Ok(c.count(STILL_ENTITLED, &args).await? > 0)
}

// ---- alerts -------------------------------------------------------------------------------

const ALERT: &str = "SELECT id, kind, subject_id, patient_id, audit_seq, raised_at, \
     acknowledged_by, acknowledged_at, evidence, sealed_note FROM alerts WHERE id = $1";
const ALERTS: &str = "SELECT id, kind, subject_id, patient_id, audit_seq, raised_at, \
     acknowledged_by, acknowledged_at, evidence, sealed_note FROM alerts \
     WHERE ($1 = 0 OR acknowledged_at IS NULL) ORDER BY raised_at DESC LIMIT $2";
/// Alerts raised in a period, and every one not signed off whenever it was raised.
const ALERTS_FOR_REVIEW: &str = "SELECT id, kind, subject_id, patient_id, audit_seq, \
     raised_at, acknowledged_by, acknowledged_at, evidence, sealed_note FROM alerts \
     WHERE (raised_at >= $1 AND raised_at < $2) OR acknowledged_at IS NULL \
     ORDER BY raised_at DESC LIMIT $3";
const INSERT_ALERT: &str = "INSERT INTO alerts (id, kind, subject_id, patient_id, \
     audit_seq, raised_at, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (kind, audit_seq) DO NOTHING";
const ACKNOWLEDGE_ALERT: &str = "UPDATE alerts SET acknowledged_by = $2, \
     acknowledged_at = $3, sealed_note = $4 WHERE id = $1 AND acknowledged_at IS NULL";

/// A row of [`ALERT`] or [`ALERTS`]; the evidence is stored as a comma-separated list of
/// audit sequence numbers (none stored: the alert's own event).
fn alert_row(r: &dyn Row) -> StoreResult<Alert> {
    let audit_seq: i64 = r.get(4)?;
    let evidence: Option<String> = r.opt(8)?;
    Ok(Alert {
        id: r.get(0)?,
        kind: AlertKind::parse(&r.get::<String>(1)?).map_err(|_| StoreError::Corrupt("alert"))?,
        subject_id: r.opt(2)?,
        patient_id: r.opt(3)?,
        audit_seq,
        evidence: match evidence.as_deref() {
            None | Some("") => vec![audit_seq],
            Some(text) => text
                .split(',')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| StoreError::Corrupt("alert"))?,
        },
        raised_at: r.get(5)?,
        acknowledged_by: r.opt(6)?,
        acknowledged_at: r.opt(7)?,
        sealed_note: r.opt(9)?,
    })
}

pub(crate) async fn alert<E: Exec>(c: &mut E, id: AlertId) -> StoreResult<Option<Alert>> {
    c.fetch_optional(ALERT, &[id.into()], alert_row).await
}

/// The newest alerts, optionally only those not acknowledged yet.
pub(crate) async fn alerts<E: Exec>(
    c: &mut E,
    open_only: bool,
    limit: u32,
) -> StoreResult<Vec<Alert>> {
    let args = [i64::from(open_only).into(), i64::from(limit).into()];
    c.fetch(ALERTS, &args, alert_row).await
}

/// Alerts raised in `[from, to)` and every one still open, newest first.
pub(crate) async fn alerts_for_review<E: Exec>(
    c: &mut E,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Alert>> {
    let args = [from.into(), to.into(), i64::from(limit).into()];
    c.fetch(ALERTS_FOR_REVIEW, &args, alert_row).await
}

/// Raises an alert; false if one of its kind was raised by the same event already (another
/// node's monitor saw it first).
pub(crate) async fn insert_alert<E: Exec>(c: &mut E, a: &Alert) -> StoreResult<bool> {
    let evidence = a
        .evidence
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let args = [
        a.id.into(),
        a.kind.as_str().into(),
        a.subject_id.into(),
        a.patient_id.into(),
        a.audit_seq.into(),
        a.raised_at.into(),
        evidence.as_str().into(),
    ];
    Ok(c.execute(INSERT_ALERT, &args).await? == 1)
}

/// Acknowledges (signs off) an alert, with the sealed note if any; false if there is none or
/// it was acknowledged already.
pub(crate) async fn acknowledge_alert<E: Exec>(
    c: &mut E,
    alert: AlertId,
    by: UserId,
    at: Timestamp,
    sealed_note: Option<&[u8]>,
) -> StoreResult<bool> {
    let args = [alert.into(), by.into(), at.into(), sealed_note.into()];
    Ok(c.execute(ACKNOWLEDGE_ALERT, &args).await? == 1)
}

// ---- access reviews -----------------------------------------------------------------------

const INSERT_DECISION: &str = "INSERT INTO access_reviews (id, user_id, role, keep, \
     reviewed_by, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6)";
/// Each account's latest decision.
const LATEST_DECISIONS: &str = "SELECT r.id, r.user_id, r.role, r.keep, r.reviewed_by, \
     r.reviewed_at FROM access_reviews r WHERE r.reviewed_at = (SELECT MAX(l.reviewed_at) \
     FROM access_reviews l WHERE l.user_id = r.user_id) ORDER BY r.reviewed_at";

fn decision_row(r: &dyn Row) -> StoreResult<AccessDecision> {
    Ok(AccessDecision {
        id: r.get(0)?,
        user_id: r.get(1)?,
        role: RoleName::parse(&r.get::<String>(2)?)
            .map_err(|_| StoreError::Corrupt("access review"))?,
        keep: r.get(3)?,
        reviewed_by: r.get(4)?,
        reviewed_at: r.get(5)?,
    })
}

pub(crate) async fn insert_decision<E: Exec>(c: &mut E, d: &AccessDecision) -> StoreResult<()> {
    let args = [
        d.id.into(),
        d.user_id.into(),
        d.role.as_str().into(),
        d.keep.into(),
        d.reviewed_by.into(),
        d.reviewed_at.into(),
    ];
    c.execute(INSERT_DECISION, &args).await?;
    Ok(())
}

/// Each reviewed account's latest decision, oldest first.
pub(crate) async fn latest_decisions<E: Exec>(c: &mut E) -> StoreResult<Vec<AccessDecision>> {
    c.fetch(LATEST_DECISIONS, &[], decision_row).await
}
