//! Real-time delivery: the [`Hub`] fans committed events out to connected devices, in event
//! order, from memory. `api::ws` runs one device's WebSocket on top of it.

pub mod frames;
pub mod hub;

pub use hub::{CloseReason, DeviceHandle, Hub, Outbound};
