//! The audit hash chain: `hash(n) = SHA-256(hash(n-1) || canonical_bytes(n))`, starting from 32
//! zero bytes. Any altered, removed or reordered event breaks every link after it.

use aws_lc_rs::digest;
use ward_core::audit::{
    AuditCheckpoint, AuditEvent, ChainHash, ChainHasher, GENESIS_HASH, canonical_bytes,
};

use crate::audit_signing::signature_valid;

/// SHA-256 chain links.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha256Chain;

impl ChainHasher for Sha256Chain {
    fn link(&self, prev: &ChainHash, canonical: &[u8]) -> ChainHash {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(prev);
        ctx.update(canonical);
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        out
    }
}

/// Why a chain failed to verify, at which event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("event {seq}: expected sequence number {expected} (an event was removed or reordered)")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: does not link to the event before it")]
    BrokenLink { seq: i64 },
    #[error("event {seq}: its contents do not match its hash (altered)")]
    Altered { seq: i64 },
    #[error("event {seq}: its hash differs from the signed checkpoint (the log was rewritten)")]
    CheckpointMismatch { seq: i64 },
    #[error("event {seq}: its checkpoint is not signed by this deployment's audit key (forged)")]
    ForgedCheckpoint { seq: i64 },
    #[error("event {seq}: a signed checkpoint names it, but the log ends before it (removed)")]
    Truncated { seq: i64 },
}

impl ChainBreak {
    /// The sequence number of the first bad event.
    pub fn seq(&self) -> i64 {
        match self {
            Self::Gap { seq, .. }
            | Self::BrokenLink { seq }
            | Self::Altered { seq }
            | Self::CheckpointMismatch { seq }
            | Self::ForgedCheckpoint { seq }
            | Self::Truncated { seq } => *seq,
        }
    }
}

/// Walks events in order and reports the first break. Feed it every event from seq 1 on, then
/// call [`ChainVerifier::finish`].
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev: ChainHash,
    /// Checkpoints not reached yet, latest first, and the key they must be signed with.
    checkpoints: Vec<AuditCheckpoint>,
    trusted_key: Option<[u8; 32]>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS_HASH,
            checkpoints: Vec::new(),
            trusted_key: None,
        }
    }
}

