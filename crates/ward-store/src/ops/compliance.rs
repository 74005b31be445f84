//! Compliance records: signed checkpoints of the audit chain, retention (destroying
//! conversation epoch keys, and the record that they were), and legal holds.

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditCheckpoint, ChainHash, Outcome};
use ward_core::conversation::ConversationKind;
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::retention::{EpochCandidate, HoldId, HoldScope, LegalHold};

use crate::exec::{Exec, Row};
use crate::ops::keys;
use crate::{StoreError, StoreResult};

// ---- audit checkpoints --------------------------------------------------------------------

const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
const INSERT_CHECKPOINT: &str = "INSERT INTO audit_checkpoints (seq, head_hash, signed_at, \
     public_key, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING";
const CHECKPOINTS: &str = "SELECT seq, head_hash, signed_at, public_key, signature \
     FROM audit_checkpoints ORDER BY seq";

fn head_row(r: &dyn Row) -> StoreResult<(i64, ChainHash)> {
    let seq: i64 = r.get(0)?;
    let hash: ChainHash = r
        .get::<Vec<u8>>(1)?
        .try_into()
        .map_err(|_| StoreError::CorruptAudit { seq })?;
    Ok((seq, hash))
}

/// A field of the wrong length cannot verify: it is kept as zeros, which the verifier
/// reports as a forged checkpoint at that seq.
fn checkpoint_row(r: &dyn Row) -> StoreResult<AuditCheckpoint> {
    Ok(AuditCheckpoint {
        seq: r.get(0)?,
        head: r.get::<Vec<u8>>(1)?.try_into().unwrap_or([0; 32]),
        signed_at: r.get(2)?,
        public_key: r.get::<Vec<u8>>(3)?.try_into().unwrap_or([0; 32]),
        signature: r.get::<Vec<u8>>(4)?.try_into().unwrap_or([0; 64]),
    })
}

/// The last audit event's seq and chain hash; `None` for an empty log.
pub(crate) async fn audit_head<E: Exec>(c: &mut E) -> StoreResult<Option<(i64, ChainHash)>> {
    c.fetch_optional(AUDIT_HEAD, &[], head_row).await
}

/// Keeps a checkpoint unless one for its seq exists.
pub(crate) async fn insert_checkpoint<E: Exec>(
    c: &mut E,
    checkpoint: &AuditCheckpoint,
) -> StoreResult<bool> {
    let args = [
        checkpoint.seq.into(),
        (&checkpoint.head).into(),
        checkpoint.signed_at.into(),
        (&checkpoint.public_key).into(),
        (&checkpoint.signature).into(),
    ];
    Ok(c.execute(INSERT_CHECKPOINT, &args).await? == 1)
}

/// Every checkpoint, in seq order.
pub(crate) async fn checkpoints<E: Exec>(c: &mut E) -> StoreResult<Vec<AuditCheckpoint>> {
    c.fetch(CHECKPOINTS, &[], checkpoint_row).await
}

// ---- retention ----------------------------------------------------------------------------

const SET_RETENTION: &str = "UPDATE conversations SET retention_secs = $2 WHERE id = $1";
const RECORD_SHRED: &str = "INSERT INTO shredded_keys (scope_kind, scope_id, epoch, \
     shredded_at) VALUES ('conversation', $1, $2, $3) ON CONFLICT DO NOTHING";
const DISPOSAL_CANDIDATES: &str = "SELECT m.conversation_id, c.kind, c.patient_id, \
     c.retention_secs, m.epoch, MAX(m.created_at), COUNT(*) FROM messages m \
     JOIN conversations c ON c.id = m.conversation_id \
     WHERE NOT EXISTS (SELECT 1 FROM shredded_keys k \
     WHERE k.scope_kind = 'conversation' AND k.scope_id = m.conversation_id \
     AND k.epoch = m.epoch) \
     GROUP BY m.conversation_id, c.kind, c.patient_id, c.retention_secs, m.epoch";
