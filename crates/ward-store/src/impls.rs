//! The [`Store`](crate::Store) traits, implemented once for every [`Backend`]: a read runs
//! [`ops`](crate::ops) functions on a reader; a write runs its change and the audit event that
//! records it in one transaction ([`audited`]).

mod approvals;
mod attachments;
mod clinical;
mod compliance;
mod identity;
mod messaging;
mod notify;
mod workflow;

use futures::future::BoxFuture;
use ward_core::audit::NewAuditEvent;

use crate::StoreResult;
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::audit::append_audit;

/// Runs `change` in a write transaction and, when `happened` says the change took place,
/// appends `audit` in the same transaction: both commit, or neither. The ordering lock is
/// taken first, so the change's event appends and its audit event keep one order across nodes.
async fn audited<B, T, F>(
    store: &B,
    audit: NewAuditEvent,
    happened: fn(&T) -> bool,
    change: F,
) -> StoreResult<T>
where
    B: Backend,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut B::Writer) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
{
    let hasher = store.hasher();
    store
        .write(move |c| {
            Box::pin(async move {
                c.order().await?;
                let out = change(&mut *c).await?;
                if happened(&out) {
                    append_audit(c, &*hasher, &audit).await?;
                }
                Ok(out)
            })
        })
        .await
}

/// For [`audited`]: a change that always takes place (it fails otherwise).
fn always<T>(_: &T) -> bool {
    true
}

/// For [`audited`]: a change that reports whether it took place.
fn changed(done: &bool) -> bool {
    *done
}

/// For [`audited`]: a change that reports what it did, and took place if it did anything.
fn any<T>(done: &Vec<T>) -> bool {
    !Vec::is_empty(done)
}
