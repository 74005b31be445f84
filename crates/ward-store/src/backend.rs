//! What a database backend gives the store: a durable write transaction, a reader, and the
//! hasher that links the audit chain. The store traits are implemented once for every
//! [`Backend`] (see [`crate::impls`]).

use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use ward_core::audit::ChainHasher;

use crate::StoreResult;
use crate::exec::Exec;

pub(crate) trait Backend: Send + Sync + 'static {
    /// The connection writes run on, inside their transaction.
    type Writer: Exec;
    /// The connection reads run on.
    type Reader: Exec;

    /// Links the audit chain.
    fn hasher(&self) -> Arc<dyn ChainHasher>;

    /// Runs `f` inside a transaction and returns its result once the commit is durable
    /// (SQLite batches it with other writes: group commit). An error rolls `f` back.
    fn write<T, F>(&self, f: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Writer) -> BoxFuture<'c, StoreResult<T>> + Send + 'static;

    /// Runs `f` on a reader connection.
    fn read<T, F>(&self, f: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut Self::Reader) -> BoxFuture<'c, StoreResult<T>> + Send;
}