const EPOCH_SENDERS: &str =
    "SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND epoch = $2";
const SHREDDED_SINCE: &str = "SELECT scope_id, epoch FROM shredded_keys \
     WHERE scope_kind = 'conversation' AND shredded_at >= $1";
const KEY_SHREDDED: &str = "SELECT epoch FROM shredded_keys WHERE scope_kind = $1 \
     AND scope_id = $2 AND epoch = $3";

fn candidate_row(r: &dyn Row) -> StoreResult<EpochCandidate> {
    Ok(EpochCandidate {
        conversation_id: r.get(0)?,
        kind: ConversationKind::parse(&r.get::<String>(1)?)
            .map_err(|_| StoreError::Corrupt("conversation"))?,
        patient_id: r.opt(2)?,
        retention_secs: r.opt(3)?,
        epoch: Epoch::from_index(r.get(4)?),
        last_sent_at: r.get(5)?,
        messages: r.get(6)?,
    })
}

/// Sets or clears a conversation's own retention; false if there is no such conversation.
pub(crate) async fn set_retention<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    secs: Option<i64>,
) -> StoreResult<bool> {
    let args = [conversation.into(), secs.into()];
    Ok(c.execute(SET_RETENTION, &args).await? == 1)
}

/// Destroys a conversation epoch's data key and records that it was; false if it was
/// already.
pub(crate) async fn shred_epoch<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    epoch: Epoch,
    at: Timestamp,
) -> StoreResult<bool> {
    keys::delete_data_key(c, KeyScope::Conversation(conversation), epoch).await?;
    let args = [conversation.into(), epoch.index().into(), at.into()];
    Ok(c.execute(RECORD_SHRED, &args).await? == 1)
}

/// Every conversation epoch with messages whose key was not destroyed (the current epochs
/// included).
pub(crate) async fn disposal_candidates<E: Exec>(c: &mut E) -> StoreResult<Vec<EpochCandidate>> {
    c.fetch(DISPOSAL_CANDIDATES, &[], candidate_row).await
}

/// Who sent the messages of a conversation epoch.
pub(crate) async fn epoch_senders<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    epoch: Epoch,
) -> StoreResult<Vec<UserId>> {
    let args = [conversation.into(), epoch.index().into()];
    c.fetch(EPOCH_SENDERS, &args, |r| r.get::<UserId>(0)).await
}

/// The conversation epochs whose keys were destroyed at or after `since`.
pub(crate) async fn shredded_since<E: Exec>(
    c: &mut E,
    since: Timestamp,
) -> StoreResult<Vec<(ConversationId, Epoch)>> {
    c.fetch(SHREDDED_SINCE, &[since.into()], |r| {
        Ok((r.get::<ConversationId>(0)?, Epoch::from_index(r.get(1)?)))
    })
    .await
}

/// Whether retention destroyed this key.
pub(crate) async fn key_shredded<E: Exec>(
    c: &mut E,
    scope: KeyScope,
    epoch: Epoch,
) -> StoreResult<bool> {
    let args = [scope.kind().into(), scope.id().into(), epoch.index().into()];
    let found = c
        .fetch_optional(KEY_SHREDDED, &args, |r| r.get::<i64>(0))
        .await?;
    Ok(found.is_some())
}

// ---- legal holds --------------------------------------------------------------------------

const PLACE_HOLD: &str = "INSERT INTO legal_holds (id, scope, subject_id, epoch, \
     sealed_reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const RELEASE_HOLD: &str = "UPDATE legal_holds SET released_by = $2, released_at = $3 \
     WHERE id = $1 AND released_at IS NULL";
const LEGAL_HOLD: &str = "SELECT id, scope, subject_id, epoch, sealed_reason, placed_by, \
     placed_at, released_by, released_at FROM legal_holds WHERE id = $1";
