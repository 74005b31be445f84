//! The clinical half of the PostgreSQL writer: acknowledgements, escalations, clinical roles
//! and shifts.

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
    let done = sqlx::query(sql::INSERT_ACK)
        .bind(message)
        .bind(*user.as_uuid())
        .bind(at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn insert_escalation(
    c: &mut Conn,
    message: MessageId,
    conversation: ConversationId,
    due: Timestamp,
) -> StoreResult<()> {
    sqlx::query(sql::INSERT_ESCALATION)
        .bind(message)
        .bind(*conversation.as_uuid())
        .bind(due.as_micros())
        .execute(&mut *c)
        .await?;
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
    let done = sqlx::query(sql::ADVANCE_ESCALATION)
        .bind(to)
        .bind(due.map(Timestamp::as_micros))
        .bind(state)
        .bind(message)
        .bind(from)
        .execute(&mut *c)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn insert_clinical_role(c: &mut Conn, role: &ClinicalRole) -> StoreResult<()> {
    sqlx::query(sql::INSERT_CLINICAL_ROLE)
        .bind(*role.id.as_uuid())
        .bind(&role.name)
        .bind(role.supervisor_id.map(|u| *u.as_uuid()))
        .bind(role.created_at.as_micros())
        .execute(&mut *c)
        .await
        .map_err(|e| unique_as_conflict(e, "a clinical role with this name exists"))?;
    Ok(())
}

pub(crate) async fn insert_shift(c: &mut Conn, shift: &Shift) -> StoreResult<()> {
    sqlx::query(sql::INSERT_SHIFT)
        .bind(*shift.id.as_uuid())
        .bind(*shift.role_id.as_uuid())
        .bind(*shift.user_id.as_uuid())
        .bind(shift.starts_at.as_micros())
        .bind(shift.ends_at.as_micros())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub(crate) async fn set_escalation_role(
    c: &mut Conn,
    conversation: ConversationId,
    role: Option<ClinicalRoleId>,
) -> StoreResult<()> {
    match role {
        Some(role) => sqlx::query(sql::SET_ESCALATION_ROLE)
            .bind(*conversation.as_uuid())
            .bind(*role.as_uuid()),
        None => sqlx::query(sql::CLEAR_ESCALATION_ROLE).bind(*conversation.as_uuid()),
    }
    .execute(&mut *c)
    .await?;
    Ok(())
}
