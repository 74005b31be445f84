//! ward-client