impl ChainVerifier {
    /// A verifier that also holds the chain against signed checkpoints: each must be signed by
    /// `trusted_key` and match the chain's hash at its event.
    pub fn with_checkpoints(mut checkpoints: Vec<AuditCheckpoint>, trusted_key: [u8; 32]) -> Self {
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.seq));
        Self {
            checkpoints,
            trusted_key: Some(trusted_key),
            ..Self::default()
        }
    }

    /// A verifier that starts after event `seq`, whose hash was `hash` (a checkpoint already
    /// trusted), to check only what came later.
    pub fn resuming_after(seq: i64, hash: ChainHash) -> Self {
        Self {
            expected_seq: seq + 1,
            prev: hash,
            ..Self::default()
        }
    }

    /// Reports a checkpoint past the last event: the log lost its end.
    pub fn finish(&self) -> Result<(), ChainBreak> {
        match self.checkpoints.last() {
            Some(checkpoint) => Err(ChainBreak::Truncated {
                seq: checkpoint.seq,
            }),
            None => Ok(()),
        }
    }

    fn check_checkpoints(&mut self, seq: i64, hash: &ChainHash) -> Result<(), ChainBreak> {
        while let Some(checkpoint) = self.checkpoints.last() {
            if checkpoint.seq > seq {
                break;
            }
            let trusted = self
                .trusted_key
                .is_some_and(|key| key == checkpoint.public_key);
            if checkpoint.seq < seq || !trusted || !signature_valid(checkpoint) {
                return Err(ChainBreak::ForgedCheckpoint {
                    seq: checkpoint.seq,
                });
            }
            if checkpoint.head != *hash {
                return Err(ChainBreak::CheckpointMismatch { seq });
            }
            self.checkpoints.pop();
        }
        Ok(())
    }

    /// Checks the next event.
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainBreak> {
        if event.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                seq: event.seq,
                expected: self.expected_seq,
            });
        }
        if event.prev_hash != self.prev {
            return Err(ChainBreak::BrokenLink { seq: event.seq });
        }
        let hash = Sha256Chain.link(&self.prev, &canonical_bytes(event.seq, &event.event));
        if hash != event.hash {
            return Err(ChainBreak::Altered { seq: event.seq });
        }
        self.check_checkpoints(event.seq, &hash)?;
        self.prev = hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// How many events verified so far.
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The hash of the last verified event.
    pub fn head(&self) -> ChainHash {
        self.prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::audit::{AuditAction, NewAuditEvent, Outcome};

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH;
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent::new(AuditAction::LoginSucceeded, Outcome::Success);
                let hash = Sha256Chain.link(&prev, &canonical_bytes(seq, &event));
                let out = AuditEvent {
                    seq,
                    event,
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                out
            })
            .collect()
    }

    fn verify(events: &[AuditEvent]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        events.iter().try_for_each(|e| v.check(e))?;
        Ok(v.verified())
    }

    #[test]
    fn detects_alteration_removal_and_reordering() {
        let events = chain(5);
        assert_eq!(verify(&events), Ok(5));

        let mut altered = events.clone();
        altered[2].event.outcome = Outcome::Failure;
        assert_eq!(verify(&altered), Err(ChainBreak::Altered { seq: 3 }));

        let mut removed = events.clone();
        removed.remove(1);
        assert_eq!(verify(&removed).map_err(|b| b.seq()), Err(3));

        let mut reordered = events.clone();
        reordered.swap(1, 2);
        assert_eq!(verify(&reordered).map_err(|b| b.seq()), Err(3));

        let mut renumbered = events;
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify(&renumbered), Err(ChainBreak::BrokenLink { seq: 2 }));
    }

    #[test]
    fn checkpoints_catch_truncation_rewrites_and_forgeries() {
        use crate::audit_signing::AuditSigner;
        use crate::keyring::SecretKey;
        use ward_core::Timestamp;

        let signer = AuditSigner::from_seed(&SecretKey::generate().expect("key")).expect("signer");
        let at = Timestamp::from_micros(5);
        let events = chain(5);
        let checkpoint = signer.sign(4, events[3].hash, at);
        let run = |events: &[AuditEvent], checkpoints: Vec<AuditCheckpoint>| {
            let mut v = ChainVerifier::with_checkpoints(checkpoints, signer.public_key());
            events.iter().try_for_each(|e| v.check(e))?;
            v.finish()
        };
        assert_eq!(run(&events, vec![checkpoint.clone()]), Ok(()));
        // The last two events removed: the chain alone still links.
        assert_eq!(
            run(&events[..3], vec![checkpoint.clone()]),
            Err(ChainBreak::Truncated { seq: 4 })
        );
        // The whole log rebuilt from a different event 2 on.
        let rebuilt = chain(5)
            .into_iter()
            .map(|mut e| {
                e.event.outcome = Outcome::Denied;
                e
            })
            .collect::<Vec<_>>();
        let rehashed = rebuild(rebuilt);
        assert_eq!(
            run(&rehashed, vec![checkpoint.clone()]),
            Err(ChainBreak::CheckpointMismatch { seq: 4 })
        );
        // The rewriter signs their own checkpoint: not this deployment's key.
        let other = AuditSigner::from_seed(&SecretKey::generate().expect("key")).expect("signer");
        let forged = other.sign(4, rehashed[3].hash, at);
        assert_eq!(
            run(&rehashed, vec![forged]),
            Err(ChainBreak::ForgedCheckpoint { seq: 4 })
        );
        let mut altered = checkpoint;
        altered.head = rehashed[3].hash;
        assert_eq!(
            run(&rehashed, vec![altered]),
            Err(ChainBreak::ForgedCheckpoint { seq: 4 })
        );
    }

    /// Recomputes every link, as someone rewriting the log would.
    fn rebuild(mut events: Vec<AuditEvent>) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH;
        for e in &mut events {
            e.prev_hash = prev;
            e.hash = Sha256Chain.link(&prev, &canonical_bytes(e.seq, &e.event));
            prev = e.hash;
        }
        events
    }
}
