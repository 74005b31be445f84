//! Signed audit checkpoints: now and then (at start, on an interval, at clean shutdown) the
//! chain's head is verified from the last checkpoint on and signed, and the checkpoint is also
//! kept as the audit anchor, apart from the main database (see `ward_store::anchor`).
//! Verification holds the whole chain against every checkpoint and the anchor, so that whoever
//! can write only the database can neither rewrite the log up to the anchor, nor cut it short,
//! nor erase it, undetected; and every link from the anchor's `keyed_from` on is keyed with a
//! key they do not hold, so they cannot rewrite what came after it either.

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditAnchor, AuditCheckpoint, Outcome, TargetKind};
use ward_core::keys::KeyScope;
use ward_core::role::Permission;
use ward_crypto::audit_chain::{ChainBreak, ChainVerifier, KeyedChain};
use ward_crypto::audit_signing::{keyed_from_valid, signature_valid};
use ward_store::{Store, StoreError};

use super::Compliance;
use crate::services::{Caller, Keys, ServiceError, VerifyOutcome};

const VERIFY_PAGE: u32 = 2000;

/// Readies the audit chain of an opened deployment before anything is appended: makes the audit
/// anchor if there is none yet (keyed from the event after the current head: from event 1 on a
/// fresh deployment, from the first event after the upgrade on an older one) and installs the
/// chain key in the store's hasher, so that every link appended from now on is keyed. Call it
/// right after the keyring is loaded, with the hasher given to `ward_store::open`.
pub async fn prepare_audit_chain(
    store: &dyn Store,
    keys: &Keys,
    hasher: &KeyedChain,
) -> Result<(), ServiceError> {
    let signer = keys.audit_signer().await?;
    let anchor = match store.audit_anchor().await? {
        Some(anchor) => anchor,
        None => {
            let head = match store.audit_head().await {
                Ok(head) => head.map_or(0, |(seq, _)| seq),
                // A row that does not decode is still an event; verification names it.
                Err(StoreError::CorruptAudit { seq }) => seq,
                Err(e) => return Err(e.into()),
            };
            let public_key = signer.public_key();
            // The latest checkpoint the database holds that this deployment signed, if any.
            let signed = store
                .checkpoints()
                .await?
                .into_iter()
                .rev()
                .find(|c| c.seq <= head && trusted(c, &public_key));
            let keyed_from = head + 1;
            let made = AuditAnchor {
                keyed_from,
                keyed_from_signature: signer.sign_keyed_from(keyed_from),
                checkpoint: signed,
            };
            // Another process may have made one first: the one kept wins.
            let kept = store.keep_audit_anchor(&made).await?;
            tracing::info!(keyed_from = kept.keyed_from, "audit anchor made");
            kept
        }
    };
    if !keyed_from_valid(
        &signer.public_key(),
        anchor.keyed_from,
        &anchor.keyed_from_signature,
    ) {
        tracing::error!(
            keyed_from = anchor.keyed_from,
            "the audit anchor is not signed by this deployment's audit key"
        );
    }
    hasher.install(keys.audit_chain_key().await?);
    Ok(())
}

/// Whether `checkpoint` is signed, validly, by the audit key `public_key`.
fn trusted(checkpoint: &AuditCheckpoint, public_key: &[u8; 32]) -> bool {
    checkpoint.public_key == *public_key && signature_valid(checkpoint)
}

