//! User accounts.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::UserId;
use crate::role::RoleName;
use crate::{Timestamp, ValidationError};

/// A login name: 3 to 64 characters of lowercase ASCII letters, digits, `.`, `_` and `-`,
/// starting with a letter or digit. Input is lowercased before it is checked, so names are
/// unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        const FIELD: &str = "username";
        let name = text.trim().to_ascii_lowercase();
        if !(3..=64).contains(&name.len()) {
            return Err(ValidationError::new(FIELD, "must be 3 to 64 characters"));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c);
        if !name.chars().all(allowed) {
            return Err(ValidationError::new(
                FIELD,
                "may contain only letters, digits, '.', '_' and '-'",
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ValidationError::new(
                FIELD,
                "must start with a letter or digit",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the plain `display_name` column holds for an account whose name is sealed (a
/// patient account's: the name is PHI). It names no one.
pub const SEALED_DISPLAY_NAME: &str = "(sealed)";

/// The name shown to other users: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// The stand-in for a name that is kept only sealed ([`SEALED_DISPLAY_NAME`]).
    pub fn sealed() -> Self {
        Self(SEALED_DISPLAY_NAME.to_owned())
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        const FIELD: &str = "display_name";
        let name = text.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ValidationError::new(FIELD, "must be 1 to 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(ValidationError::new(
                FIELD,
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            _ => Err(ValidationError::new("status", "must be active or disabled")),
        }
    }
}

/// Checks a new password against the minimum rules (NIST SP 800-63B: length over composition).
/// The password itself never appears in the error.
pub fn check_new_password(password: &str) -> Result<(), ValidationError> {
    const FIELD: &str = "password";
    let chars = password.chars().count();
    if chars < 12 {
        return Err(ValidationError::new(
            FIELD,
            "must be at least 12 characters",
        ));
    }
    if chars > 256 {
        return Err(ValidationError::new(
            FIELD,
            "must be at most 256 characters",
        ));
    }
    Ok(())
}

/// A user account as stored. The password hash is a PHC string; the TOTP secret, when
/// enrolled, is sealed and lives with the second-factor record, not here.
///
/// A patient account's display name is PHI: it is stored only sealed
/// (`sealed_display_name`), and as read from the store `display_name` is then
/// [`DisplayName::sealed`] until the services open it. Staff names are stored plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: DisplayName,
    pub role: RoleName,
    pub status: UserStatus,
    pub password_hash: String,
    pub created_at: Timestamp,
    /// The display name sealed by ward-crypto (patient accounts); `None` for a name kept plain.
    pub sealed_display_name: Option<Vec<u8>>,
}

impl User {
    /// What the plain `display_name` column may hold: the name, or [`SEALED_DISPLAY_NAME`]
    /// for an account whose name is sealed, whatever `display_name` holds.
    pub fn stored_display_name(&self) -> &str {
        if self.sealed_display_name.is_some() {
            SEALED_DISPLAY_NAME
        } else {
            self.display_name.as_str()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Dr.Smith ").map(|u| u.0),
            Ok("dr.smith".to_owned())
        );
        for bad in ["ab", "-abc", "has space", "ümlaut", &"x".repeat(65), ""] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn display_names_reject_control_characters() {
        assert!(DisplayName::parse("Dr. Ada Okafor").is_ok());
        assert!(DisplayName::parse("bad\u{7}name").is_err());
        assert!(DisplayName::parse("   ").is_err());
    }

    #[test]
    fn a_sealed_name_is_never_stored_plain() {
        let mut user = User {
            id: UserId::new(),
            username: Username::parse("pat.jones").unwrap(),
            display_name: DisplayName::parse("Sam Jones").unwrap(),
            role: RoleName::parse(RoleName::PATIENT).unwrap(),
            status: UserStatus::Active,
            password_hash: String::new(),
            created_at: Timestamp::from_micros(0),
            sealed_display_name: None,
        };
        assert_eq!(user.stored_display_name(), "Sam Jones");
        user.sealed_display_name = Some(vec![1, 2, 3]);
        assert_eq!(user.stored_display_name(), SEALED_DISPLAY_NAME);
        assert_eq!(
            DisplayName::parse(SEALED_DISPLAY_NAME),
            Ok(DisplayName::sealed())
        );
    }

    #[test]
    fn passwords_need_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("correct horse battery").is_ok());
        assert!(check_new_password(&"a".repeat(257)).is_err());
    }
}
