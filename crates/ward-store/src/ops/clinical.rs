//! The clinical workflow: acknowledgement and escalation of urgent messages, clinical roles,
//! their shifts, and the on-call role a conversation escalates to.

use ward_core::Timestamp;
use ward_core::clinical::{ClinicalRole, Escalation, EscalationGrant, EscalationStep, Shift};
use ward_core::conversation::MessageId;
use ward_core::id::{ClinicalRoleId, ConversationId, ShiftId, UserId};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

// ---- acknowledgements ---------------------------------------------------------------------

const INSERT_ACK: &str = "INSERT INTO message_acks (message_id, user_id, acked_at) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const ACKS_BETWEEN: &str = "SELECT a.message_id, a.user_id, a.acked_at FROM message_acks a \
     JOIN messages m ON m.id = a.message_id \
     WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq <= $3 \
     ORDER BY m.seq, a.acked_at";
const ACKS: &str = "SELECT user_id, acked_at FROM message_acks WHERE message_id = $1 \
     ORDER BY acked_at";
const MEMBERS_AT: &str = "SELECT DISTINCT user_id FROM memberships WHERE conversation_id = $1 \
     AND joined_event <= $2 AND (left_event IS NULL OR left_event > $2) \
     ORDER BY user_id";

fn ack_between_row(r: &dyn Row) -> StoreResult<(MessageId, UserId, Timestamp)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn ack_row(r: &dyn Row) -> StoreResult<(UserId, Timestamp)> {
    Ok((r.get(0)?, r.get(1)?))
}

/// Records an acknowledgement; false if this user had acknowledged the message already.
pub(crate) async fn insert_ack<E: Exec>(
    c: &mut E,
    message: MessageId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args = [message.into(), user.into(), at.into()];
    Ok(c.execute(INSERT_ACK, &args).await? == 1)
}

/// The acknowledgements of a conversation's messages with seq in `(after, through]`.
pub(crate) async fn acks_between<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    after: i64,
    through: i64,
) -> StoreResult<Vec<(MessageId, UserId, Timestamp)>> {
    let args = [conversation.into(), after.into(), through.into()];
    c.fetch(ACKS_BETWEEN, &args, ack_between_row).await
}

pub(crate) async fn acks<E: Exec>(
    c: &mut E,
    message: MessageId,
) -> StoreResult<Vec<(UserId, Timestamp)>> {
    c.fetch(ACKS, &[message.into()], ack_row).await
}

/// The members of a conversation at event `seq`.
pub(crate) async fn members_at<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    seq: i64,
) -> StoreResult<Vec<UserId>> {
    let args = [conversation.into(), seq.into()];
    c.fetch(MEMBERS_AT, &args, |r| r.get(0)).await
}

// ---- escalations --------------------------------------------------------------------------

const INSERT_ESCALATION: &str = "INSERT INTO escalations (message_id, \
     conversation_id, due_at) VALUES ($1, $2, $3)";
/// Moves an escalation on, only from the step it was read at (one node takes each step).
const ADVANCE_ESCALATION: &str = "UPDATE escalations SET steps_taken = $1, \
     due_at = COALESCE($2, due_at), state = $3 \
     WHERE message_id = $4 AND steps_taken = $5 AND state = 'pending'";
const DUE_ESCALATIONS: &str = "SELECT message_id, conversation_id, steps_taken, due_at \
     FROM escalations WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2";

fn escalation_row(r: &dyn Row) -> StoreResult<Escalation> {
    Ok(Escalation {
        message_id: r.get(0)?,
        conversation_id: r.get(1)?,
        steps_taken: i32::try_from(r.get::<i64>(2)?)
            .map_err(|_| StoreError::Corrupt("escalation"))?,
        due_at: r.get(3)?,
    })
}

pub(crate) async fn insert_escalation<E: Exec>(
    c: &mut E,
    message: MessageId,
    conversation: ConversationId,
    due: Timestamp,
) -> StoreResult<()> {
    let args = [message.into(), conversation.into(), due.into()];
    c.execute(INSERT_ESCALATION, &args).await?;
    Ok(())
}

/// Moves an escalation from `from` steps to `to`; false if another writer moved it first.
pub(crate) async fn claim_escalation<E: Exec>(
    c: &mut E,
    message: MessageId,
    from: i32,
    to: i32,
    due: Option<Timestamp>,
    state: &str,
) -> StoreResult<bool> {
    let args = [
        i64::from(to).into(),
        due.into(),
        state.into(),
        message.into(),
        i64::from(from).into(),
    ];
    Ok(c.execute(ADVANCE_ESCALATION, &args).await? == 1)
}

