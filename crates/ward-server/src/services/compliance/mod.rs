//! Compliance and oversight: audit search and verification, signed checkpoints, reports and
//! e-discovery exports, retention and legal holds, monitoring and its alerts, break-glass
//! access and the accounting of disclosures.

mod access_review;
mod alerts;
mod audit;
mod break_glass;
mod checkpoints;
mod disclosures;
mod evidence;
mod monitoring;
mod reports;
mod retention;
mod webhook;

use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::clock::Clock;
use ward_store::Store;

use super::publisher::Publisher;
use super::sealing::Sealing;
use super::{Access, Attachments, Keys, PolicyCache, Shared};

pub use audit::{AuditSearch, MAX_AUDIT_PAGE, VerifyOutcome};
pub use break_glass::PlainGrant;
pub use checkpoints::{prepare_audit_chain, verify_chain};
pub use evidence::Deployment;
pub use reports::{ConversationExport, ExportedMessage, Period, ReportKind};
pub use retention::PlainHold;
pub use webhook::Webhook;

/// What compliance officers and the background checks of the log do.
#[derive(Debug, Clone)]
pub struct Compliance {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    policy: PolicyCache,
    sealing: Sealing,
    attachments: Attachments,
    publisher: Publisher,
    webhook: Option<Webhook>,
    deployment: Arc<Deployment>,
    monitoring: Arc<tokio::sync::Mutex<monitoring::MonitorState>>,
    clock: Arc<dyn Clock>,
}

/// The epoch compliance records (hold reasons, sign-off notes) are sealed under: they are
/// never shredded, so one key serves them all.
const RECORDS_EPOCH: ward_core::keys::Epoch = ward_core::keys::Epoch::from_index(0);

impl Compliance {
    pub(super) fn new(
        shared: &Shared,
        sealing: &Sealing,
        attachments: &Attachments,
        webhook: Option<Webhook>,
        deployment: Arc<Deployment>,
    ) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            access: shared.access.clone(),
            policy: shared.policy.clone(),
            sealing: sealing.clone(),
            attachments: attachments.clone(),
            publisher: shared.publisher.clone(),
            webhook,
            deployment,
            monitoring: Arc::default(),
            clock: Arc::clone(&shared.clock),
        }
    }

    /// What the compliance report says about the deployment.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
