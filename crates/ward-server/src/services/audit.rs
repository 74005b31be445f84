//! Audit search and chain verification, for compliance officers.

use ward_core::audit::{AuditAction, AuditEvent, AuditFilter, ChainHash, Outcome, TargetKind};
use ward_core::role::Permission;
use ward_crypto::audit_chain::{ChainBreak, ChainVerifier};
use ward_store::{Store, StoreError};

use super::{Caller, ServiceError, Services};

/// Largest page of an audit search.
pub const MAX_AUDIT_PAGE: u32 = 1000;
const VERIFY_PAGE: u32 = 2000;

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

impl Services {
    pub async fn search_audit(
        &self,
        caller: &Caller,
        search: AuditSearch,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        self.require(caller, Permission::AuditRead, AuditAction::AuditSearched)
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
        self.require(caller, Permission::AuditRead, AuditAction::AuditVerified)
            .await?;
        let outcome = verify_chain(self.store.as_ref()).await?;
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
}

/// Walks the whole chain from the first event and stops at the first break.
pub async fn verify_chain(store: &dyn Store) -> Result<VerifyOutcome, ServiceError> {
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = match store.audit_chain_page(after, VERIFY_PAGE).await {
            Ok(page) => page,
            Err(StoreError::CorruptAudit { seq }) => {
                return Ok(broken(&verifier, ChainBreak::Altered { seq }));
            }
            Err(e) => return Err(e.into()),
        };
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            if let Err(chain_break) = verifier.check(event) {
                return Ok(broken(&verifier, chain_break));
            }
        }
    }
    Ok(VerifyOutcome {
        verified: verifier.verified(),
        head: verifier.head(),
        first_break: None,
    })
}

fn broken(verifier: &ChainVerifier, chain_break: ChainBreak) -> VerifyOutcome {
    VerifyOutcome {
        verified: verifier.verified(),
        head: verifier.head(),
        first_break: Some(chain_break),
    }
}
