//! Clinical roles, their shifts, and the on-call role of a conversation.

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::clinical::{ClinicalRole, Shift, check_role_name, holder_at};
use ward_core::id::{ClinicalRoleId, ConversationId, ShiftId, UserId};
use ward_core::role::{Permission, RoleName};
use ward_core::user::UserStatus;
use ward_core::{Timestamp, ValidationError};

use super::Clinical;
use crate::services::Access;
use crate::services::{Caller, ServiceError};

/// A clinical role with whoever holds it now.
#[derive(Debug, Clone)]
pub struct RoleWithHolder {
    pub role: ClinicalRole,
    pub holder: Option<UserId>,
}

impl Clinical {
    /// Creates a clinical role, optionally with the supervisor its escalations end with.
    pub async fn create_clinical_role(
        &self,
        caller: &Caller,
        name: &str,
        supervisor: Option<UserId>,
    ) -> Result<ClinicalRole, ServiceError> {
        self.access
            .require(
                caller,
                Permission::UsersManage,
                AuditAction::ClinicalRoleCreated,
            )
            .await?;
        let name = check_role_name(name)?;
        if let Some(supervisor) = supervisor {
            self.active_staff(supervisor, "supervisor_id").await?;
        }
        let role = ClinicalRole {
            id: ClinicalRoleId::new(),
            name,
            supervisor_id: supervisor,
            created_at: self.now(),
        };
        let event = caller
            .event(AuditAction::ClinicalRoleCreated, Outcome::Success)
            .target(TargetKind::ClinicalRole, Some(*role.id.as_uuid()));
        self.store.create_clinical_role(&role, event).await?;
        Ok(role)
    }

    /// Every clinical role with its holder now.
    pub async fn clinical_roles(
        &self,
        caller: &Caller,
    ) -> Result<Vec<RoleWithHolder>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::UsersRead,
                AuditAction::ClinicalRolesListed,
            )
            .await?;
        let now = self.now();
        let mut out = Vec::new();
        for role in self.store.clinical_roles().await? {
            let holder = holder_at(&self.store.shifts_covering(role.id, now).await?, now);
            out.push(RoleWithHolder { role, holder });
        }
        Ok(out)
    }

    /// Schedules `user` to hold a role from `starts_at` to `ends_at`.
    pub async fn add_shift(
        &self,
        caller: &Caller,
        role: ClinicalRoleId,
        user: UserId,
        starts_at: Timestamp,
        ends_at: Timestamp,
    ) -> Result<Shift, ServiceError> {
        self.access
            .require(caller, Permission::UsersManage, AuditAction::ShiftScheduled)
            .await?;
        self.store
            .clinical_role(role)
            .await?
            .ok_or(ServiceError::NotFound("clinical role"))?;
        self.active_staff(user, "user_id").await?;
        let shift = Shift {
            id: ShiftId::new(),
            role_id: role,
            user_id: user,
            starts_at,
            ends_at,
        };
        shift.validate()?;
        let event = caller
            .event(AuditAction::ShiftScheduled, Outcome::Success)
            .target(TargetKind::ClinicalRole, Some(*role.as_uuid()))
            .detail(format!(
                r#"{{"user":"{user}","starts_at":"{starts_at}","ends_at":"{ends_at}"}}"#
            ));
        self.store.add_shift(&shift, event).await?;
        Ok(shift)
    }

    /// Sets the on-call role the conversation's unacknowledged urgent messages escalate to.
    pub async fn set_escalation_role(
        &self,
        caller: &Caller,
        id: ConversationId,
        role: Option<ClinicalRoleId>,
    ) -> Result<(), ServiceError> {
        self.access
            .require(
                caller,
                Permission::ConversationsCreate,
                AuditAction::EscalationRoleSet,
            )
            .await?;
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::EscalationRoleSet)
            .await?;
        if let Some(role) = role {
            self.store
                .clinical_role(role)
                .await?
                .ok_or(ServiceError::NotFound("clinical role"))?;
        }
        let detail = role.map_or(r#"{"role":null}"#.to_owned(), |r| {
            format!(r#"{{"role":"{r}"}}"#)
        });
        let event =
            Access::conversation_event(caller, AuditAction::EscalationRoleSet, &conversation)
                .detail(detail);
        self.store.set_escalation_role(id, role, event).await?;
        Ok(())
    }

    /// Fails unless `user` is an active staff account (not a patient).
    async fn active_staff(&self, user: UserId, field: &'static str) -> Result<(), ServiceError> {
        let account = self
            .store
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        if account.role.as_str() == RoleName::PATIENT || account.status != UserStatus::Active {
            return Err(ValidationError::new(field, "must be an active staff account").into());
        }
        Ok(())
    }
}
