//! Ward's domain model: identifiers, users, roles and permissions, policies and the audit event
//! model.
//!
//! Architecture invariant: this crate does no I/O and has no async. It fails only with
//! [`ValidationError`]. Everything that reaches it from the outside has been parsed into one of
//! its types first.

pub mod attachment;
pub mod audit;
pub mod clinical;
pub mod clock;
pub mod controls;
pub mod conversation;
mod error;
pub mod evidence;
pub mod id;
pub mod keys;
pub mod monitoring;
pub mod notify;
pub mod oversight;
pub mod patient;
pub mod policy;
pub mod privileged;
pub mod retention;
pub mod role;
pub mod safety;
pub mod scheduled;
pub mod session;
mod timestamp;
pub mod user;

pub use error::ValidationError;
pub use timestamp::Timestamp;
