//! Identifier newtypes. Each wraps a UUID (v7 for new records, so ids sort by creation time)
//! and can only be made by [`new`](UserId::new) or by parsing.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ValidationError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the hyphenated text form.
            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                Uuid::try_parse(text)
                    .map(Self)
                    .map_err(|_| ValidationError::new($field, "must be a UUID"))
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId,
    "user_id"
);
id_type!(
    /// A device session.
    SessionId,
    "session_id"
);
id_type!(
    /// One audit event.
    AuditEventId,
    "audit_event_id"
);
id_type!(
    /// A conversation (also the scope of its data keys).
    ConversationId,
    "conversation_id"
);
id_type!(
    /// A clinical role people hold in turns ("Cardiology on-call").
    ClinicalRoleId,
    "role_id"
);

id_type!(
    /// One scheduled shift of a clinical role.
    ShiftId,
    "shift_id"
);

id_type!(
    /// A registered patient.
    PatientId,
    "patient_id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_uuids() {
        let id = UserId::new();
        assert_eq!(UserId::parse(&id.to_string()), Ok(id));
        assert!(UserId::parse("not-a-uuid").is_err());
        assert!(UserId::parse("").is_err());
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = SessionId::new();
        let b = SessionId::new();
        assert!(a < b);
    }
}
