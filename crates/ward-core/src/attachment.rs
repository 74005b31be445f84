//! Attachments: files uploaded into a conversation, stored as sealed chunks, and carried by at
//! most one message.

use uuid::Uuid;

use crate::Timestamp;
use crate::ValidationError;
use crate::conversation::MessageId;
use crate::id::{ConversationId, UserId};
use crate::keys::Epoch;

pub type AttachmentId = Uuid;

/// Plaintext bytes per sealed chunk: a download streams one chunk at a time.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// Longest file name kept, in bytes.
pub const MAX_NAME_LEN: usize = 255;

/// An uploaded file as stored. Its name and thumbnail are sealed; its contents live in
/// `chunk_count` sealed chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub conversation_id: ConversationId,
    pub uploader_id: UserId,
    /// The epoch whose key sealed it (the epoch of the upload).
    pub epoch: Epoch,
    /// The type sniffed from the bytes.
    pub media_type: String,
    /// Plaintext size in bytes.
    pub size: u64,
    pub chunk_count: u32,
    pub sealed_name: Option<Vec<u8>>,
    pub sealed_thumbnail: Option<Vec<u8>>,
    /// What was done about embedded metadata, as JSON; never any of the file's contents.
    pub metadata: String,
    /// The message that carries it, once sent.
    pub message_id: Option<MessageId>,
    pub created_at: Timestamp,
}

/// Checks a file name given by a client: not empty, at most [`MAX_NAME_LEN`] bytes, no control
/// characters or path separators.
pub fn check_name(name: &str) -> Result<(), ValidationError> {
    if name.trim().is_empty() {
        return Err(ValidationError::new("name", "must not be empty"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(ValidationError::new("name", "must be at most 255 bytes"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(ValidationError::new(
            "name",
            "must not contain control characters or path separators",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_checked() {
        for good in ["chest x-ray.jpg", "Wound photo 2 – day 3.png", "résumé.pdf"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let long = "a".repeat(256);
        for bad in [
            "",
            "  ",
            "../../etc/passwd",
            "a\\b",
            "line\nbreak",
            long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
