//! The services: everything Ward does, independent of HTTP. Handlers call these; these call
//! the store. Services never see axum types.
//!
//! One type per domain, each holding only what it uses: [`Identity`] (sign-in, sessions, the
//! user directory, policy and roles), [`Messaging`] (conversations, messages, receipts, sync,
//! scheduled sends, the safety checks), [`Clinical`] (urgent messages and escalation, clinical
//! roles and shifts, messages to a role), [`Patients`] (the registry), [`Attachments`] and
//! [`Compliance`] (audit, checkpoints, reports, retention, monitoring, break-glass). What they
//! share is small and below them: `Access` (permission and membership checks), [`Keys`],
//! the policy and role caches, `Sealing` (titles and bodies opened and sealed) and the
//! `Publisher` (committed events to the hub). [`Services`] only wires them together.
//!
//! Every method that reads or changes data writes an audit event: a change together with the
//! change, in one transaction; a read or a refusal on its own, before the answer goes out.

mod access;
mod attachments;
mod caller;
mod clinical;
mod compliance;
mod error;
mod identity;
mod keys;
mod messaging;
mod notify;
mod policy_cache;
mod publisher;
mod sealing;
mod selftest;
mod ttl_cache;

use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::clock::{Clock, SystemClock};
use ward_core::keys::EpochLength;
use ward_crypto::keyring::Keyring;
use ward_store::Store;

use crate::cluster::Bus;
use crate::realtime::Hub;
pub(crate) use access::Access;
use publisher::{Caches, Publisher};
use sealing::Sealing;

pub use attachments::{AttachmentLimits, Attachments, Download};
pub use caller::{Caller, ClientAddress};
pub use clinical::{Clinical, GrantedMessage, NewPatient, Patients, PlainPatient, RoleWithHolder};
pub use compliance::{
    AuditSearch, Compliance, ConversationExport, Deployment, ExportedMessage, MAX_AUDIT_PAGE,
    Period, PlainGrant, PlainHold, ReportKind, VerifyOutcome, Webhook, prepare_audit_chain,
    verify_chain,
};
pub use error::ServiceError;
pub use identity::{
    AccountChange, Identity, LoginInput, LoginOutcome, NewUser, TotpEnrollmentStarted,
};
pub use keys::Keys;
pub use messaging::{
    MAX_PAGE, MAX_SYNC_PAGE, MessageHistory, MessagePage, Messaging, NewConversation, Outgoing,
    PlainScheduled, SyncResult,
};
pub use notify::{NewSubscription, Notifier, NotifyStats};
pub use policy_cache::{PolicyCache, RoleCache};

pub use crate::opened::{
    AccessRow, AttachmentInfo, ComplianceReport, Disclosure, PlainConversation, PlainMessage,
    ReviewItem, ReviewedFinding, SafetyReport,
};

/// How long a node trusts its cached copy of the policy, a role, a session and its user, or a
/// sender's conversation. A change made on another node is seen within it; with a cluster bus,
/// at once (the other node drops its copy before answering).
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// What the domain services are built from; each takes the parts it uses.
#[derive(Debug, Clone)]
struct Shared {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    policy: PolicyCache,
    roles: RoleCache,
    publisher: Publisher,
    clock: Arc<dyn Clock>,
}

/// The settings the services are wired with, kept so that a builder method can rewire them.
#[derive(Debug, Clone)]
struct Settings {
    store: Arc<dyn Store>,
    keys: Keys,
    hub: Hub,
    bus: Option<Bus>,
    clock: Arc<dyn Clock>,
    attachment_limits: AttachmentLimits,
    webhook: Option<Webhook>,
    deployment: Arc<Deployment>,
    notify_stats: Arc<NotifyStats>,
}

/// The composition root: every domain service, wired to the same store, keys and hub. Cheap
/// to clone (every request and connection holds one): the domains sit behind one `Arc`.
#[derive(Debug, Clone)]
pub struct Services(Arc<Wired>);

