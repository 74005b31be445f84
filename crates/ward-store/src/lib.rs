//! ward-store
