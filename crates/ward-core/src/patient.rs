//! Patients: the registry of people the messages are about. Their demographics are PHI, kept
//! only sealed; the MRN is found through a keyed blind index.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::id::{PatientId, UserId};
use crate::{Timestamp, ValidationError};

/// A medical record number: 1 to 32 letters, digits and `-`, compared without case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mrn(String);

impl Mrn {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let mrn = text.trim().to_ascii_uppercase();
        let ok = (1..=32).contains(&mrn.len())
            && mrn.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok {
            Ok(Self(mrn))
        } else {
            Err(ValidationError::new(
                "mrn",
                "must be 1 to 32 letters, digits or '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name part: 1 to 100 characters, no control characters.
fn name(field: &'static str, text: &str) -> Result<String, ValidationError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

/// What is known about a patient. Serialised only to be sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demographics {
    pub mrn: Mrn,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Date,
}

impl Demographics {
    pub fn parse(
        mrn: &str,
        family_name: &str,
        given_name: &str,
        birth_date: Date,
        today: Date,
    ) -> Result<Self, ValidationError> {
        if birth_date > today {
            return Err(ValidationError::new(
                "birth_date",
                "must not be in the future",
            ));
        }
        Ok(Self {
            mrn: Mrn::parse(mrn)?,
            family_name: name("family_name", family_name)?,
            given_name: name("given_name", given_name)?,
            birth_date,
        })
    }
}

/// A patient as stored: the demographics are a sealed blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRecord {
    pub id: PatientId,
    /// Keyed hash of the MRN, for uniqueness and lookup without the plaintext.
    pub mrn_index: [u8; 32],
    pub sealed_demographics: Vec<u8>,
    /// The patient's own account, if they have one.
    pub user_id: Option<UserId>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn demographics_are_checked() {
        let today = date!(2026 - 11 - 23);
        let ok = Demographics::parse(" mrn-001 ", "Jones", "Sam", date!(1950 - 01 - 02), today);
        assert_eq!(ok.map(|d| d.mrn.0), Ok("MRN-001".to_owned()));
        assert!(Demographics::parse("", "Jones", "Sam", date!(1950 - 01 - 02), today).is_err());
        assert!(Demographics::parse("1 2", "Jones", "Sam", date!(1950 - 01 - 02), today).is_err());
        assert!(Demographics::parse("1", "", "Sam", date!(1950 - 01 - 02), today).is_err());
        assert!(Demographics::parse("1", "J", "S", date!(2027 - 01 - 02), today).is_err());
    }
}
