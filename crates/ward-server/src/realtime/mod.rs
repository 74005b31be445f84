//! Real-time delivery: the [`Hub`] fans committed events out to connected devices, in event
//! order, from memory. It carries frames already encoded (by services, through
//! `crate::wire::frames`) and knows nothing of what they say. `api::ws` runs one device's
//! WebSocket on top of it.

pub mod hub;

pub use hub::{CloseReason, DeviceHandle, Hub, Outbound};
