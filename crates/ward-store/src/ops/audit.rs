//! The audit chain: appended inside the transaction of the change it records, read back in
//! pages (verification) or searched (compliance).

use ward_core::audit::{
    AuditAction, AuditEvent, AuditFilter, AuditTarget, ChainHasher, GENESIS_HASH, NewAuditEvent,
    Outcome, TargetKind, canonical_bytes,
};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

const HEAD: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
const INSERT: &str = "INSERT INTO audit_events (seq, id, at, actor_id, session_id, address, \
     action, target_kind, target_id, patient_id, outcome, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
const SEARCH: &str = "SELECT seq, id, at, actor_id, session_id, address, action, target_kind, \
     target_id, patient_id, outcome, detail, prev_hash, hash FROM audit_events WHERE \
     ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR target_id = $2) AND \
     ($3 IS NULL OR patient_id = $3) AND ($4 IS NULL OR action = $4) AND \
     ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at <= $6) AND \
     ($7 IS NULL OR seq < $7) ORDER BY seq DESC LIMIT $8";
const PAGE: &str = "SELECT seq, id, at, actor_id, session_id, address, action, target_kind, \
     target_id, patient_id, outcome, detail, prev_hash, hash FROM audit_events \
     WHERE seq > $1 ORDER BY seq LIMIT $2";

/// Appends `event` to the audit chain inside the caller's transaction; its sequence number.
/// The caller holds the ordering lock ([`Exec::order`], taken once at the start of the
/// transaction), so the head read here stays the head and concurrent appends stay one chain.
pub(crate) async fn append_audit<E: Exec>(
    c: &mut E,
    hasher: &dyn ChainHasher,
    event: &NewAuditEvent,
) -> StoreResult<i64> {
    let head = c
        .fetch_optional(HEAD, &[], |r| Ok((r.get::<i64>(0)?, r.get::<Vec<u8>>(1)?)))
        .await?;
    let (prev_seq, prev_hash) = match head {
        Some((seq, hash)) => (
            seq,
            <[u8; 32]>::try_from(hash).map_err(|_| StoreError::CorruptAudit { seq })?,
        ),
        None => (0, GENESIS_HASH),
    };
    let seq = prev_seq + 1;
    let hash = hasher.link(&prev_hash, &canonical_bytes(seq, event));
    let args = [
        seq.into(),
        event.id.into(),
        event.at.into(),
        event.actor.into(),
        event.session.into(),
        event.address.as_deref().into(),
        event.action.as_str().into(),
        event.target.map(|t| t.kind.as_str()).into(),
        event.target.and_then(|t| t.id).into(),
        event.patient.into(),
        event.outcome.as_str().into(),
        event.detail.as_deref().into(),
        (&prev_hash).into(),
        (&hash).into(),
    ];
    c.execute(INSERT, &args).await?;
    Ok(seq)
}

/// Audit events matching `f`, newest first.
pub(crate) async fn search_audit<E: Exec>(
    c: &mut E,
    f: &AuditFilter,
) -> StoreResult<Vec<AuditEvent>> {
    let args = [
        f.actor.into(),
        f.target.into(),
        f.patient.into(),
        f.action.map(|a| a.as_str()).into(),
        f.from.into(),
        f.to.into(),
        f.before_seq.into(),
        i64::from(f.limit).into(),
    ];
    c.fetch(SEARCH, &args, audit_event).await
}

/// Up to `limit` events after `after_seq`, in chain order.
pub(crate) async fn audit_chain_page<E: Exec>(
    c: &mut E,
    after_seq: i64,
    limit: u32,
) -> StoreResult<Vec<AuditEvent>> {
    let args = [after_seq.into(), i64::from(limit).into()];
    c.fetch(PAGE, &args, audit_event).await
}

/// A row of [`SEARCH`] or [`PAGE`]; a value that does not decode marks the event altered.
fn audit_event(r: &dyn Row) -> StoreResult<AuditEvent> {
    let seq: i64 = r.get(0)?;
    audit_event_at(r, seq).map_err(|_| StoreError::CorruptAudit { seq })
}

/// The rest of the row of event `seq`.
fn audit_event_at(r: &dyn Row, seq: i64) -> StoreResult<AuditEvent> {
    let corrupt = || StoreError::CorruptAudit { seq };
    let text = |i| r.get::<String>(i).map_err(|_| corrupt());
    let target = match r.opt::<String>(7)? {
        Some(kind) => Some(AuditTarget::new(
            TargetKind::parse(&kind).map_err(|_| corrupt())?,
            r.opt(8)?,
        )),
        None if r.opt::<uuid::Uuid>(8)?.is_none() => None,
        None => return Err(corrupt()),
    };
    let hash = |i| {
        r.get::<Vec<u8>>(i)
            .ok()
            .and_then(|h| <[u8; 32]>::try_from(h).ok())
            .ok_or_else(corrupt)
    };
    Ok(AuditEvent {
        seq,
        event: NewAuditEvent {
            id: r.get(1)?,
            at: r.get(2)?,
            actor: r.opt(3)?,
            session: r.opt(4)?,
            address: r.opt(5)?,
            action: AuditAction::parse(&text(6)?).map_err(|_| corrupt())?,
            target,
            patient: r.opt(9)?,
            outcome: Outcome::parse(&text(10)?).map_err(|_| corrupt())?,
            detail: r.opt(11)?,
        },
        prev_hash: hash(12)?,
        hash: hash(13)?,
    })
}