impl Compliance {
    /// Signs the chain's head if it moved since the last checkpoint, after verifying the
    /// events since that checkpoint. Returns the checkpoint made, if any. A broken chain is
    /// never signed: the break is returned instead.
    ///
    /// The checkpoint is also kept as the audit anchor (moving it forward); a log that ends
    /// before a checkpoint (the anchor's or a stored one) is reported as cut short, not signed.
    pub async fn sign_checkpoint(
        &self,
        now: Timestamp,
    ) -> Result<Result<Option<AuditCheckpoint>, ChainBreak>, ServiceError> {
        let Some((head_seq, _)) = self.store.audit_head().await? else {
            return Ok(Ok(None));
        };
        let signer = self.keys.audit_signer().await?;
        let public_key = signer.public_key();
        let anchor = self.store.audit_anchor().await?;
        let anchored = anchor
            .as_ref()
            .and_then(|a| a.checkpoint.clone())
            .filter(|c| trusted(c, &public_key));
        // Resume after the latest checkpoint this deployment signed: in the database or the
        // anchor.
        let stored = self
            .store
            .checkpoints()
            .await?
            .into_iter()
            .rev()
            .find(|c| trusted(c, &public_key));
        let last = match (stored, anchored.clone()) {
            (Some(a), Some(b)) => Some(if a.seq >= b.seq { a } else { b }),
            (a, b) => a.or(b),
        };
        if let Some(last) = &last
            && last.seq > head_seq
        {
            // A signed checkpoint names an event past the log's end: it was cut short.
            return Ok(Err(ChainBreak::Truncated { seq: last.seq }));
        }
        if let Some(last) = &last
            && last.seq == head_seq
        {
            // Nothing new to sign; the anchor catches up with a checkpoint the database has.
            if let Some(anchor) = anchor
                && anchored.as_ref().is_none_or(|a| a.seq < last.seq)
            {
                self.keep_anchor(anchor, last.clone()).await?;
            }
            return Ok(Ok(None));
        }
        let mut verifier = match &last {
            Some(checkpoint) => ChainVerifier::resuming_after(checkpoint.seq, checkpoint.head),
            None => ChainVerifier::default(),
        };
        if let Some(anchor) = &anchor {
            verifier = verifier.keyed(self.keys.audit_chain_key().await?, anchor.keyed_from);
        }
        if let Some(chain_break) = walk(self.store.as_ref(), &mut verifier, head_seq).await? {
            return Ok(Err(chain_break));
        }
        let checkpoint = signer.sign(verifier.verified(), verifier.head(), now);
        let made = self.store.insert_checkpoint(&checkpoint).await?;
        if let Some(anchor) = anchor {
            self.keep_anchor(anchor, checkpoint.clone()).await?;
        }
        Ok(Ok(made.then_some(checkpoint)))
    }

    /// Moves the audit anchor forward to `checkpoint` (never back: the store keeps the later).
    async fn keep_anchor(
        &self,
        anchor: AuditAnchor,
        checkpoint: AuditCheckpoint,
    ) -> Result<(), ServiceError> {
        let moved = AuditAnchor {
            checkpoint: Some(checkpoint),
            ..anchor
        };
        self.store.keep_audit_anchor(&moved).await?;
        Ok(())
    }

