//! The audit hash chain, starting from 32 zero bytes: keyed,
//! `hash(n) = HMAC-SHA-256(chain key, hash(n-1) || canonical_bytes(n))`, or (events appended
//! before a deployment's chain was keyed) plain `SHA-256(hash(n-1) || canonical_bytes(n))`. Any
//! altered, removed or reordered event breaks every link after it, and without the chain key
//! (derived from the audit signing key, in the key vault) no keyed link can be recomputed.

use std::sync::OnceLock;

use aws_lc_rs::{digest, hkdf, hmac};
use ward_core::audit::{
    AuditCheckpoint, AuditEvent, ChainHash, ChainHasher, GENESIS_HASH, canonical_bytes,
};

use crate::CryptoError;
use crate::audit_signing::signature_valid;
use crate::keyring::SecretKey;

/// The HKDF salt and info that derive the chain key from the audit signing seed, apart from
/// the Ed25519 key the same seed makes.
const CHAIN_KEY_SALT: &[u8] = b"ward-audit-chain-salt-v1";
const CHAIN_KEY_INFO: &[&[u8]] = &[b"ward-audit-chain-key-v1"];

/// SHA-256 chain links (unkeyed).
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

/// HMAC-SHA-256 chain links under a 256-bit secret: whoever lacks the key cannot make a link
/// that verifies.
#[derive(Clone)]
pub struct ChainKey(hmac::Key);

impl ChainKey {
    /// The chain key derived (HKDF-SHA-256) from the audit signing seed: it lives where that
    /// seed lives (wrapped in the key vault) and is never rotated or shredded.
    pub fn derive(audit_seed: &SecretKey) -> Result<Self, CryptoError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, CHAIN_KEY_SALT).extract(audit_seed.bytes());
        let okm = prk
            .expand(CHAIN_KEY_INFO, hmac::HMAC_SHA256)
            .map_err(|_| CryptoError::Malformed)?;
        Ok(Self(hmac::Key::from(okm)))
    }
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey([redacted])")
    }
}

impl ChainHasher for ChainKey {
    fn link(&self, prev: &ChainHash, canonical: &[u8]) -> ChainHash {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(prev);
        ctx.update(canonical);
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }
}

/// The store's hasher: plain SHA-256 links until the chain key is installed (right after the
/// keyring is loaded, before anything is appended), keyed links from then on.
#[derive(Default)]
pub struct KeyedChain {
    key: OnceLock<ChainKey>,
}

impl KeyedChain {
    /// Keys every link from now on; false (the first key kept) if a key was installed already.
    pub fn install(&self, key: ChainKey) -> bool {
        self.key.set(key).is_ok()
    }

    /// Whether links are keyed.
    pub fn is_keyed(&self) -> bool {
        self.key.get().is_some()
    }
}

impl std::fmt::Debug for KeyedChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedChain")
            .field("keyed", &self.is_keyed())
            .finish()
    }
}

