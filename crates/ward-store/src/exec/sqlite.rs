//! [`Exec`] on the SQLite writer's own connection (rusqlite): each statement is a direct call
//! into SQLite on the writer thread, so the futures are ready at once and never wait.

use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{CachedStatement, Connection};
use uuid::Uuid;

use super::{Arg, Decode, Dialect, Exec, Row};
use crate::StoreResult;

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Int(v) => v.to_sql(),
            Self::Flag(v) => v.to_sql(),
            Self::Text(v) => v.to_sql(),
            Self::Bytes(v) => v.to_sql(),
            Self::Id(v) => v.to_sql(),
        }
    }
}

/// Binds `args` to a statement written with `$N` placeholders, by number.
fn prepare<'c>(
    c: &'c Connection,
    sql: &str,
    args: &[Arg<'_>],
) -> rusqlite::Result<CachedStatement<'c>> {
    let mut stmt = c.prepare_cached(sql)?;
    for index in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(index).unwrap_or_default();
        let arg = name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or_else(|| rusqlite::Error::InvalidParameterName(name.to_owned()))?;
        stmt.raw_bind_parameter(index, arg)?;
    }
    Ok(stmt)
}

impl Exec for Connection {
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let changed = prepare(self, sql, args)?.raw_execute()?;
        Ok(changed as u64)
    }

    async fn fetch<T: Send>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        decode: Decode<T>,
    ) -> StoreResult<Vec<T>> {
        let mut stmt = prepare(self, sql, args)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode(row)?);
        }
        Ok(out)
    }
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.get(i)?)
    }

    fn flag(&self, i: usize) -> StoreResult<Option<bool>> {
        Ok(self.get(i)?)
    }

    fn text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.get(i)?)
    }

    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.get(i)?)
    }

    fn id(&self, i: usize) -> StoreResult<Option<Uuid>> {
        Ok(self.get(i)?)
    }
}
