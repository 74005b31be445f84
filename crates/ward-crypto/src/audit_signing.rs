//! Signed audit checkpoints: an Ed25519 key, whose seed is a data key sealed under the root
//! key, signs the chain's head now and then, so a later rewrite of the log up to a checkpoint
//! is detectable by anyone holding the checkpoint and the public key.

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use ward_core::Timestamp;
use ward_core::audit::{AuditAnchor, AuditCheckpoint, ChainHash};

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

    /// The signature of `keyed_from` (the event from which the chain is keyed), kept in the
    /// audit anchor.
    pub fn sign_keyed_from(&self, keyed_from: i64) -> [u8; 64] {
        let mut signature = [0u8; 64];
        signature.copy_from_slice(
            self.pair
                .sign(&AuditAnchor::keyed_from_bytes(keyed_from))
                .as_ref(),
        );
        signature
    }
}

/// Whether `sig` is the signature of `keyed_from` by the key `public_key`.
pub fn keyed_from_valid(public_key: &[u8; 32], keyed_from: i64, sig: &[u8; 64]) -> bool {
    UnparsedPublicKey::new(&signature::ED25519, public_key)
        .verify(&AuditAnchor::keyed_from_bytes(keyed_from), sig)
        .is_ok()
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

        let keyed = signer.sign_keyed_from(7);
        assert!(keyed_from_valid(&signer.public_key(), 7, &keyed));
        assert!(!keyed_from_valid(&signer.public_key(), 8, &keyed));
        assert!(!keyed_from_valid(&other.public_key(), 7, &keyed));
    }
}
