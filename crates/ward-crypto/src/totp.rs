//! RFC 6238 time-based one-time codes: SHA-1, 6 digits, 30-second steps, one step of clock skew
//! either way. A code is accepted only for a step later than the last one used, so a code that
//! was seen once cannot be replayed.

use totp_rs::{Builder, Secret, Totp};
use zeroize::Zeroizing;

use crate::{CryptoError, random_bytes};

const SECRET_LEN: usize = 20;
const ISSUER: &str = "Ward";

/// A user's shared TOTP secret (160 bits), erased from memory when dropped.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl TotpSecret {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_LEN]);
        random_bytes(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// Rebuilds a secret from its bytes (after opening the sealed copy).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CryptoError> {
        if bytes.len() < 16 {
            return Err(CryptoError::TotpSecret);
        }
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// Parses the base32 form shown to users (for tools and tests that act as an
    /// authenticator app).
    pub fn from_base32(text: &str) -> Result<Self, CryptoError> {
        let secret = Secret::try_from_base32(text.trim()).map_err(|_| CryptoError::TotpSecret)?;
        Self::from_bytes(secret.as_bytes().to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self, account: &str) -> Result<Totp, CryptoError> {
        Builder::new()
            .with_secret(Secret::from(self.0.as_slice()))
            .with_account_name(account.replace(':', "_"))
            .with_issuer(Some(ISSUER))
            .build()
            .map_err(|_| CryptoError::TotpSecret)
    }

    /// The base32 form a user types into an authenticator app.
    pub fn to_base32(&self) -> Result<Zeroizing<String>, CryptoError> {
        Ok(Zeroizing::new(self.totp("")?.secret().to_base32()))
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    pub fn provisioning_uri(&self, account: &str) -> Result<Zeroizing<String>, CryptoError> {
        self.totp(account)?
            .to_url()
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::TotpSecret)
    }

    /// The code for a moment (Unix seconds). For tests and tools, not for the server.
    pub fn code_at(&self, unix_secs: u64) -> Result<String, CryptoError> {
        Ok(self.totp("")?.generate(unix_secs).to_string())
    }

    /// Checks `code` at `unix_secs`. Returns the matched step if the code is valid and its step is
    /// later than `last_used_step`; the caller must store that step before accepting the code.
    pub fn verify(&self, code: &str, unix_secs: u64, last_used_step: Option<i64>) -> Option<i64> {
        let totp = self.totp("").ok()?;
        let step = i64::try_from(totp.check(code.trim(), unix_secs)?).ok()?;
        match last_used_step {
            Some(last) if step <= last => None,
            _ => Some(step),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_6238_vector() -> Result<(), CryptoError> {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6-digit form is 287082.
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec())?;
        assert_eq!(secret.code_at(59)?, "287082");
        Ok(())
    }

    #[test]
    fn refuses_replay_and_wrong_codes() -> Result<(), CryptoError> {
        let secret = TotpSecret::generate()?;
        let now = 1_763_900_000;
        let code = secret.code_at(now)?;
        let step = secret.verify(&code, now, None);
        assert!(step.is_some());
        assert_eq!(
            secret.verify(&code, now, step),
            None,
            "replayed code accepted"
        );
        assert!(
            secret
                .verify(&secret.code_at(now - 30)?, now, None)
                .is_some(),
            "skew"
        );
        assert_eq!(secret.verify(&secret.code_at(now - 120)?, now, None), None);
        assert_eq!(secret.verify("12345", now, None), None);
        assert_eq!(secret.verify("abcdef", now, None), None);
        Ok(())
    }

    #[test]
    fn base32_round_trips() -> Result<(), CryptoError> {
        let secret = TotpSecret::generate()?;
        let again = TotpSecret::from_base32(&secret.to_base32()?)?;
        assert_eq!(again.as_bytes(), secret.as_bytes());
        assert!(TotpSecret::from_base32("not base32!").is_err());
        Ok(())
    }

    #[test]
    fn provisioning_uri_names_issuer_and_account() -> Result<(), CryptoError> {
        let uri = TotpSecret::generate()?.provisioning_uri("dr.okafor")?;
        assert!(
            uri.starts_with("otpauth://totp/Ward:dr.okafor?"),
            "{}",
            uri.as_str()
        );
        Ok(())
    }
}
