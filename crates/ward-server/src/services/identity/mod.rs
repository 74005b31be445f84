//! Identity and sessions: sign-in and the authentication of every request, device sessions,
//! the user directory, the separation of duties for privileged changes, the policy and the
//! roles.

mod approvals;
mod policy;
mod second_factor;
mod sessions;
mod sign_in;
mod users;

use std::sync::Arc;

use tokio::sync::Semaphore;
use ward_core::Timestamp;
use ward_core::clock::Clock;
use ward_store::Store;

use super::publisher::{Publisher, SessionCache};
use super::{Access, Keys, PolicyCache, RoleCache, ServiceError, Shared};

pub use approvals::AccountChange;
pub use second_factor::TotpEnrollmentStarted;
pub use sign_in::{LoginInput, LoginOutcome};
pub use users::NewUser;

/// How many Argon2id computations may run at once; each uses 19 MiB and a core for ~50 ms.
const PASSWORD_HASH_CONCURRENCY: usize = 2;

/// Who the caller is and what they may do: accounts, sessions, the policy and roles.
#[derive(Debug, Clone)]
pub struct Identity {
    store: Arc<dyn Store>,
    keys: Keys,
    access: Access,
    policy: PolicyCache,
    roles: RoleCache,
    /// Sessions and their users by token hash: every request needs them.
    sessions: Arc<SessionCache>,
    hashing: Arc<Semaphore>,
    /// For ending sessions and dropping cached ones on every node.
    publisher: Publisher,
    clock: Arc<dyn Clock>,
}

impl Identity {
    pub(super) fn new(shared: &Shared) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            access: shared.access.clone(),
            policy: shared.policy.clone(),
            roles: shared.roles.clone(),
            sessions: Arc::clone(&shared.publisher.caches().sessions),
            hashing: Arc::new(Semaphore::new(PASSWORD_HASH_CONCURRENCY)),
            publisher: shared.publisher.clone(),
            clock: Arc::clone(&shared.clock),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
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
