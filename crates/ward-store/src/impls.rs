//! The [`Store`](crate::Store) traits, implemented once for every
//! [`Backend`](crate::backend::Backend): a read runs [`ops`](crate::ops) functions on a
//! reader; a write runs its change and the audit event that records it in one transaction.

mod approvals;
mod attachments;
mod clinical;
mod compliance;
mod identity;
mod messaging;
mod workflow;
