//! Ward's cryptography, all on aws-lc-rs (and argon2 for passwords).
//!
//! - [`archive`]: sealed backup archives, chunked and bound to their place.
//! - [`keyring`]: the root key and the data keys it wraps (envelope encryption).
//! - [`seal`]: AES-256-GCM sealing with typed associated data.
//! - [`password`]: Argon2id password hashing.
//! - [`totp`]: RFC 6238 one-time codes with replay protection.
//! - [`token`]: session tokens, stored only as hashes.
//! - [`audit_chain`]: the hash chain over audit events, keyed (HMAC-SHA-256) by a secret in the
//!   key vault.
//! - [`audit_signing`]: Ed25519-signed checkpoints of that chain.
//!
//! Architecture invariant: key material lives in [`zeroize`]d buffers, never in `Debug` output,
//! and leaves this crate only wrapped or as a sealed blob.

pub mod archive;
pub mod audit_chain;
pub mod audit_signing;
mod error;
pub mod keyring;
pub mod password;
pub mod seal;
pub mod token;
pub mod totp;
pub mod webpush;

pub use error::CryptoError;

/// The SHA-256 digest of `data` (public values: a page's inline style for its CSP hash).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Fills `buf` from the operating system's random generator.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    SystemRandom::new()
        .fill(buf)
        .map_err(|_| CryptoError::Random)
}
