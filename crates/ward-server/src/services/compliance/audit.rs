//! Audit search and chain verification, for compliance officers.

use ward_core::audit::{AuditAction, AuditEvent, AuditFilter, ChainHash, Outcome, TargetKind};
use ward_core::role::Permission;
use ward_crypto::audit_chain::ChainBreak;

use super::Compliance;
use crate::services::{Caller, ServiceError, verify_chain};

/// Largest page of an audit search.
pub const MAX_AUDIT_PAGE: u32 = 1000;

/// An audit search, already parsed.
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    pub filter: AuditFilter,
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub verified: i64,
    pub head: ChainHash,
    pub first_break: Option<ChainBreak>,
}

impl Compliance {
    pub async fn search_audit(
        &self,
        caller: &Caller,
        search: AuditSearch,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::AuditSearched)
            .await?;
        let mut filter = search.filter;
        filter.limit = filter.limit.clamp(1, MAX_AUDIT_PAGE);
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && to < from
        {
            return Err(ward_core::ValidationError::new("to", "must not be before from").into());
        }
        let events = self.store.search_audit(&filter).await?;
        let event = caller
            .event(AuditAction::AuditSearched, Outcome::Success)
            .target(TargetKind::AuditLog, None)
            .detail(format!(r#"{{"results":{}}}"#, events.len()));
        self.store.append_audit(event).await?;
        Ok(events)
    }

    pub async fn verify_audit(&self, caller: &Caller) -> Result<VerifyOutcome, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::AuditVerified)
            .await?;
        let outcome = verify_chain(self.store.as_ref(), &self.keys, Vec::new()).await?;
        let event = caller
            .event(AuditAction::AuditVerified, Outcome::Success)
            .target(TargetKind::AuditLog, None)
            .detail(format!(
                r#"{{"verified":{},"ok":{}}}"#,
                outcome.verified,
                outcome.first_break.is_none()
            ));
        self.store.append_audit(event).await?;
        Ok(outcome)
    }

    /// Pages through the events `filter` selects, newest first, into `out` until it holds
    /// `cap` rows or the log has no more; `keep` maps an event to a row, or skips it.
    pub(super) async fn collect_audit<T>(
        &self,
        mut filter: AuditFilter,
        out: &mut Vec<T>,
        cap: usize,
        mut keep: impl FnMut(AuditEvent) -> Option<T>,
    ) -> Result<(), ServiceError> {
        filter.limit = MAX_AUDIT_PAGE;
        while out.len() < cap {
            let page = self.store.search_audit(&filter).await?;
            let Some(last) = page.last() else { break };
            filter.before_seq = Some(last.seq);
            out.extend(page.into_iter().filter_map(&mut keep));
        }
        Ok(())
    }
}
