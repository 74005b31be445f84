//! The clinical workflow: urgent and stat messages with their acknowledgements and
//! escalation, the clinical roles and shifts escalation reaches, messages addressed to a role,
//! and the patient registry ([`Patients`]).

mod grants;
mod patient_index;
mod patients;
mod role_threads;
mod roles;
mod urgent;

use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::clock::Clock;
use ward_store::Store;

use super::publisher::Publisher;
use super::sealing::Sealing;
use super::{Access, Keys, Messaging, PolicyCache, Shared};
use patient_index::PatientIndex;

pub use grants::GrantedMessage;
pub use patients::{NewPatient, PlainPatient};
pub use roles::RoleWithHolder;

/// The patient registry: demographics sealed, MRNs found through a blind index, care teams,
/// and the index of registered patients the safety checks search.
#[derive(Debug, Clone)]
pub struct Patients {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    sealing: Sealing,
    publisher: Publisher,
    index: Arc<PatientIndex>,
    clock: Arc<dyn Clock>,
}

/// Urgent messages, escalation, clinical roles and the threads addressed to them.
#[derive(Debug, Clone)]
pub struct Clinical {
    store: Arc<dyn Store>,
    access: Access,
    policy: PolicyCache,
    sealing: Sealing,
    publisher: Publisher,
    /// Messages to a role go out as any message does.
    messaging: Messaging,
    clock: Arc<dyn Clock>,
    /// One hand-over pass at a time on this node, so a pass called directly waits for the
    /// background one under way.
    handover_pass: Arc<tokio::sync::Mutex<()>>,
}

impl Clinical {
    pub(super) fn new(shared: &Shared, sealing: &Sealing, messaging: &Messaging) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            access: shared.access.clone(),
            policy: shared.policy.clone(),
            sealing: sealing.clone(),
            publisher: shared.publisher.clone(),
            messaging: messaging.clone(),
            clock: Arc::clone(&shared.clock),
            handover_pass: Arc::default(),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
