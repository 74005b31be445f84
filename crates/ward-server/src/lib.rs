//! ward-server
