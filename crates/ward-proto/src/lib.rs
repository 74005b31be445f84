//! Ward's wire types: every request and response body of `/api/v1`, the problem types, and
//! their OpenAPI schemas. This is the only crate whose types are serialised for the wire;
//! domain and database types never are.
//!
//! Requests refuse unknown fields, so a misspelt field is an error rather than silently ignored.

pub mod approvals;
pub mod audit;
pub mod auth;
pub mod clinical;
pub mod compliance;
pub mod evidence;
pub mod messaging;
pub mod notify;
pub mod oversight;
pub mod policy;
pub mod problem;
pub mod realtime;
pub mod users;
pub mod workflow;

pub use problem::{Problem, ProblemType};
