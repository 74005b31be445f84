//! The periodic access review (45 CFR 164.308(a)(4)(ii)(B)-(C)): a compliance officer sees
//! every account with its role, last sign-in and conversations about patients, and decides
//! whether each keeps its access. Every look and every decision is audited.

use std::collections::HashMap;

use uuid::Uuid;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::id::UserId;
use ward_core::oversight::AccessDecision;
use ward_core::role::Permission;

use super::Compliance;
use crate::opened::AccessRow;
use crate::services::{Caller, ServiceError};

impl Compliance {
    /// Every account as the access review shows it (compliance officers).
    pub async fn access_review(&self, caller: &Caller) -> Result<Vec<AccessRow>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::AccessReviewRead)
            .await?;
        let users = self.store.list_users().await?;
        let names: HashMap<UserId, String> = users
            .iter()
            .map(|u| (u.id, u.username.as_str().to_owned()))
            .collect();
        let accounts = self.accounts(&users).await?;
        let rows = self.access_rows(accounts, &names).await?;
        let audit = caller
            .event(AuditAction::AccessReviewRead, Outcome::Success)
            .detail(format!(r#"{{"count":{}}}"#, rows.len()));
        self.store.append_audit(audit).await?;
        Ok(rows)
    }

    /// Records that an account keeps its access, or should lose it (compliance officers). A
    /// "remove" decision does not disable the account: an administrator does, and the report
    /// names accounts marked for removal that are still active.
    pub async fn decide_access(
        &self,
        caller: &Caller,
        user: UserId,
        keep: bool,
    ) -> Result<AccessDecision, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ComplianceManage,
                AuditAction::AccessReviewed,
            )
            .await?;
        let account = self
            .store
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let decision = AccessDecision {
            id: Uuid::now_v7(),
            user_id: account.id,
            role: account.role,
            keep,
            reviewed_by: caller.user.id,
            reviewed_at: self.now(),
        };
        let audit = caller
            .event(AuditAction::AccessReviewed, Outcome::Success)
            .target(TargetKind::User, Some(*user.as_uuid()))
            .detail(format!(
                r#"{{"decision":"{}","role":"{}"}}"#,
                if keep { "keep" } else { "remove" },
                decision.role
            ));
        self.store.record_access_decision(&decision, audit).await?;
        Ok(decision)
    }
}
