//! The clinical half of the SQLite writer: acknowledgements, escalations, clinical roles and
//! shifts.

use ward_core::clinical::{ClinicalRole, Shift};
use ward_core::id::ClinicalRoleId;

use super::*;

/// Records an acknowledgement; false if this user had acknowledged the message already.
pub(crate) async fn insert_ack(
    c: &mut Conn,
    message: MessageId,
    user: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    let args: [&dyn ToSql; 3] = [&message, user.as_uuid(), &at.as_micros()];
    Ok(execute(c, sql::INSERT_ACK, &args)? == 1)
}

pub(crate) async fn insert_escalation(
    c: &mut Conn,
    message: MessageId,
    conversation: ConversationId,
    due: Timestamp,
) -> StoreResult<()> {
    let args: [&dyn ToSql; 3] = [&message, conversation.as_uuid(), &due.as_micros()];
    execute(c, sql::INSERT_ESCALATION, &args)?;
    Ok(())
}

/// Moves an escalation from `from` steps to `to`; false if another writer moved it first.
pub(crate) async fn claim_escalation(
    c: &mut Conn,
    message: MessageId,
    from: i32,
    to: i32,
    due: Option<Timestamp>,
    state: &str,
) -> StoreResult<bool> {
    let due = due.map(Timestamp::as_micros);
    let args: [&dyn ToSql; 5] = [&to, &due, &state, &message, &from];
    Ok(execute(c, sql::ADVANCE_ESCALATION, &args)? == 1)
}

pub(crate) async fn insert_clinical_role(c: &mut Conn, role: &ClinicalRole) -> StoreResult<()> {
    let supervisor = role.supervisor_id.map(|u| *u.as_uuid());
    let args: [&dyn ToSql; 4] = [
        role.id.as_uuid(),
        &role.name,
        &supervisor,
        &role.created_at.as_micros(),
    ];
    execute(c, sql::INSERT_CLINICAL_ROLE, &args)
        .map_err(|e| unique_as_conflict(e, "a clinical role with this name exists"))?;
    Ok(())
}

pub(crate) async fn insert_shift(c: &mut Conn, shift: &Shift) -> StoreResult<()> {
    let args: [&dyn ToSql; 5] = [
        shift.id.as_uuid(),
        shift.role_id.as_uuid(),
        shift.user_id.as_uuid(),
        &shift.starts_at.as_micros(),
        &shift.ends_at.as_micros(),
    ];
    execute(c, sql::INSERT_SHIFT, &args)?;
    Ok(())
}

pub(crate) async fn set_escalation_role(
    c: &mut Conn,
    conversation: ConversationId,
    role: Option<ClinicalRoleId>,
) -> StoreResult<()> {
    match role {
        Some(role) => {
            let args: [&dyn ToSql; 2] = [conversation.as_uuid(), role.as_uuid()];
            execute(c, sql::SET_ESCALATION_ROLE, &args)?
        }
        None => execute(c, sql::CLEAR_ESCALATION_ROLE, &[conversation.as_uuid()])?,
    };
    Ok(())
}
