//! The store's SQL, one module per domain, each function written once over [`Exec`] for both
//! databases: the statements, the decoding of their rows, and the writes' logic. A write
//! function runs inside the caller's transaction and never commits; the caller takes the
//! ordering lock ([`Exec::order`]) before appending to the audit chain or the event log.
//!
//! [`Exec`]: crate::exec::Exec
//! [`Exec::order`]: crate::exec::Exec::order

pub(crate) mod approvals;
pub(crate) mod attachments;
pub(crate) mod audit;
pub(crate) mod clinical;
pub(crate) mod compliance;
pub(crate) mod conversations;
pub(crate) mod identity;
pub(crate) mod keys;
pub(crate) mod lifecycle;
pub(crate) mod messages;
pub(crate) mod messaging;
pub(crate) mod notify;
pub(crate) mod oversight;
pub(crate) mod schedule;
pub(crate) mod sync;
