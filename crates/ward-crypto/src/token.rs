//! Session tokens: 256 random bits, shown to the client once, stored only as a SHA-256 hash.
//!
//! A token is looked up by its hash, so the store never holds anything that would let a reader
//! of the database act as a user.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};

use crate::{CryptoError, random_bytes};

const TOKEN_BYTES: usize = 32;
/// Base64url without padding of 32 bytes.
const TOKEN_CHARS: usize = 43;
const PREFIX: &str = "ward_";

/// A bearer token, kept secret in memory.
#[derive(Debug, Clone)]
pub struct SessionToken(SecretString);

/// The SHA-256 of a token: what the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl SessionToken {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = zeroize::Zeroizing::new([0u8; TOKEN_BYTES]);
        random_bytes(bytes.as_mut())?;
        Ok(Self(SecretString::from(format!(
            "{PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes.as_ref())
        ))))
    }

    /// Accepts only the exact shape of a token; anything else is not worth a database lookup.
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix(PREFIX)?;
        let well_formed = body.len() == TOKEN_CHARS
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(SecretString::from(text.to_owned())))
    }

    pub fn hash(&self) -> TokenHash {
        let digest = digest::digest(&digest::SHA256, self.0.expose_secret().as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        TokenHash(out)
    }

    /// The token text, to hand to the client once.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_and_hash_stably() -> Result<(), CryptoError> {
        let token = SessionToken::generate()?;
        let parsed = SessionToken::parse(token.expose());
        assert_eq!(parsed.map(|t| t.hash()), Some(token.hash()));
        assert_ne!(SessionToken::generate()?.hash(), token.hash());
        assert!(SessionToken::parse("ward_short").is_none());
        assert!(SessionToken::parse(&token.expose().replace("ward_", "xxxx_")).is_none());
        assert!(!format!("{token:?}").contains(token.expose()));
        Ok(())
    }
}