    /// After an operator restored an older backup: verifies the restored log from its last
    /// checkpoint, then drops the anchor's checkpoint (the restored log ends before it) and
    /// signs the head, which becomes the anchor. Returns the checkpoint signed, if the head
    /// moved past the restored log's last one; a broken chain leaves the anchor as it was.
    pub async fn reanchor(
        &self,
        now: Timestamp,
    ) -> Result<Result<Option<AuditCheckpoint>, ChainBreak>, ServiceError> {
        if let Some((head_seq, _)) = self.store.audit_head().await? {
            let public_key = self.keys.audit_signer().await?.public_key();
            let last = self
                .store
                .checkpoints()
                .await?
                .into_iter()
                .rev()
                .find(|c| c.seq <= head_seq && trusted(c, &public_key));
            let mut verifier = match &last {
                Some(checkpoint) => ChainVerifier::resuming_after(checkpoint.seq, checkpoint.head),
                None => ChainVerifier::default(),
            };
            if let Some(anchor) = self.store.audit_anchor().await? {
                verifier = verifier.keyed(self.keys.audit_chain_key().await?, anchor.keyed_from);
            }
            if let Some(chain_break) = walk(self.store.as_ref(), &mut verifier, head_seq).await? {
                return Ok(Err(chain_break));
            }
        }
        self.store.forget_audit_checkpoint().await?;
        self.sign_checkpoint(now).await
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

    /// [`Compliance::export_checkpoint`] for a compliance officer, audited.
    pub async fn export_checkpoint_for(
        &self,
        caller: &Caller,
    ) -> Result<AuditCheckpoint, ServiceError> {
        self.access
            .require(
                caller,
                Permission::AuditRead,
                AuditAction::CheckpointExported,
            )
            .await?;
        let checkpoint = self.export_checkpoint(self.now()).await?;
        let event = caller
            .event(AuditAction::CheckpointExported, Outcome::Success)
            .target(TargetKind::AuditLog, None)
            .detail(format!(r#"{{"seq":{}}}"#, checkpoint.seq));
        self.store.append_audit(event).await?;
        Ok(checkpoint)
    }
}

/// Walks the whole chain from the first event, holding it against every stored checkpoint,
/// every one in `kept` (exported earlier and kept elsewhere) and the audit anchor (kept apart
/// from the database), each of which must carry this deployment's audit key, and stops at the
/// first break. Links from the anchor's `keyed_from` on must be keyed. An empty log is a break
/// (erased) where a checkpoint names an event or the deployment holds users or keys.
pub async fn verify_chain(
    store: &dyn Store,
    keys: &Keys,
    kept: Vec<AuditCheckpoint>,
) -> Result<VerifyOutcome, ServiceError> {
    let mut checkpoints = store.checkpoints().await?;
    checkpoints.extend(kept);
    // No audit key was ever made, so no checkpoint or anchor can be genuine.
    let trusted_key = keys.audit_public_key().await?.unwrap_or([0; 32]);
    let anchor = store.audit_anchor().await?;
    let mut forged_anchor = None;
    let mut keyed = None;
    let mut must_reach = 0;
    if let Some(anchor) = anchor {
        checkpoints.extend(anchor.checkpoint);
        if !keyed_from_valid(
            &trusted_key,
            anchor.keyed_from,
            &anchor.keyed_from_signature,
        ) {
            forged_anchor = Some(ChainBreak::ForgedAnchor {
                seq: anchor.keyed_from,
            });
        }
        keyed = keys
            .existing_audit_chain_key()
            .await?
            .map(|key| (key, anchor.keyed_from));
        // The log held this many events when its chain became keyed.
        must_reach = anchor.keyed_from - 1;
    }
    let mut verifier =
        ChainVerifier::with_checkpoints(checkpoints, trusted_key).must_reach(must_reach);
    if let Some((key, keyed_from)) = keyed {
        verifier = verifier.keyed(key, keyed_from);
    }
    let first_break = match forged_anchor {
        Some(forged) => Some(forged),
        None => match walk(store, &mut verifier, i64::MAX).await? {
            Some(chain_break) => Some(chain_break),
            None => verifier.finish().err(),
        },
    };
    // No event at all, where a checkpoint names one or the deployment holds data: erased.
    let empty = verifier.verified() == 0
        && matches!(first_break, None | Some(ChainBreak::Truncated { .. }));
    let first_break = if empty && (first_break.is_some() || holds_data(store).await?) {
        Some(ChainBreak::Erased)
    } else {
        first_break
    };
    Ok(VerifyOutcome {
        verified: verifier.verified(),
        head: verifier.head(),
        first_break,
    })
}

/// Whether the deployment holds anything its audit log must have recorded: a user, or a data
/// key other than the audit key itself (which every start makes).
async fn holds_data(store: &dyn Store) -> Result<bool, ServiceError> {
    if !store.list_users().await?.is_empty() {
        return Ok(true);
    }
    Ok(store
        .data_keys()
        .await?
        .iter()
        .any(|key| key.scope != KeyScope::AuditSigning))
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
