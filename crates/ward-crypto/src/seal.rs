//! AES-256-GCM sealing. Every sealed blob is `version || nonce || ciphertext || tag`, with a
//! random 96-bit nonce, and its associated data names exactly what the blob is, so a blob moved
//! to another record, conversation or epoch fails to open.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use uuid::Uuid;
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::keys::Epoch;

use crate::keyring::DataKey;
use crate::{CryptoError, random_bytes};

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;

/// What a sealed blob is. Each variant binds the blob to its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// A message body in a conversation epoch.
    MessageBody {
        conversation: ConversationId,
        message: Uuid,
        epoch: Epoch,
    },
    /// A user's TOTP secret.
    TotpSecret { user: UserId },
    /// A conversation's title.
    ConversationTitle {
        conversation: ConversationId,
        epoch: Epoch,
    },
    /// A patient's demographics.
    PatientDemographics { patient: PatientId },
    /// The display name of an account whose name is PHI (a patient's account).
    AccountDisplayName { user: UserId },
    /// One chunk of an attachment's contents. `last` marks the final chunk, so that a file
    /// cut short after a chunk boundary fails to open rather than passing as whole.
    AttachmentChunk {
        conversation: ConversationId,
        attachment: Uuid,
        epoch: Epoch,
        index: u32,
        last: bool,
    },
    /// An attachment's file name, as the uploader gave it.
    AttachmentName {
        conversation: ConversationId,
        attachment: Uuid,
        epoch: Epoch,
    },
    /// An attachment's thumbnail.
    AttachmentThumbnail {
        conversation: ConversationId,
        attachment: Uuid,
        epoch: Epoch,
    },
    /// The list of a message's attachments (names, types, sizes).
    MessageAttachments {
        conversation: ConversationId,
        message: Uuid,
        epoch: Epoch,
    },
    /// The body of a message scheduled for later.
    ScheduledBody {
        conversation: ConversationId,
        scheduled: Uuid,
        epoch: Epoch,
    },
    /// The reason stated for a break-glass access to a care-team thread.
    BreakGlassReason {
        conversation: ConversationId,
        grant: Uuid,
        epoch: Epoch,
    },
    /// The reason for a legal hold.
    HoldReason { hold: Uuid },
    /// A compliance officer's sign-off note on an alert.
    AlertNote { alert: Uuid },
    /// A device's push subscription (its endpoint and keys).
    PushSubscription { subscription: Uuid },
    /// A notice one node sends the others over the cluster bus, on its subject.
    ClusterNotice { subject: &'static str },
    /// One chunk of a backup archive, at its place, saying whether it is the last.
    ArchiveChunk {
        archive: Uuid,
        index: u64,
        last: bool,
    },
}