impl ChainHasher for KeyedChain {
    fn link(&self, prev: &ChainHash, canonical: &[u8]) -> ChainHash {
        match self.key.get() {
            Some(key) => key.link(prev, canonical),
            None => Sha256Chain.link(prev, canonical),
        }
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
    #[error(
        "event {seq}: its link is not keyed with this deployment's chain key (the log was \
         rewritten by someone without the key)"
    )]
    Unkeyed { seq: i64 },
    #[error(
        "event {seq}: the audit anchor kept with the keys (keyed from this event) is not signed \
         by this deployment's audit key (forged)"
    )]
    ForgedAnchor { seq: i64 },
    #[error(
        "event 1: the log is empty, yet a signed checkpoint names later events or the \
         deployment holds users or keys (the log was erased)"
    )]
    Erased,
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
            | Self::Truncated { seq }
            | Self::Unkeyed { seq }
            | Self::ForgedAnchor { seq } => *seq,
            Self::Erased => 1,
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
    /// The chain key, and the event from which every link must be keyed.
    keyed: Option<(ChainKey, i64)>,
    /// Whether a keyed link was seen: every link after one must be keyed too.
    seen_keyed: bool,
    /// The log must reach this event (it held that many when it was anchored).
    must_reach: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS_HASH,
            checkpoints: Vec::new(),
            trusted_key: None,
            keyed: None,
            seen_keyed: false,
            must_reach: 0,
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

    /// Holds every link from event `keyed_from` on to the keyed chain under `key`. Links before
    /// it (appended before the chain was keyed) may be plain SHA-256, up to the first keyed one;
    /// without this, every link must be plain SHA-256.
    pub fn keyed(mut self, key: ChainKey, keyed_from: i64) -> Self {
        self.keyed = Some((key, keyed_from));
        self
    }

    /// Requires the log to reach event `seq`, which it held when it was anchored.
    pub fn must_reach(mut self, seq: i64) -> Self {
        self.must_reach = seq;
        self
    }

    /// Reports a checkpoint past the last event, or a log shorter than it must be: the log
    /// lost its end.
    pub fn finish(&self) -> Result<(), ChainBreak> {
        let past_checkpoint = self.checkpoints.last().map(|c| c.seq);
        let short = (self.verified() < self.must_reach).then_some(self.must_reach);
        match past_checkpoint.into_iter().chain(short).min() {
            Some(seq) => Err(ChainBreak::Truncated { seq }),
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

    /// The event's link as it must be, or the break it shows.
    fn link_of(&mut self, event: &AuditEvent) -> Result<ChainHash, ChainBreak> {
        let canonical = canonical_bytes(event.seq, &event.event);
        let plain = Sha256Chain.link(&self.prev, &canonical);
        let Some((key, keyed_from)) = &self.keyed else {
            if plain != event.hash {
                return Err(ChainBreak::Altered { seq: event.seq });
            }
            return Ok(plain);
        };
        let keyed_from = *keyed_from;
        let keyed = key.link(&self.prev, &canonical);
        if keyed == event.hash {
            self.seen_keyed = true;
            return Ok(keyed);
        }
        if plain != event.hash {
            return Err(ChainBreak::Altered { seq: event.seq });
        }
        if self.seen_keyed || event.seq >= keyed_from {
            return Err(ChainBreak::Unkeyed { seq: event.seq });
        }
        Ok(plain)
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
        let hash = self.link_of(event)?;
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

    /// `n` events whose links are keyed under `key` from event `keyed_from` on.
    fn keyed_chain(n: i64, key: &ChainKey, keyed_from: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH;
        (1..=n)
            .map(|seq| {
                let event = NewAuditEvent::new(AuditAction::LoginSucceeded, Outcome::Success);
                let canonical = canonical_bytes(seq, &event);
                let hash = if seq >= keyed_from {
                    key.link(&prev, &canonical)
                } else {
                    Sha256Chain.link(&prev, &canonical)
                };
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

    fn verify_keyed(
        events: &[AuditEvent],
        key: &ChainKey,
        keyed_from: i64,
    ) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default().keyed(key.clone(), keyed_from);
        events.iter().try_for_each(|e| v.check(e))?;
        v.finish()?;
        Ok(v.verified())
    }

    #[test]
    fn keyed_links_cannot_be_recomputed_without_the_key() {
        use crate::keyring::SecretKey;

        let seed = SecretKey::generate().expect("seed");
        let key = ChainKey::derive(&seed).expect("key");
        let (prev, canonical) = ([3u8; 32], b"event".as_slice());
        // Derived, not random: the same seed gives the same key; another seed another key.
        let again = ChainKey::derive(&seed).expect("key");
        assert_eq!(key.link(&prev, canonical), again.link(&prev, canonical));
        let other = ChainKey::derive(&SecretKey::generate().expect("seed")).expect("key");
        assert_ne!(key.link(&prev, canonical), other.link(&prev, canonical));
        assert_ne!(
            key.link(&prev, canonical),
            Sha256Chain.link(&prev, canonical)
        );
        assert_eq!(format!("{key:?}"), "ChainKey([redacted])");

        // A fresh deployment: keyed from event 1.
        let events = keyed_chain(5, &key, 1);
        assert_eq!(verify_keyed(&events, &key, 1), Ok(5));
        // Under another key, nothing links.
        assert_eq!(
            verify_keyed(&events, &other, 1),
            Err(ChainBreak::Altered { seq: 1 })
        );
        // Event 3 rewritten and every link from it recomputed with SHA-256, as the formula in
        // the documentation allows: the unkeyed verifier is fooled, the keyed one is not.
        let mut rewritten = events.clone();
        rewritten[2].event.outcome = Outcome::Denied;
        let mut prev = rewritten[1].hash;
        for e in &mut rewritten[2..] {
            e.prev_hash = prev;
            e.hash = Sha256Chain.link(&prev, &canonical_bytes(e.seq, &e.event));
            prev = e.hash;
        }
        let mut fooled = ChainVerifier::resuming_after(2, rewritten[1].hash);
        assert_eq!(
            rewritten[2..].iter().try_for_each(|e| fooled.check(e)),
            Ok(())
        );
        assert_eq!(
            verify_keyed(&rewritten, &key, 1),
            Err(ChainBreak::Unkeyed { seq: 3 })
        );
        // Only the last event rewritten: it follows a keyed link, so it must be keyed too.
        let mut last = events.clone();
        last[4].event.outcome = Outcome::Denied;
        last[4].hash = Sha256Chain.link(&last[4].prev_hash, &canonical_bytes(5, &last[4].event));
        assert_eq!(
            verify_keyed(&last, &key, 100),
            Err(ChainBreak::Unkeyed { seq: 5 })
        );
    }

    #[test]
    fn an_upgraded_chain_is_plain_up_to_its_switch_and_keyed_after() {
        use crate::keyring::SecretKey;

        let key = ChainKey::derive(&SecretKey::generate().expect("seed")).expect("key");
        // Events 1 and 2 from before the upgrade, keyed from 3 on.
        let events = keyed_chain(5, &key, 3);
        assert_eq!(verify_keyed(&events, &key, 3), Ok(5));
        // An anchor that recorded the switch later than it was (another node's) still holds.
        assert_eq!(verify_keyed(&events, &key, 5), Ok(5));
        // The plain verifier of old stops at the first keyed link.
        assert_eq!(verify(&events), Err(ChainBreak::Altered { seq: 3 }));
        // The whole log rewritten without the key, plain throughout: refused from the switch.
        let plain = rebuild(events.clone());
        assert_eq!(
            verify_keyed(&plain, &key, 3),
            Err(ChainBreak::Unkeyed { seq: 3 })
        );
        // Cut back to before the switch: the anchor knows the log held two events then.
        let mut v = ChainVerifier::default().keyed(key.clone(), 3).must_reach(2);
        assert_eq!(v.check(&events[0]), Ok(()));
        assert_eq!(v.finish(), Err(ChainBreak::Truncated { seq: 2 }));
        assert_eq!(ChainBreak::Erased.seq(), 1);
    }

    #[test]
    fn the_store_hasher_is_keyed_once_its_key_is_installed() {
        use crate::keyring::SecretKey;

        let key = ChainKey::derive(&SecretKey::generate().expect("seed")).expect("key");
        let hasher = KeyedChain::default();
        let (prev, canonical) = (GENESIS_HASH, b"event".as_slice());
        assert!(!hasher.is_keyed());
        assert_eq!(
            hasher.link(&prev, canonical),
            Sha256Chain.link(&prev, canonical)
        );
        assert!(hasher.install(key.clone()));
        assert!(hasher.is_keyed());
        assert_eq!(hasher.link(&prev, canonical), key.link(&prev, canonical));
        let other = ChainKey::derive(&SecretKey::generate().expect("seed")).expect("key");
        assert!(!hasher.install(other), "the first key stays");
        assert_eq!(hasher.link(&prev, canonical), key.link(&prev, canonical));
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
