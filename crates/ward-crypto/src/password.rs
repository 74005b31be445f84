//! Argon2id password hashing (m = 19 MiB, t = 2, p = 1, the OWASP baseline).
//!
//! Hashing is deliberately slow: callers run it on a blocking thread behind a semaphore.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::CryptoError;

fn hasher() -> Result<Argon2<'static>, CryptoError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|_| CryptoError::PasswordHash)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash_password(password: &SecretString) -> Result<String, CryptoError> {
    hasher()?
        .hash_password(password.expose_secret().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| CryptoError::PasswordHash)
}

/// Checks a password against a stored PHC string. A malformed stored hash counts as a mismatch.
pub fn verify_password(password: &SecretString, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    hasher().is_ok_and(|h| {
        h.verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password, computed once, that nothing verifies against.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let mut random = [0u8; 24];
    crate::random_bytes(&mut random).ok()?;
    let password = SecretString::from(
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    );
    hash_password(&password).ok()
});

/// Does the same work as [`verify_password`] and fails, so that a sign-in for an unknown user
/// costs as much as one with a wrong password.
pub fn verify_against_dummy(password: &SecretString) -> bool {
    if let Some(dummy) = DUMMY_HASH.as_deref() {
        let _ = verify_password(password, dummy);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() -> Result<(), CryptoError> {
        let password = SecretString::from("correct horse battery staple");
        let a = hash_password(&password)?;
        let b = hash_password(&password)?;
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify_password(&password, &a));
        assert!(!verify_password(
            &SecretString::from("wrong horse battery staple"),
            &a
        ));
        assert!(!verify_password(&password, "not a phc string"));
        assert!(!verify_against_dummy(&password));
        Ok(())
    }
}
