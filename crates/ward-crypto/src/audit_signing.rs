//! Signed audit checkpoints: an Ed25519 key, whose seed is a data key sealed under the root
//! key, signs the chain's head now and then, so a later rewrite of the log up to a checkpoint
//! is detectable by anyone holding the checkpoint and the public key.

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use ward_core::Timestamp;
use ward_core::audit::{AuditCheckpoint, ChainHash};

use crate::CryptoError;
use crate::keyring::SecretKey;

/// Signs checkpoints.
#[derive(Debug)]
pub struct AuditSigner {
    pair: Ed25519KeyPair,
}

impl AuditSigner {
    /// The signer whose private key is derived from `seed` (32 random bytes).
    pub fn from_seed(seed: &SecretKey) -> Result<Self, CryptoError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed.bytes())
            .map_err(|_| CryptoError::Malformed)?;
        Ok(Self { pair })
    }

    /// The public key that verifies this signer's checkpoints.
    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    /// A checkpoint of event `seq`, whose chain hash is `head`.
    pub fn sign(&self, seq: i64, head: ChainHash, signed_at: Timestamp) -> AuditCheckpoint {
        let message = AuditCheckpoint::signed_bytes(seq, &head, signed_at);
        let mut signature = [0u8; 64];
        signature.copy_from_slice(self.pair.sign(&message).as_ref());
        AuditCheckpoint {
            seq,
            head,
            signed_at,
            public_key: self.public_key(),
            signature,
        }
    }
}

/// Whether the checkpoint's signature is valid under the public key it names. Whether that key
/// is the one to trust is the caller's question.
pub fn signature_valid(checkpoint: &AuditCheckpoint) -> bool {
    let message =
        AuditCheckpoint::signed_bytes(checkpoint.seq, &checkpoint.head, checkpoint.signed_at);
    UnparsedPublicKey::new(&signature::ED25519, &checkpoint.public_key)
        .verify(&message, &checkpoint.signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_forgeries_do_not() {
        let signer = AuditSigner::from_seed(&SecretKey::generate().expect("key")).expect("signer");
        let at = Timestamp::from_micros(1_000_000);
        let checkpoint = signer.sign(42, [7; 32], at);
        assert!(signature_valid(&checkpoint));

        let mut moved = checkpoint.clone();
        moved.seq = 41;
        assert!(!signature_valid(&moved));
        let mut rehashed = checkpoint.clone();
        rehashed.head[0] ^= 1;
        assert!(!signature_valid(&rehashed));

        let other = AuditSigner::from_seed(&SecretKey::generate().expect("key")).expect("signer");
        let forged = other.sign(42, [7; 32], at);
        assert!(signature_valid(&forged));
        assert_ne!(forged.public_key, checkpoint.public_key);
    }
}