impl Binding {
    fn to_bytes(self) -> Vec<u8> {
        let mut aad = b"ward-seal-v1".to_vec();
        match self {
            Self::MessageBody {
                conversation,
                message,
                epoch,
            } => {
                aad.extend_from_slice(b"message-body");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(message.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::TotpSecret { user } => {
                aad.extend_from_slice(b"totp-secret");
                aad.extend_from_slice(user.as_bytes());
            }
            Self::ConversationTitle {
                conversation,
                epoch,
            } => {
                aad.extend_from_slice(b"conversation-title");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::PatientDemographics { patient } => {
                aad.extend_from_slice(b"patient-demographics");
                aad.extend_from_slice(patient.as_bytes());
            }
            Self::AccountDisplayName { user } => {
                aad.extend_from_slice(b"account-display-name");
                aad.extend_from_slice(user.as_bytes());
            }
            Self::AttachmentChunk {
                conversation,
                attachment,
                epoch,
                index,
                last,
            } => {
                aad.extend_from_slice(b"attachment-chunk");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(attachment.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
                aad.extend_from_slice(&index.to_be_bytes());
                aad.push(u8::from(last));
            }
            Self::AttachmentName {
                conversation,
                attachment,
                epoch,
            } => {
                aad.extend_from_slice(b"attachment-name");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(attachment.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::AttachmentThumbnail {
                conversation,
                attachment,
                epoch,
            } => {
                aad.extend_from_slice(b"attachment-thumbnail");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(attachment.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::MessageAttachments {
                conversation,
                message,
                epoch,
            } => {
                aad.extend_from_slice(b"message-attachments");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(message.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::ScheduledBody {
                conversation,
                scheduled,
                epoch,
            } => {
                aad.extend_from_slice(b"scheduled-body");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(scheduled.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::BreakGlassReason {
                conversation,
                grant,
                epoch,
            } => {
                aad.extend_from_slice(b"break-glass-reason");
                aad.extend_from_slice(conversation.as_bytes());
                aad.extend_from_slice(grant.as_bytes());
                aad.extend_from_slice(&epoch.index().to_be_bytes());
            }
            Self::HoldReason { hold } => {
                aad.extend_from_slice(b"legal-hold-reason");
                aad.extend_from_slice(hold.as_bytes());
            }
            Self::AlertNote { alert } => {
                aad.extend_from_slice(b"alert-sign-off-note");
                aad.extend_from_slice(alert.as_bytes());
            }
            Self::PushSubscription { subscription } => {
                aad.extend_from_slice(b"push-subscription");
                aad.extend_from_slice(subscription.as_bytes());
            }
            Self::ClusterNotice { subject } => {
                aad.extend_from_slice(b"cluster-notice");
                aad.extend_from_slice(subject.as_bytes());
            }
            Self::ArchiveChunk {
                archive,
                index,
                last,
            } => {
                aad.extend_from_slice(b"archive-chunk");
                aad.extend_from_slice(archive.as_bytes());
                aad.extend_from_slice(&index.to_be_bytes());
                aad.push(u8::from(last));
            }
        }
        aad
    }
}

/// Seals `plaintext` with a data key, bound to `binding`.
pub fn seal(key: &DataKey, binding: Binding, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    seal_raw(key.bytes(), &binding.to_bytes(), plaintext)
}

/// Opens a blob sealed by [`seal`] with the same key and binding.
pub fn open(key: &DataKey, binding: Binding, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    open_raw(key.bytes(), &binding.to_bytes(), sealed)
}

pub(crate) fn seal_raw(
    key: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let key = aead_key(key)?;
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut body,
    )
    .map_err(|_| CryptoError::Malformed)?;
    out.extend_from_slice(&body);
    Ok(out)
}

pub(crate) fn open_raw(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != VERSION {
        return Err(CryptoError::Malformed);
    }
    let key = aead_key(key)?;
    let nonce: [u8; NONCE_LEN] = sealed[1..=NONCE_LEN]
        .try_into()
        .map_err(|_| CryptoError::Malformed)?;
    let mut body = sealed[1 + NONCE_LEN..].to_vec();
    let plain_len = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        )
        .map_err(|_| CryptoError::Unauthentic)?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

/// A keyed hash (HMAC-SHA-256) of `value`: finds equal values without storing them.
pub fn blind_index(key: &DataKey, value: &[u8]) -> [u8; 32] {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.bytes());
    let tag = hmac::sign(&key, value);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

fn aead_key(key: &[u8; 32]) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::SecretKey;

    fn body(conversation: ConversationId, message: Uuid) -> Binding {
        Binding::MessageBody {
            conversation,
            message,
            epoch: Epoch::from_index(670),
        }
    }

    #[test]
    fn round_trips_and_binds_to_its_place() -> Result<(), CryptoError> {
        let key = SecretKey::generate()?;
        let (c, m) = (ConversationId::new(), Uuid::now_v7());
        let sealed = seal(&key, body(c, m), b"K+ 5.9, repeat BMP")?;
        assert_eq!(open(&key, body(c, m), &sealed)?, b"K+ 5.9, repeat BMP");
        assert!(!sealed.windows(4).any(|w| w == b"K+ 5"));
        assert!(open(&key, body(c, Uuid::now_v7()), &sealed).is_err());
        assert!(open(&key, body(ConversationId::new(), m), &sealed).is_err());
        assert!(open(&SecretKey::generate()?, body(c, m), &sealed).is_err());
        Ok(())
    }

    #[test]
    fn blind_indexes_are_keyed_and_stable() -> Result<(), CryptoError> {
        let (a, b) = (SecretKey::generate()?, SecretKey::generate()?);
        assert_eq!(blind_index(&a, b"MRN-1"), blind_index(&a, b"MRN-1"));
        assert_ne!(blind_index(&a, b"MRN-1"), blind_index(&a, b"MRN-2"));
        assert_ne!(blind_index(&a, b"MRN-1"), blind_index(&b, b"MRN-1"));
        Ok(())
    }

    #[test]
    fn any_flipped_byte_is_detected() -> Result<(), CryptoError> {
        let key = SecretKey::generate()?;
        let binding = Binding::TotpSecret {
            user: UserId::new(),
        };
        let sealed = seal(&key, binding, b"secret")?;
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x40;
            assert!(
                open(&key, binding, &bad).is_err(),
                "flip at {i} not detected"
            );
        }
        assert!(open(&key, binding, &sealed[..10]).is_err());
        Ok(())
    }

    #[test]
    fn an_account_name_opens_only_for_its_account() -> Result<(), CryptoError> {
        let key = SecretKey::generate()?;
        let user = UserId::new();
        let name = |user| Binding::AccountDisplayName { user };
        let sealed = seal(&key, name(user), b"Sam Jones")?;
        assert_eq!(open(&key, name(user), &sealed)?, b"Sam Jones");
        assert!(!sealed.windows(3).any(|w| w == b"Sam"));
        // Copied onto another account's row, it does not open.
        assert!(open(&key, name(UserId::new()), &sealed).is_err());
        assert!(open(&key, Binding::TotpSecret { user }, &sealed).is_err());
        Ok(())
    }

    #[test]
    fn attachment_chunks_open_only_in_their_place() -> Result<(), CryptoError> {
        let key = SecretKey::generate()?;
        let (conversation, attachment) = (ConversationId::new(), Uuid::now_v7());
        let chunk = |index, last| Binding::AttachmentChunk {
            conversation,
            attachment,
            epoch: Epoch::from_index(670),
            index,
            last,
        };
        let sealed = seal(&key, chunk(3, false), b"pixels")?;
        assert_eq!(open(&key, chunk(3, false), &sealed)?, b"pixels");
        // Moved to another position, or passed off as the final chunk of a cut file.
        assert!(open(&key, chunk(4, false), &sealed).is_err());
        assert!(open(&key, chunk(3, true), &sealed).is_err());
        Ok(())
    }
}
