//! Wrapped data keys, in whichever database keeps them: the SQLite key vault's own file
//! ([`crate::vault`]) or PostgreSQL's key database (`postgres::key_vault`).

use ward_core::keys::{DataKeyRecord, Epoch, KeyScope, WrappedKey};

use crate::exec::{Exec, Row};
use crate::{StoreError, StoreResult};

const DATA_KEY: &str = "SELECT scope_kind, scope_id, epoch, root_key_id, wrapped, created_at \
     FROM data_keys WHERE scope_kind = $1 AND scope_id = $2 AND epoch = $3";
const DATA_KEYS: &str = "SELECT scope_kind, scope_id, epoch, root_key_id, wrapped, created_at \
     FROM data_keys ORDER BY scope_kind, scope_id, epoch";
const INSERT_DATA_KEY: &str = "INSERT INTO data_keys (scope_kind, scope_id, epoch, \
     root_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (scope_kind, scope_id, epoch) DO NOTHING";
const UPDATE_WRAPPED_KEY: &str = "UPDATE data_keys SET root_key_id = $1, wrapped = $2 \
     WHERE scope_kind = $3 AND scope_id = $4 AND epoch = $5";
const DELETE_DATA_KEY: &str =
    "DELETE FROM data_keys WHERE scope_kind = $1 AND scope_id = $2 AND epoch = $3";
const DELETE_ALL_DATA_KEYS: &str = "DELETE FROM data_keys";

fn data_key_row(r: &dyn Row) -> StoreResult<DataKeyRecord> {
    let kind: String = r.get(0)?;
    Ok(DataKeyRecord {
        scope: KeyScope::from_parts(&kind, r.get(1)?)
            .map_err(|_| StoreError::Corrupt("data key"))?,
        epoch: Epoch::from_index(r.get(2)?),
        wrapped: WrappedKey {
            root_key_id: r.get(3)?,
            ciphertext: r.get(4)?,
        },
        created_at: r.get(5)?,
    })
}

pub(crate) async fn data_key<E: Exec>(
    c: &mut E,
    scope: KeyScope,
    epoch: Epoch,
) -> StoreResult<Option<DataKeyRecord>> {
    let args = [scope.kind().into(), scope.id().into(), epoch.index().into()];
    c.fetch_optional(DATA_KEY, &args, data_key_row).await
}

pub(crate) async fn all_data_keys<E: Exec>(c: &mut E) -> StoreResult<Vec<DataKeyRecord>> {
    c.fetch(DATA_KEYS, &[], data_key_row).await
}

/// Keeps a new key unless one exists for its scope and epoch; the one kept.
pub(crate) async fn insert_data_key<E: Exec>(
    c: &mut E,
    r: &DataKeyRecord,
) -> StoreResult<DataKeyRecord> {
    let args = [
        r.scope.kind().into(),
        r.scope.id().into(),
        r.epoch.index().into(),
        r.wrapped.root_key_id.as_str().into(),
        r.wrapped.ciphertext.as_slice().into(),
        r.created_at.into(),
    ];
    c.execute(INSERT_DATA_KEY, &args).await?;
    data_key(c, r.scope, r.epoch)
        .await?
        .ok_or(StoreError::NotFound("data key"))
}

/// Replaces the wrapping of an existing key (root key rotation).
pub(crate) async fn update_wrapped_key<E: Exec>(c: &mut E, r: &DataKeyRecord) -> StoreResult<()> {
    let args = [
        r.wrapped.root_key_id.as_str().into(),
        r.wrapped.ciphertext.as_slice().into(),
        r.scope.kind().into(),
        r.scope.id().into(),
        r.epoch.index().into(),
    ];
    if c.execute(UPDATE_WRAPPED_KEY, &args).await? == 0 {
        return Err(StoreError::NotFound("data key"));
    }
    Ok(())
}

/// Deletes a key; true if there was one.
pub(crate) async fn delete_data_key<E: Exec>(
    c: &mut E,
    scope: KeyScope,
    epoch: Epoch,
) -> StoreResult<bool> {
    let args = [scope.kind().into(), scope.id().into(), epoch.index().into()];
    Ok(c.execute(DELETE_DATA_KEY, &args).await? > 0)
}

/// Empties a database's key table once its keys are kept elsewhere.
pub(crate) async fn delete_all_data_keys<E: Exec>(c: &mut E) -> StoreResult<()> {
    c.execute(DELETE_ALL_DATA_KEYS, &[]).await.map(drop)
}
