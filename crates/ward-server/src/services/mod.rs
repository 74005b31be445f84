//! The services: everything Ward does, independent of HTTP. Handlers call these; these call
//! the store. Services never see axum types.
//!
//! Every method that reads or changes data writes an audit event: a change together with the
//! change, in one transaction; a read or a refusal on its own, before the answer goes out.

mod access;
mod approvals;
mod attachments;
mod audit;
mod auth;
mod caller;
mod checkpoints;
mod clinical;
mod conversations;
mod error;
mod keys;
mod message_changes;
mod messages;
mod messaging;
mod monitoring;
mod oversight;
mod patients;
mod policy;
mod reports;
mod retention;
mod role_messages;
mod safety;
mod scheduled;
mod sessions;
mod sync;
mod ttl_cache;
mod users;
mod webhook;

use std::sync::Arc;

use tokio::sync::Semaphore;
use ward_core::Timestamp;
use ward_core::clock::{Clock, SystemClock};
use ward_core::conversation::Conversation;
use ward_core::id::{ConversationId, UserId};
use ward_core::session::Session;
use ward_core::user::User;
use ward_crypto::keyring::Keyring;
use ward_store::Store;

use crate::realtime::Hub;
pub(crate) use access::Access;
use safety::PatientIndex;
use ttl_cache::TtlCache;

pub use approvals::AccountChange;
pub use attachments::{AttachmentLimits, Attachments, Download};
pub use audit::{AuditSearch, MAX_AUDIT_PAGE, VerifyOutcome};
pub use auth::{LoginInput, LoginOutcome, TotpEnrollmentStarted};
pub use caller::{Caller, ClientAddress};
pub use checkpoints::{prepare_audit_chain, verify_chain};
pub use clinical::RoleWithHolder;
pub use conversations::NewConversation;
pub use error::ServiceError;
pub use keys::Keys;
pub use message_changes::MessageHistory;
pub use messages::{MAX_PAGE, MessagePage};
pub use messaging::Outgoing;
pub use oversight::PlainGrant;
pub use patients::{NewPatient, PlainPatient};
pub use policy::{PolicyCache, RoleCache};
pub use reports::{ConversationExport, ExportedMessage, Period, ReportKind};
pub use retention::PlainHold;
pub use scheduled::PlainScheduled;
pub use sync::{MAX_SYNC_PAGE, SyncResult};
pub use users::NewUser;
pub use webhook::Webhook;

pub use crate::opened::{
    AttachmentInfo, Disclosure, PlainConversation, PlainMessage, ReviewedFinding, SafetyReport,
};

/// How long a node trusts its cached copy of the policy, a role, a session and its user, or a
/// sender's conversation; a change made on another node is seen within it.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// How many Argon2id computations may run at once; each uses 19 MiB and a core for ~50 ms.
const PASSWORD_HASH_CONCURRENCY: usize = 2;

/// All services, sharing the store, the keys and the cached policy.
#[derive(Debug, Clone)]
pub struct Services {
    store: Arc<dyn Store>,
    keys: Keys,
    policy: PolicyCache,
    roles: RoleCache,
    /// Sessions and their users by token hash: every request needs them.
    sessions: Arc<TtlCache<[u8; 32], (Session, User)>>,
    /// Conversations by (conversation, member), for sends only: the writer checks membership
    /// again in the send's transaction, so a stale entry can never let a non-member send.
    senders: Arc<TtlCache<(ConversationId, UserId), Conversation>>,
    patient_index: Arc<PatientIndex>,
    hashing: Arc<Semaphore>,
    hub: Hub,
    access: Access,
    attachments: Attachments,
    monitoring: Arc<tokio::sync::Mutex<monitoring::MonitorState>>,
    webhook: Option<Webhook>,
    /// Where the time comes from for everything time decides (the system's, but for tests).
    clock: Arc<dyn Clock>,
    /// One pass at a time of each kind of due work whose pass takes several transactions,
    /// so a pass called directly waits for the background one under way on this node.
    passes: Arc<Passes>,
}

/// The locks a pass of due work holds while it runs.
#[derive(Debug, Default)]
struct Passes {
    scheduled: tokio::sync::Mutex<()>,
    handover: tokio::sync::Mutex<()>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, keyring: Keyring, hub: Hub) -> Self {
        let keys = Keys::new(Arc::clone(&store), keyring);
        let access = Access::new(Arc::clone(&store));
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            hub,
            attachments: Attachments::new(
                Arc::clone(&store),
                keys.clone(),
                access.clone(),
                Arc::clone(&clock),
            ),
            access,
            keys,
            policy: PolicyCache::new(Arc::clone(&store)),
            roles: RoleCache::new(Arc::clone(&store)),
            sessions: Arc::new(TtlCache::new(CACHE_TTL)),
            senders: Arc::new(TtlCache::new(CACHE_TTL)),
            patient_index: Arc::default(),
            store,
            hashing: Arc::new(Semaphore::new(PASSWORD_HASH_CONCURRENCY)),
            monitoring: Arc::default(),
            webhook: None,
            clock,
            passes: Arc::default(),
        }
    }

    /// Services that read the time from `clock` (tests move it forward instead of sleeping).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.attachments.set_clock(Arc::clone(&clock));
        self.clock = clock;
        self
    }

    /// Sets the upload limits (the defaults otherwise).
    pub fn with_attachment_limits(mut self, limits: AttachmentLimits) -> Self {
        self.attachments.set_limits(limits);
        self
    }

    /// The permission and membership checks every service makes.
    pub(crate) fn access(&self) -> &Access {
        &self.access
    }

    /// Uploads, downloads and the attachment lists of messages.
    pub fn attachments(&self) -> &Attachments {
        &self.attachments
    }

    /// The current time, by the services' clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Services for commands run without a server (`ward audit`, `ward report`, `ward admin`,
    /// the demo's seeding): no device ever connects to their hub, which stays idle.
    pub fn offline(store: Arc<dyn Store>, keyring: Keyring) -> Self {
        Self::new(store, keyring, Hub::new(0))
    }

    /// The real-time hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The store, for shutdown.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Whether the database answers (readiness).
    pub async fn ready(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    /// The position of the latest event: where a device that has everything stands.
    pub async fn current_cursor(&self) -> Result<i64, ServiceError> {
        Ok(self.store.max_event_seq().await?)
    }

    /// Runs a password hash or verification on a blocking thread, a few at a time.
    async fn hash_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| ServiceError::Unavailable)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| ServiceError::Unavailable)
    }
}
