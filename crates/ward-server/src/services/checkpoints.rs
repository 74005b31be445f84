//! Signed audit checkpoints: now and then the chain's head is verified from the last
//! checkpoint on and signed; verification holds the whole chain against every checkpoint.

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditCheckpoint, Outcome, TargetKind};
use ward_core::role::Permission;
use ward_crypto::audit_chain::{ChainBreak, ChainVerifier};
use ward_store::{Store, StoreError};

use super::{Caller, Keys, ServiceError, Services, VerifyOutcome};

const VERIFY_PAGE: u32 = 2000;

impl Services {
    /// Signs the chain's head if it moved since the last checkpoint, after verifying the
    /// events since that checkpoint. Returns the checkpoint made, if any. A broken chain is
    /// never signed: the break is returned instead.
    pub async fn sign_checkpoint(
        &self,
        now: Timestamp,
    ) -> Result<Result<Option<AuditCheckpoint>, ChainBreak>, ServiceError> {
        let Some((head_seq, _)) = self.store.audit_head().await? else {
            return Ok(Ok(None));
        };
        let last = self.store.checkpoints().await?.pop();
        if last.as_ref().is_some_and(|c| c.seq >= head_seq) {
            return Ok(Ok(None));
        }
        let mut verifier = match &last {
            Some(checkpoint) => ChainVerifier::resuming_after(checkpoint.seq, checkpoint.head),
            None => ChainVerifier::default(),
        };
        if let Some(chain_break) = walk(self.store.as_ref(), &mut verifier, head_seq).await? {
            return Ok(Err(chain_break));
        }
        let signer = self.keys.audit_signer().await?;
        let checkpoint = signer.sign(verifier.verified(), verifier.head(), now);
        let made = self.store.insert_checkpoint(&checkpoint).await?;
        Ok(Ok(made.then_some(checkpoint)))
    }

    /// Signs the head if it moved, then returns the latest checkpoint, for an outside party
    /// to keep. A broken chain is not signed (409).
    pub async fn export_checkpoint(&self, now: Timestamp) -> Result<AuditCheckpoint, ServiceError> {
        if let Err(chain_break) = self.sign_checkpoint(now).await? {
            tracing::error!(seq = chain_break.seq(), %chain_break, "audit chain broken; not signed");
            return Err(ServiceError::Conflict("the audit chain is broken"));
        }
        self.store
            .checkpoints()
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("audit checkpoint"))
    }

    /// [`Services::export_checkpoint`] for a compliance officer, audited.
    pub async fn export_checkpoint_for(
        &self,
        caller: &Caller,
    ) -> Result<AuditCheckpoint, ServiceError> {
        self.require(
            caller,
            Permission::AuditRead,
            AuditAction::CheckpointExported,
        )
        .await?;
        let checkpoint = self.export_checkpoint(Timestamp::now()).await?;
        let event = caller
            .event(AuditAction::CheckpointExported, Outcome::Success)
            .target(TargetKind::AuditLog, None)
            .detail(format!(r#"{{"seq":{}}}"#, checkpoint.seq));
        self.store.append_audit(event).await?;
        Ok(checkpoint)
    }
}

/// Walks the whole chain from the first event, holding it against every stored checkpoint and
/// every one in `kept` (exported earlier and kept elsewhere), each of which must carry this
/// deployment's audit key, and stops at the first break.
pub async fn verify_chain(
    store: &dyn Store,
    keys: &Keys,
    kept: Vec<AuditCheckpoint>,
) -> Result<VerifyOutcome, ServiceError> {
    let mut checkpoints = store.checkpoints().await?;
    checkpoints.extend(kept);
    let mut verifier = match keys.audit_public_key().await? {
        Some(key) => ChainVerifier::with_checkpoints(checkpoints, key),
        // No audit key was ever made, so no checkpoint can be genuine.
        None => ChainVerifier::with_checkpoints(checkpoints, [0; 32]),
    };
    let first_break = match walk(store, &mut verifier, i64::MAX).await? {
        Some(chain_break) => Some(chain_break),
        None => verifier.finish().err(),
    };
    Ok(VerifyOutcome {
        verified: verifier.verified(),
        head: verifier.head(),
        first_break,
    })
}

/// Feeds the verifier every event after the one it stands on, up to `until`; the first break.
async fn walk(
    store: &dyn Store,
    verifier: &mut ChainVerifier,
    until: i64,
) -> Result<Option<ChainBreak>, ServiceError> {
    while verifier.verified() < until {
        let page = match store
            .audit_chain_page(verifier.verified(), VERIFY_PAGE)
            .await
        {
            Ok(page) => page,
            Err(StoreError::CorruptAudit { seq }) => {
                return Ok(Some(ChainBreak::Altered { seq }));
            }
            Err(e) => return Err(e.into()),
        };
        if page.is_empty() {
            break;
        }
        for event in page.iter().take_while(|e| e.seq <= until) {
            if let Err(chain_break) = verifier.check(event) {
                return Ok(Some(chain_break));
            }
        }
    }
    Ok(None)
}
