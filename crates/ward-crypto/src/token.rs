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

    /// The anti-forgery token of a browser session held in a cookie: derived from the session
    /// token (domain-separated SHA-256), so it needs no state, is useless without the cookie,
    /// and differs from the hash the store keeps.
    pub fn csrf_token(&self) -> String {
        let mut input = Vec::with_capacity(CSRF_DOMAIN.len() + self.expose().len());
        input.extend_from_slice(CSRF_DOMAIN);
        input.extend_from_slice(self.expose().as_bytes());
        let digest = digest::digest(&digest::SHA256, &input);
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }

    /// Whether `presented` is this session's anti-forgery token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.csrf_token()
            .as_bytes()
            .ct_eq(presented.as_bytes())
            .into()
    }
}

const CSRF_DOMAIN: &[u8] = b"ward.csrf.v1\0";

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

    #[test]
    fn csrf_tokens_belong_to_one_session() -> Result<(), CryptoError> {
        let token = SessionToken::generate()?;
        let csrf = token.csrf_token();
        assert!(token.csrf_matches(&csrf));
        assert!(!SessionToken::generate()?.csrf_matches(&csrf));
        assert!(!token.csrf_matches(""));
        assert_ne!(csrf.as_bytes(), token.hash().0.as_slice());
        Ok(())
    }
}
