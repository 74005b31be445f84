/// A cryptographic operation failed. The variants say which, never with key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the system random generator failed")]
    Random,
    #[error("sealed data failed authentication (tampered, or the wrong key)")]
    Unauthentic,
    #[error("sealed data is malformed")]
    Malformed,
    #[error("no root key with id {0} is loaded")]
    UnknownRootKey(String),
    #[error("root key: {0}")]
    RootKey(String),
    #[error("password hashing failed")]
    PasswordHash,
    #[error("TOTP secret is invalid")]
    TotpSecret,
}
