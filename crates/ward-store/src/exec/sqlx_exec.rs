//! [`Exec`] on sqlx: the SQLite readers' connections and every PostgreSQL connection.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Column as _, Database, Encode, Postgres, Row as _, Sqlite, Type, TypeInfo as _};
use uuid::Uuid;

use super::{Arg, Decode, Dialect, Exec, Row};
use crate::StoreResult;

/// A statement with `args` bound in order (`$1` is the first).
fn bind_all<'q, DB>(sql: &'static str, args: &[Arg<'_>]) -> Query<'q, DB, DB::Arguments>
where
    DB: Database,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<bool>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t [u8]>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<Uuid>: Encode<'t, DB> + Type<DB>,
{
    let mut query = sqlx::query(sql);
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Flag(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
            Arg::Bytes(v) => query.bind(v),
            Arg::Id(v) => query.bind(v),
        };
    }
    query
}

impl Exec for SqliteConnection {
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let done = bind_all::<Sqlite>(sql, args).execute(&mut *self).await?;
        Ok(done.rows_affected())
    }

    async fn fetch<T: Send>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        decode: Decode<T>,
    ) -> StoreResult<Vec<T>> {
        let rows = bind_all::<Sqlite>(sql, args).fetch_all(&mut *self).await?;
        rows.iter().map(|row| decode(row)).collect()
    }
}

impl Exec for PgConnection {
    const DIALECT: Dialect = Dialect::Postgres;

    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let done = bind_all::<Postgres>(sql, args).execute(&mut *self).await?;
        Ok(done.rows_affected())
    }

    async fn fetch<T: Send>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        decode: Decode<T>,
    ) -> StoreResult<Vec<T>> {
        let rows = bind_all::<Postgres>(sql, args)
            .fetch_all(&mut *self)
            .await?;
        rows.iter().map(|row| decode(row)).collect()
    }
}

impl Row for SqliteRow {
    fn int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.try_get(i)?)
    }

    fn flag(&self, i: usize) -> StoreResult<Option<bool>> {
        Ok(self.try_get(i)?)
    }

    fn text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.try_get(i)?)
    }

    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.try_get(i)?)
    }

    fn id(&self, i: usize) -> StoreResult<Option<Uuid>> {
        Ok(self.try_get(i)?)
    }
}

/// PostgreSQL's integers come in three widths (`INTEGER` columns, `SELECT 1`); all read as
/// `i64`.
impl Row for PgRow {
    fn int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(match self.try_column(i)?.type_info().name() {
            "INT4" => self.try_get::<Option<i32>, _>(i)?.map(i64::from),
            "INT2" => self.try_get::<Option<i16>, _>(i)?.map(i64::from),
            _ => self.try_get(i)?,
        })
    }

    fn flag(&self, i: usize) -> StoreResult<Option<bool>> {
        Ok(self.try_get(i)?)
    }

    fn text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.try_get(i)?)
    }

    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.try_get(i)?)
    }

    fn id(&self, i: usize) -> StoreResult<Option<Uuid>> {
        Ok(self.try_get(i)?)
    }
}