pub(crate) async fn due_escalations<E: Exec>(
    c: &mut E,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Escalation>> {
    let args = [now.into(), i64::from(limit).into()];
    c.fetch(DUE_ESCALATIONS, &args, escalation_row).await
}

// ---- escalation grants --------------------------------------------------------------------

const OPEN_GRANTS: &str = "SELECT id, message_id, conversation_id, user_id, step, granted_at, \
     ends_at, ended_at FROM escalation_grants WHERE message_id = $1 \
     AND ended_at IS NULL AND ($2 IS NULL OR user_id = $2) ORDER BY granted_at";
const GRANTS_OF: &str = "SELECT id, message_id, conversation_id, user_id, step, granted_at, \
     ends_at, ended_at FROM escalation_grants WHERE user_id = $1 \
     AND ended_at IS NULL AND ends_at > $2 ORDER BY granted_at DESC";
const LAPSED_GRANTS: &str = "SELECT id, message_id, conversation_id, user_id, step, \
     granted_at, ends_at, ended_at FROM escalation_grants WHERE ended_at IS NULL \
     AND ends_at <= $1 ORDER BY ends_at LIMIT $2";
const INSERT_GRANT: &str = "INSERT INTO escalation_grants (id, message_id, conversation_id, \
     user_id, step, granted_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Ends the open grants of a message (all of them, or only `$4`'s), naming why.
const END_GRANTS: &str = "UPDATE escalation_grants SET ended_at = $2, end_reason = $3 \
     WHERE message_id = $1 AND ended_at IS NULL AND ($4 IS NULL OR user_id = $4)";
const END_GRANT: &str = "UPDATE escalation_grants SET ended_at = $2, end_reason = $3 \
     WHERE id = $1 AND ended_at IS NULL";

fn grant_row(r: &dyn Row) -> StoreResult<EscalationGrant> {
    let step: String = r.get(4)?;
    Ok(EscalationGrant {
        id: r.get(0)?,
        message_id: r.get(1)?,
        conversation_id: r.get(2)?,
        user_id: r.get(3)?,
        step: EscalationStep::parse(&step).ok_or(StoreError::Corrupt("escalation grant"))?,
        granted_at: r.get(5)?,
        ends_at: r.get(6)?,
        ended_at: r.opt(7)?,
    })
}

pub(crate) async fn insert_grant<E: Exec>(c: &mut E, grant: &EscalationGrant) -> StoreResult<()> {
    let args = [
        grant.id.into(),
        grant.message_id.into(),
        grant.conversation_id.into(),
        grant.user_id.into(),
        grant.step.as_str().into(),
        grant.granted_at.into(),
        grant.ends_at.into(),
    ];
    c.execute(INSERT_GRANT, &args).await?;
    Ok(())
}

/// The open grants of `message` (only `user`'s, if given).
pub(crate) async fn open_grants<E: Exec>(
    c: &mut E,
    message: MessageId,
    user: Option<UserId>,
) -> StoreResult<Vec<EscalationGrant>> {
    c.fetch(OPEN_GRANTS, &[message.into(), user.into()], grant_row)
        .await
}

/// Ends the open grants of `message` (only `user`'s, if given); the grants it ended.
pub(crate) async fn end_grants<E: Exec>(
    c: &mut E,
    message: MessageId,
    user: Option<UserId>,
    at: Timestamp,
    reason: &str,
) -> StoreResult<Vec<EscalationGrant>> {
    let open = open_grants(c, message, user).await?;
    if !open.is_empty() {
        let args = [message.into(), at.into(), reason.into(), user.into()];
        c.execute(END_GRANTS, &args).await?;
    }
    Ok(open)
}

/// Ends one grant; false if it had ended already.
pub(crate) async fn end_grant<E: Exec>(
    c: &mut E,
    grant: uuid::Uuid,
    at: Timestamp,
    reason: &str,
) -> StoreResult<bool> {
    let args = [grant.into(), at.into(), reason.into()];
    Ok(c.execute(END_GRANT, &args).await? == 1)
}

/// The grants `user` holds at `now`, newest first.
pub(crate) async fn grants_of<E: Exec>(
    c: &mut E,
    user: UserId,
    now: Timestamp,
) -> StoreResult<Vec<EscalationGrant>> {
    c.fetch(GRANTS_OF, &[user.into(), now.into()], grant_row)
        .await
}

/// Open grants whose time ran out by `now`, oldest first.
pub(crate) async fn lapsed_grants<E: Exec>(
    c: &mut E,
    now: Timestamp,
    limit: u32,
) -> StoreResult<Vec<EscalationGrant>> {
    let args = [now.into(), i64::from(limit).into()];
    c.fetch(LAPSED_GRANTS, &args, grant_row).await
}

// ---- clinical roles and shifts ------------------------------------------------------------

const INSERT_CLINICAL_ROLE: &str = "INSERT INTO clinical_roles (id, name, \
     supervisor_id, created_at) VALUES ($1, $2, $3, $4)";
const CLINICAL_ROLE: &str =
    "SELECT id, name, supervisor_id, created_at FROM clinical_roles WHERE id = $1";
const CLINICAL_ROLES: &str =
    "SELECT id, name, supervisor_id, created_at FROM clinical_roles ORDER BY name";
const INSERT_SHIFT: &str = "INSERT INTO role_shifts (id, role_id, user_id, \
     starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)";
const SHIFTS_COVERING: &str = "SELECT id, user_id, starts_at, ends_at FROM role_shifts \
     WHERE role_id = $1 AND ends_at > $2 AND starts_at <= $2";

fn clinical_role_row(r: &dyn Row) -> StoreResult<ClinicalRole> {
    Ok(ClinicalRole {
        id: r.get(0)?,
        name: r.get(1)?,
        supervisor_id: r.opt(2)?,
        created_at: r.get(3)?,
    })
}

/// A row of [`SHIFTS_COVERING`]: the shift without its role (the one asked about).
fn shift_row(r: &dyn Row) -> StoreResult<(ShiftId, UserId, Timestamp, Timestamp)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

pub(crate) async fn insert_clinical_role<E: Exec>(
    c: &mut E,
    role: &ClinicalRole,
) -> StoreResult<()> {
    let args = [
        role.id.into(),
        role.name.as_str().into(),
        role.supervisor_id.into(),
        role.created_at.into(),
    ];
    c.execute(INSERT_CLINICAL_ROLE, &args)
        .await
        .map_err(|e| e.unique_as("a clinical role with this name exists"))?;
    Ok(())
}

pub(crate) async fn clinical_role<E: Exec>(
    c: &mut E,
    id: ClinicalRoleId,
) -> StoreResult<Option<ClinicalRole>> {
    c.fetch_optional(CLINICAL_ROLE, &[id.into()], clinical_role_row)
        .await
}

pub(crate) async fn clinical_roles<E: Exec>(c: &mut E) -> StoreResult<Vec<ClinicalRole>> {
    c.fetch(CLINICAL_ROLES, &[], clinical_role_row).await
}

pub(crate) async fn insert_shift<E: Exec>(c: &mut E, shift: &Shift) -> StoreResult<()> {
    let args = [
        shift.id.into(),
        shift.role_id.into(),
        shift.user_id.into(),
        shift.starts_at.into(),
        shift.ends_at.into(),
    ];
    c.execute(INSERT_SHIFT, &args).await?;
    Ok(())
}

/// The shifts of a role that cover `at`.
pub(crate) async fn shifts_covering<E: Exec>(
    c: &mut E,
    role: ClinicalRoleId,
    at: Timestamp,
) -> StoreResult<Vec<Shift>> {
    let rows = c
        .fetch(SHIFTS_COVERING, &[role.into(), at.into()], shift_row)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, starts_at, ends_at)| Shift {
            id,
            role_id: role,
            user_id,
            starts_at,
            ends_at,
        })
        .collect())
}

