//! What nodes tell each other, and how it is sealed on the bus.
//!
//! Every notice travels inside an [`Envelope`] naming the node that sent it and when, sealed
//! with AES-256-GCM under the cluster bus key (a data key in the key vault every node of a
//! deployment shares). NATS and anyone who can read or write its subjects see only sealed
//! bytes; a notice that does not open (another key, a forgery, a tampered byte) or that is
//! older than [`MAX_AGE`] (a replay) is dropped, and the node reads the log instead.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use ward_core::Timestamp;
use ward_crypto::keyring::DataKey;
use ward_crypto::seal::{self, Binding};

/// The subject every notice is published on (the stream captures `ward.bus.>`).
pub const SUBJECT: &str = "ward.bus.notices";

/// Notices older than this are replays (or a node's clock is far off): dropped.
const MAX_AGE_SECS: i64 = 60;
/// How far ahead of this node's clock a notice may claim to be.
const MAX_SKEW_SECS: i64 = 30;

/// Something every node must learn of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// A committed event: its position, kind, the users whose devices receive it, and the
    /// frame they receive (encoded once, by the node that committed it).
    Event {
        seq: i64,
        kind: String,
        recipients: Vec<Uuid>,
        frame: String,
    },
    /// A frame outside the event log (an alert) for these users' devices.
    Frame { users: Vec<Uuid>, frame: String },
    /// A session ended (`reason` is a session end reason, or `wipe`): close its devices.
    CloseSession { session: Uuid, reason: String },
    /// Every session of a user ended: close their devices.
    CloseUser { user: Uuid, reason: String },
    /// A cached copy of something changed: drop it.
    Invalidate { cache: Cache },
}

/// The caches a node keeps of what lives in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cache {
    /// Sessions and their users (revocation, sign-out, wipe, user disabled or changed).
    Sessions,
    /// The policy.
    Policy,
    /// Roles and their permissions.
    Roles,
    /// Conversations by sender (membership).
    Senders,
}

/// A notice as it crosses the bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The node that sent it (nodes ignore their own).
    pub node: Uuid,
    /// When it was sent, in microseconds since the Unix epoch.
    pub sent_at: i64,
    pub notice: Notice,
}

/// Why a bus message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// It did not open under the cluster key (or was not sealed at all).
    Unauthentic,
    /// It opened but is not a notice this version knows.
    Undecodable,
    /// It is older than a minute, or from the future.
    Stale,
}

impl Dropped {
    /// The label it is counted under in `/metrics`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthentic => "unauthentic",
            Self::Undecodable => "undecodable",
            Self::Stale => "stale",
        }
    }
}

/// Seals an envelope for the bus.
pub fn seal(key: &DataKey, envelope: &Envelope) -> Result<Vec<u8>, ward_crypto::CryptoError> {
    let json = serde_json::to_vec(envelope).map_err(|_| ward_crypto::CryptoError::Malformed)?;
    seal::seal(key, Binding::ClusterNotice { subject: SUBJECT }, &json)
}

/// Opens a bus message: the envelope, if it is authentic, known and fresh at `now`.
pub fn open(key: &DataKey, sealed: &[u8], now: Timestamp) -> Result<Envelope, Dropped> {
    let json = seal::open(key, Binding::ClusterNotice { subject: SUBJECT }, sealed)
        .map_err(|_| Dropped::Unauthentic)?;
    let envelope: Envelope = serde_json::from_slice(&json).map_err(|_| Dropped::Undecodable)?;
    let age_secs = (now.as_micros() - envelope.sent_at) / 1_000_000;
    if !(-MAX_SKEW_SECS..=MAX_AGE_SECS).contains(&age_secs) {
        return Err(Dropped::Stale);
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use ward_crypto::keyring::SecretKey;

    use super::*;

    fn envelope(at: Timestamp) -> Envelope {
        Envelope {
            node: Uuid::new_v4(),
            sent_at: at.as_micros(),
            notice: Notice::Event {
                seq: 7,
                kind: "message.created".into(),
                recipients: vec![Uuid::new_v4()],
                frame: r#"{"type":"message.created","body":"potassium 3.1"}"#.into(),
            },
        }
    }

    #[test]
    fn a_notice_opens_under_its_key_only_and_hides_its_frame() -> anyhow::Result<()> {
        let key = SecretKey::generate()?;
        let now = Timestamp::now();
        let sent = envelope(now);
        let sealed = seal(&key, &sent)?;
        assert!(
            !sealed.windows(9).any(|w| w == b"potassium"),
            "the frame crosses the bus sealed"
        );
        assert_eq!(open(&key, &sealed, now), Ok(sent));
        let other = SecretKey::generate()?;
        assert_eq!(open(&other, &sealed, now), Err(Dropped::Unauthentic));
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(open(&key, &tampered, now), Err(Dropped::Unauthentic));
        assert_eq!(open(&key, b"plain text", now), Err(Dropped::Unauthentic));
        Ok(())
    }

    #[test]
    fn an_old_notice_is_a_replay() -> anyhow::Result<()> {
        let key = SecretKey::generate()?;
        let then = Timestamp::from_micros(Timestamp::now().as_micros() - 61_000_000);
        let sealed = seal(&key, &envelope(then))?;
        assert_eq!(open(&key, &sealed, Timestamp::now()), Err(Dropped::Stale));
        Ok(())
    }
}
