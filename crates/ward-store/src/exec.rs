//! The one seam between the store's SQL and the databases: [`Exec`] runs a statement with
//! [`Arg`]s and decodes the rows it returns through [`Row`]. Everything above it (the
//! operations in [`crate::ops`], the trait implementations in [`crate::impls`]) is written
//! once, for any connection that implements it:
//!
//! - the SQLite writer's `rusqlite::Connection` (direct calls on the writer thread),
//! - the SQLite readers' and PostgreSQL's sqlx connections ([`sqlx_exec`]).
//!
//! Statements use PostgreSQL's `$N` placeholders; the SQLite writer binds them by number.
//! What differs between the two databases is named in [`Dialect`] and in the [`Row`]
//! implementations (PostgreSQL's 4-byte integers and booleans, SQLite's integers).

pub(crate) mod sqlite;
pub(crate) mod sqlx_exec;

use std::future::Future;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::id::{
    AuditEventId, ClinicalRoleId, ConversationId, PatientId, SessionId, ShiftId, UserId,
};

use crate::{StoreError, StoreResult};

/// A value bound to a statement. Each variant is typed even when null, because PostgreSQL
/// infers a parameter's type from the value bound to it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(Option<i64>),
    Flag(Option<bool>),
    Text(Option<&'a str>),
    Bytes(Option<&'a [u8]>),
    Id(Option<Uuid>),
}

/// A type that can be bound: its null is typed like its values.
pub(crate) trait SqlType {
    const NULL: Arg<'static>;
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Self::Flag(Some(v))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Self::Bytes(Some(v))
    }
}

impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Self::Bytes(Some(v))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Arg<'a> {
    fn from(v: &'a [u8; N]) -> Self {
        Self::Bytes(Some(v))
    }
}

impl From<Uuid> for Arg<'_> {
    fn from(v: Uuid) -> Self {
        Self::Id(Some(v))
    }
}

impl From<Timestamp> for Arg<'_> {
    fn from(v: Timestamp) -> Self {
        Self::Int(Some(v.as_micros()))
    }
}

impl<'a, T: Into<Arg<'a>> + SqlType> From<Option<T>> for Arg<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(T::NULL, Into::into)
    }
}

impl SqlType for i64 {
    const NULL: Arg<'static> = Arg::Int(None);
}
impl SqlType for bool {
    const NULL: Arg<'static> = Arg::Flag(None);
}
impl SqlType for &str {
    const NULL: Arg<'static> = Arg::Text(None);
}
impl SqlType for &String {
    const NULL: Arg<'static> = Arg::Text(None);
}
impl SqlType for &[u8] {
    const NULL: Arg<'static> = Arg::Bytes(None);
}
impl SqlType for &Vec<u8> {
    const NULL: Arg<'static> = Arg::Bytes(None);
}
impl SqlType for Uuid {
    const NULL: Arg<'static> = Arg::Id(None);
}
impl SqlType for Timestamp {
    const NULL: Arg<'static> = Arg::Int(None);
}

/// An identifier stored as a UUID column.
pub(crate) trait RecordId: Copy {
    fn to_uuid(self) -> Uuid;
    fn from_uuid(uuid: Uuid) -> Self;
}

impl<T: RecordId> SqlType for T {
    const NULL: Arg<'static> = Arg::Id(None);
}

impl<T: RecordId> From<T> for Arg<'_> {
    fn from(v: T) -> Self {
        Self::Id(Some(v.to_uuid()))
    }
}

impl RecordId for UserId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for SessionId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for ConversationId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for PatientId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for AuditEventId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for ClinicalRoleId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

impl RecordId for ShiftId {
    fn to_uuid(self) -> Uuid {
        *self.as_uuid()
    }
    fn from_uuid(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

/// One row of a result, read by column index (the order of the statement's SELECT list).
/// Each method is `None` for SQL NULL.
pub(crate) trait Row {
    fn int(&self, i: usize) -> StoreResult<Option<i64>>;
    fn flag(&self, i: usize) -> StoreResult<Option<bool>>;
    fn text(&self, i: usize) -> StoreResult<Option<String>>;
    fn bytes(&self, i: usize) -> StoreResult<Option<Vec<u8>>>;
    fn id(&self, i: usize) -> StoreResult<Option<Uuid>>;
}

impl dyn Row + '_ {
    /// Column `i`, which must not be NULL.
    pub(crate) fn get<T: Column>(&self, i: usize) -> StoreResult<T> {
        T::read(self, i)?.ok_or(StoreError::Corrupt("row"))
    }

    /// Column `i`, `None` if NULL.
    pub(crate) fn opt<T: Column>(&self, i: usize) -> StoreResult<Option<T>> {
        T::read(self, i)
    }
}

/// A Rust type a column decodes into.
pub(crate) trait Column: Sized {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>>;
}

impl Column for i64 {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        row.int(i)
    }
}

impl Column for bool {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        row.flag(i)
    }
}

impl Column for String {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        row.text(i)
    }
}

impl Column for Vec<u8> {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        row.bytes(i)
    }
}

impl Column for Uuid {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        row.id(i)
    }
}

impl Column for Timestamp {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        Ok(row.int(i)?.map(Timestamp::from_micros))
    }
}

impl<T: RecordId> Column for T {
    fn read(row: &dyn Row, i: usize) -> StoreResult<Option<Self>> {
        Ok(row.id(i)?.map(T::from_uuid))
    }
}

/// Decodes one row into a value.
pub(crate) type Decode<T> = fn(&dyn Row) -> StoreResult<T>;

/// What differs between the two databases beyond their column types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// One writer thread: writes are ordered already.
    Sqlite,
    /// Many writers: appends to the audit chain and the event log take a transaction-scoped
    /// advisory lock, so both stay linear across nodes.
    Postgres,
}

impl Dialect {
    /// The statement that orders this transaction's appends after every earlier writer's.
    pub(crate) const fn order_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("SELECT pg_advisory_xact_lock(7418001)"),
        }
    }
}

/// A connection statements run on.
pub(crate) trait Exec: Send {
    const DIALECT: Dialect;

    /// Runs a statement; the number of rows it changed.
    fn execute(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Runs a statement and decodes every row it returns.
    fn fetch<T: Send>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        decode: Decode<T>,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send;

    /// The first row a statement returns, if any.
    fn fetch_optional<T: Send>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        decode: Decode<T>,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send {
        async move { Ok(self.fetch(sql, args, decode).await?.into_iter().next()) }
    }

    /// The integer in the first column of the first row (0 if there is no row).
    fn count(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = StoreResult<i64>> + Send {
        async move {
            let first = self.fetch_optional(sql, args, |r| r.get(0)).await?;
            Ok(first.unwrap_or(0))
        }
    }

    /// Orders this transaction's appends after every earlier writer's (see [`Dialect`]).
    fn order(&mut self) -> impl Future<Output = StoreResult<()>> + Send {
        async move {
            if let Some(lock) = Self::DIALECT.order_lock() {
                self.fetch(lock, &[], |_| Ok(())).await?;
            }
            Ok(())
        }
    }
}