const LEGAL_HOLDS: &str = "SELECT id, scope, subject_id, epoch, sealed_reason, placed_by, \
     placed_at, released_by, released_at FROM legal_holds \
     WHERE ($1 = 0 OR released_at IS NULL) ORDER BY placed_at DESC LIMIT 1000";

fn hold_row(r: &dyn Row) -> StoreResult<LegalHold> {
    Ok(LegalHold {
        id: r.get(0)?,
        scope: HoldScope::parse(&r.get::<String>(1)?)
            .map_err(|_| StoreError::Corrupt("legal hold"))?,
        subject_id: r.get(2)?,
        epoch: Epoch::from_index(r.get(3)?),
        sealed_reason: r.get(4)?,
        placed_by: r.get(5)?,
        placed_at: r.get(6)?,
        released_by: r.opt(7)?,
        released_at: r.opt(8)?,
    })
}

pub(crate) async fn place_hold<E: Exec>(c: &mut E, hold: &LegalHold) -> StoreResult<()> {
    let args = [
        hold.id.into(),
        hold.scope.as_str().into(),
        hold.subject_id.into(),
        hold.epoch.index().into(),
        hold.sealed_reason.as_slice().into(),
        hold.placed_by.into(),
        hold.placed_at.into(),
    ];
    c.execute(PLACE_HOLD, &args).await?;
    Ok(())
}

/// Releases a hold; false if there is none or it was released already.
pub(crate) async fn release_hold<E: Exec>(
    c: &mut E,
    hold: HoldId,
    by: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [hold.into(), by.into(), at.into()];
    Ok(c.execute(RELEASE_HOLD, &args).await? == 1)
}

pub(crate) async fn legal_hold<E: Exec>(c: &mut E, id: HoldId) -> StoreResult<Option<LegalHold>> {
    c.fetch_optional(LEGAL_HOLD, &[id.into()], hold_row).await
}

/// Holds, newest first (at most 1000); with `active_only`, those not released.
pub(crate) async fn legal_holds<E: Exec>(
    c: &mut E,
    active_only: bool,
) -> StoreResult<Vec<LegalHold>> {
    let args = [i64::from(active_only).into()];
    c.fetch(LEGAL_HOLDS, &args, hold_row).await
}

// ---- evidence for the compliance report ---------------------------------------------------

const LAST_SIGN_INS: &str = "SELECT actor_id, MAX(at) FROM audit_events \
     WHERE action = 'auth.login' AND outcome = 'success' AND actor_id IS NOT NULL \
     GROUP BY actor_id";
const SECOND_FACTOR_USERS: &str = "SELECT user_id FROM totp_factors WHERE confirmed = $1";
const COUNT_AUDIT: &str = "SELECT COUNT(*) FROM audit_events \
     WHERE at >= $1 AND at < $2 AND action = $3 AND ($4 = '' OR outcome = $4)";

/// Each user's latest successful sign-in.
pub(crate) async fn last_sign_ins<E: Exec>(c: &mut E) -> StoreResult<Vec<(UserId, Timestamp)>> {
    c.fetch(LAST_SIGN_INS, &[], |r| Ok((r.get(0)?, r.get(1)?)))
        .await
}

/// Users with a confirmed second factor.
pub(crate) async fn second_factor_users<E: Exec>(c: &mut E) -> StoreResult<Vec<UserId>> {
    c.fetch(SECOND_FACTOR_USERS, &[true.into()], |r| r.get(0))
        .await
}

/// Audit events of one action (and outcome, if given) in `[from, to)`.
pub(crate) async fn count_audit<E: Exec>(
    c: &mut E,
    action: AuditAction,
    outcome: Option<Outcome>,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<u64> {
    let outcome = outcome.map_or("", Outcome::as_str);
    let args = [
        from.into(),
        to.into(),
        action.as_str().into(),
        outcome.into(),
    ];
    Ok(c.count(COUNT_AUDIT, &args).await?.try_into().unwrap_or(0))
}