/// The domain services, wired, and the settings they were wired with.
#[derive(Debug)]
struct Wired {
    settings: Settings,
    access: Access,
    publisher: Publisher,
    identity: Identity,
    messaging: Messaging,
    clinical: Clinical,
    patients: Patients,
    attachments: Attachments,
    compliance: Compliance,
    notifier: Notifier,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, keyring: Keyring, hub: Hub) -> Self {
        Self::wire(Settings {
            keys: Keys::new(Arc::clone(&store), keyring),
            store,
            hub,
            bus: None,
            clock: Arc::new(SystemClock),
            attachment_limits: AttachmentLimits::default(),
            webhook: None,
            deployment: Arc::default(),
            notify_stats: Arc::default(),
        })
    }

    /// Services for commands run without a server (`ward audit`, `ward report`, `ward admin`,
    /// the demo's seeding): no device ever connects to their hub, which stays idle.
    pub fn offline(store: Arc<dyn Store>, keyring: Keyring) -> Self {
        Self::new(store, keyring, Hub::new(0))
    }

    fn wire(settings: Settings) -> Self {
        let store = &settings.store;
        let policy = PolicyCache::new(Arc::clone(store));
        let roles = RoleCache::new(Arc::clone(store));
        let caches = Caches::new(policy.clone(), roles.clone());
        let shared = Shared {
            store: Arc::clone(store),
            keys: settings.keys.clone(),
            access: Access::new(Arc::clone(store), Arc::clone(&settings.clock)),
            policy,
            roles,
            publisher: Publisher::new(settings.hub.clone(), settings.bus.clone(), caches),
            clock: Arc::clone(&settings.clock),
        };
        let attachments = Attachments::new(&shared, settings.attachment_limits);
        let sealing = Sealing::new(Arc::clone(store), shared.keys.clone(), attachments.clone());
        let patients = Patients::new(&shared, sealing.clone());
        let messaging = Messaging::new(&shared, &sealing, &attachments, &patients);
        Self(Arc::new(Wired {
            access: shared.access.clone(),
            publisher: shared.publisher.clone(),
            identity: Identity::new(&shared),
            notifier: Notifier::new(&shared, Arc::clone(&settings.notify_stats)),
            clinical: Clinical::new(&shared, &sealing, &messaging),
            compliance: Compliance::new(
                &shared,
                &sealing,
                &attachments,
                settings.webhook.clone(),
                Arc::clone(&settings.deployment),
            ),
            messaging,
            patients,
            attachments,
            settings,
        }))
    }

    /// The settings, to be changed and wired again by a builder method.
    fn settings(&self) -> Settings {
        self.0.settings.clone()
    }

    /// Services that read the time from `clock` (tests move it forward instead of sleeping).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let settings = Settings {
            clock,
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Sets the upload limits (the defaults otherwise).
    pub fn with_attachment_limits(self, limits: AttachmentLimits) -> Self {
        let settings = Settings {
            attachment_limits: limits,
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Services whose key epochs last `length` (see [`crate::Config::key_epoch_secs`]).
    pub fn with_epoch_length(self, length: EpochLength) -> Self {
        let settings = self.settings();
        let settings = Settings {
            keys: settings.keys.clone().with_epoch_length(length),
            ..settings
        };
        Self::wire(settings)
    }

    /// Services that tell the other nodes of a cluster what they commit, over `bus`.
    pub fn with_bus(self, bus: Option<Bus>) -> Self {
        let settings = Settings {
            bus,
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Services that also POST every alert to `webhook`.
    pub fn with_webhook(self, webhook: Option<Webhook>) -> Self {
        let settings = Settings {
            webhook,
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Services whose notifier counts what it does into `stats` (read by `/metrics`).
    pub fn with_notify_stats(self, stats: Arc<NotifyStats>) -> Self {
        let settings = Settings {
            notify_stats: stats,
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Services whose compliance report describes `deployment` (its settings).
    pub fn with_deployment(self, deployment: Deployment) -> Self {
        let settings = Settings {
            deployment: Arc::new(deployment),
            ..self.settings()
        };
        Self::wire(settings)
    }

    /// Sign-in, sessions, the user directory, the policy and roles.
    pub fn identity(&self) -> &Identity {
        &self.0.identity
    }

    /// Conversations, messages, receipts, sync and scheduled sends.
    pub fn messaging(&self) -> &Messaging {
        &self.0.messaging
    }

    /// Urgent messages and escalation, clinical roles and shifts, messages to a role.
    pub fn clinical(&self) -> &Clinical {
        &self.0.clinical
    }

    /// The patient registry.
    pub fn patients(&self) -> &Patients {
        &self.0.patients
    }

    /// Uploads, downloads and the attachment lists of messages.
    pub fn attachments(&self) -> &Attachments {
        &self.0.attachments
    }

    /// Web Push subscriptions and the delivery of notifications.
    pub fn notifier(&self) -> &Notifier {
        &self.0.notifier
    }

    /// Audit, checkpoints, reports, retention, monitoring and break-glass.
    pub fn compliance(&self) -> &Compliance {
        &self.0.compliance
    }

    /// The permission and membership checks every service makes.
    pub(crate) fn access(&self) -> &Access {
        &self.0.access
    }

    /// The current time, by the services' clock.
    pub fn now(&self) -> Timestamp {
        self.0.settings.clock.now()
    }

    /// The real-time hub.
    pub fn hub(&self) -> &Hub {
        &self.0.settings.hub
    }

    /// The cluster bus, if this node has one.
    pub fn bus(&self) -> Option<&Bus> {
        self.0.publisher.bus()
    }

    /// Applies a notice another node published on the bus.
    pub fn apply_notice(&self, notice: crate::cluster::Notice) {
        self.0.publisher.apply(notice);
    }

    /// The store, for shutdown.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.settings.store
    }

    /// Whether the database answers (readiness).
    pub async fn ready(&self) -> Result<(), ServiceError> {
        Ok(self.0.settings.store.ping().await?)
    }

    /// The position of the latest event: where a device that has everything stands.
    pub async fn current_cursor(&self) -> Result<i64, ServiceError> {
        Ok(self.0.settings.store.max_event_seq().await?)
    }
}
