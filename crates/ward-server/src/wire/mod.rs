//! Domain values to their wire form (`ward_proto` types), shared by the HTTP handlers, the
//! WebSocket and the event publisher in services: frames and views of messages and
//! conversations, views of users, sessions, roles, the policy and audit events, and report
//! documents and CSV.
//!
//! Imports only `ward_core`, `ward_proto`, `ward_media` (attachment metadata), external crates
//! and [`crate::opened`]: never services, the API or the hub.

pub mod evidence;
pub mod frames;
pub mod reports;
pub mod views;

pub use reports::{audit_csv, disclosure_list, disclosures_csv, report_document};
pub use views::{checkpoint_from_view, checkpoint_view};
