//! The audit hash chain: `hash(n) = SHA-256(hash(n-1) || canonical_bytes(n))`, starting from 32
//! zero bytes. Any altered, removed or reordered event breaks every link after it.

use aws_lc_rs::digest;
use ward_core::audit::{AuditEvent, ChainHash, ChainHasher, GENESIS_HASH, canonical_bytes};

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
}

impl ChainBreak {
    /// The sequence number of the first bad event.
    pub fn seq(&self) -> i64 {
        match self {
            Self::Gap { seq, .. } | Self::BrokenLink { seq } | Self::Altered { seq } => *seq,
        }
    }
}

/// Walks events in order and reports the first break. Feed it every event from seq 1 on.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev: ChainHash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS_HASH,
        }
    }
}

impl ChainVerifier {
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
}