// ---- escalation roles ---------------------------------------------------------------------

const SET_ESCALATION_ROLE: &str = "INSERT INTO conversation_escalation \
     (conversation_id, role_id) VALUES ($1, $2) \
     ON CONFLICT (conversation_id) DO UPDATE SET role_id = excluded.role_id";
const CLEAR_ESCALATION_ROLE: &str =
    "DELETE FROM conversation_escalation WHERE conversation_id = $1";
const ESCALATION_ROLE: &str =
    "SELECT role_id FROM conversation_escalation WHERE conversation_id = $1";
const ROLE_CONVERSATIONS: &str = "SELECT c.id, ce.role_id FROM conversations c \
     JOIN conversation_escalation ce ON ce.conversation_id = c.id \
     WHERE c.kind = 'role' ORDER BY c.id";

fn role_conversation_row(r: &dyn Row) -> StoreResult<(ConversationId, ClinicalRoleId)> {
    Ok((r.get(0)?, r.get(1)?))
}

/// Sets (or, with `None`, clears) the role a conversation's urgent messages escalate to.
pub(crate) async fn set_escalation_role<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
    role: Option<ClinicalRoleId>,
) -> StoreResult<()> {
    match role {
        Some(role) => {
            let args = [conversation.into(), role.into()];
            c.execute(SET_ESCALATION_ROLE, &args).await?;
        }
        None => {
            c.execute(CLEAR_ESCALATION_ROLE, &[conversation.into()])
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn escalation_role<E: Exec>(
    c: &mut E,
    conversation: ConversationId,
) -> StoreResult<Option<ClinicalRoleId>> {
    c.fetch_optional(ESCALATION_ROLE, &[conversation.into()], |r| r.get(0))
        .await
}

/// Every conversation addressed to a clinical role, with the role.
pub(crate) async fn role_conversations<E: Exec>(
    c: &mut E,
) -> StoreResult<Vec<(ConversationId, ClinicalRoleId)>> {
    c.fetch(ROLE_CONVERSATIONS, &[], role_conversation_row)
        .await
}
