use ward_core::audit::{AuditAction, NewAuditEvent, Outcome};
use ward_core::role::{Permission, Role};
use ward_core::session::{Session, SessionScope};
use ward_core::user::User;

/// The client's network address as the server sees it (after trusted proxies), as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

/// An authenticated request's user, role, session and address.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub role: Role,
    pub session: Session,
    pub address: ClientAddress,
}

impl Caller {
    pub fn allows(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// Whether the session may do more than set up a second factor.
    pub fn is_full(&self) -> bool {
        self.session.scope == SessionScope::Full
    }

    /// An audit event by this caller.
    pub fn event(&self, action: AuditAction, outcome: Outcome) -> NewAuditEvent {
        let mut event = NewAuditEvent::new(action, outcome);
        event.actor = Some(self.user.id);
        event.session = Some(self.session.id);
        event.address = self.address.0.clone();
        event
    }
}
