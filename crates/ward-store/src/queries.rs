//! The SQL, written once and instantiated per backend by [`define_queries!`]. The two schemas
//! differ only in column types (see `migrations/`), so the statements are the same; what
//! differs is passed in: the connection type and the statement that orders audit appends.

macro_rules! define_queries {
    ($conn:ty, $chain_lock:expr) => {
        use ward_core::Timestamp;
        use ward_core::audit::{
            AuditEvent, AuditFilter, ChainHasher, GENESIS_HASH, NewAuditEvent, canonical_bytes,
        };
        use ward_core::id::{SessionId, UserId};
        use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};
        use ward_core::policy::Policy;
        use ward_core::role::{Role, RoleName};
        use ward_core::session::{EndReason, Session, SessionScope};
        use ward_core::user::{User, UserStatus, Username};

        use crate::error::unique_as_conflict;
        use crate::rows::{
            AuditRow, DataKeyRow, RoleRow, SessionRow, TotpRow, UserRow, permissions_json,
        };
        use crate::{FailureCounts, StoreError, StoreResult, TotpFactor};

        type Conn = $conn;

        // ---- audit ------------------------------------------------------------------------

        /// Appends `event` to the chain inside the caller's transaction.
        pub(crate) async fn append_audit(
            c: &mut Conn,
            hasher: &dyn ChainHasher,
            event: &NewAuditEvent,
        ) -> StoreResult<i64> {
            let lock: Option<&str> = $chain_lock;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *c).await?;
            }
            let last: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *c)
                    .await?;
            let (prev_seq, prev_hash) = match last {
                Some((seq, hash)) => (
                    seq,
                    hash.try_into()
                        .map_err(|_| StoreError::CorruptAudit { seq })?,
                ),
                None => (0, GENESIS_HASH),
            };
            let seq = prev_seq + 1;
            let hash = hasher.link(&prev_hash, &canonical_bytes(seq, event));
            sqlx::query(
                "INSERT INTO audit_events (seq, id, at, actor_id, session_id, address, action, \
                 target_kind, target_id, patient_id, outcome, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(seq)
            .bind(*event.id.as_uuid())
            .bind(event.at.as_micros())
            .bind(event.actor.map(|id| *id.as_uuid()))
            .bind(event.session.map(|id| *id.as_uuid()))
            .bind(event.address.as_deref())
            .bind(event.action.as_str())
            .bind(event.target.map(|t| t.kind.as_str()))
            .bind(event.target.and_then(|t| t.id))
            .bind(event.patient.map(|id| *id.as_uuid()))
            .bind(event.outcome.as_str())
            .bind(event.detail.as_deref())
            .bind(prev_hash.to_vec())
            .bind(hash.to_vec())
            .execute(&mut *c)
            .await?;
            Ok(seq)
        }

        macro_rules! audit_columns {
            () => {
                "seq, id, at, actor_id, session_id, address, action, \
             target_kind, target_id, patient_id, outcome, detail, prev_hash, hash"
            };
        }

        pub(crate) async fn search_audit(
            c: &mut Conn,
            f: &AuditFilter,
        ) -> StoreResult<Vec<AuditEvent>> {
            const SQL: &str = concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_events WHERE \
                 ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR target_id = $2) AND \
                 ($3 IS NULL OR patient_id = $3) AND ($4 IS NULL OR action = $4) AND \
                 ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at <= $6) AND \
                 ($7 IS NULL OR seq < $7) ORDER BY seq DESC LIMIT $8"
            );
            let rows: Vec<AuditRow> = sqlx::query_as(SQL)
                .bind(f.actor.map(|id| *id.as_uuid()))
                .bind(f.target)
                .bind(f.patient.map(|id| *id.as_uuid()))
                .bind(f.action.map(|a| a.as_str()))
                .bind(f.from.map(Timestamp::as_micros))
                .bind(f.to.map(Timestamp::as_micros))
                .bind(f.before_seq)
                .bind(i64::from(f.limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(AuditEvent::try_from).collect()
        }

        pub(crate) async fn audit_chain_page(
            c: &mut Conn,
            after_seq: i64,
            limit: u32,
        ) -> StoreResult<Vec<AuditEvent>> {
            const SQL: &str = concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            );
            let rows: Vec<AuditRow> = sqlx::query_as(SQL)
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(AuditEvent::try_from).collect()
        }

        // ---- roles ------------------------------------------------------------------------

        pub(crate) async fn seed_role(c: &mut Conn, role: &Role) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO roles (name, permissions, builtin) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(role.name.as_str())
            .bind(permissions_json(role))
            .bind(role.builtin)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn role(c: &mut Conn, name: &RoleName) -> StoreResult<Option<Role>> {
            let row: Option<RoleRow> =
                sqlx::query_as("SELECT name, permissions, builtin FROM roles WHERE name = $1")
                    .bind(name.as_str())
                    .fetch_optional(&mut *c)
                    .await?;
            row.map(Role::try_from).transpose()
        }

        pub(crate) async fn list_roles(c: &mut Conn) -> StoreResult<Vec<Role>> {
            let rows: Vec<RoleRow> =
                sqlx::query_as("SELECT name, permissions, builtin FROM roles ORDER BY name")
                    .fetch_all(&mut *c)
                    .await?;
            rows.into_iter().map(Role::try_from).collect()
        }

        // ---- users ------------------------------------------------------------------------

        macro_rules! user_columns {
            () => {
                "id, username, display_name, role, status, password_hash, created_at"
            };
        }

        pub(crate) async fn insert_user(c: &mut Conn, u: &User) -> StoreResult<()> {
            if role(c, &u.role).await?.is_none() {
                return Err(StoreError::NotFound("role"));
            }
            sqlx::query(
                "INSERT INTO users (id, username, display_name, role, status, password_hash, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(*u.id.as_uuid())
            .bind(u.username.as_str())
            .bind(u.display_name.as_str())
            .bind(u.role.as_str())
            .bind(u.status.as_str())
            .bind(&u.password_hash)
            .bind(u.created_at.as_micros())
            .execute(&mut *c)
            .await
            .map_err(|e| unique_as_conflict(e, "username is taken"))?;
            Ok(())
        }

        pub(crate) async fn user_by_id(c: &mut Conn, id: UserId) -> StoreResult<Option<User>> {
            const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
            let row: Option<UserRow> = sqlx::query_as(SQL)
                .bind(*id.as_uuid())
                .fetch_optional(&mut *c)
                .await?;
            row.map(User::try_from).transpose()
        }

        pub(crate) async fn user_by_username(
            c: &mut Conn,
            name: &Username,
        ) -> StoreResult<Option<User>> {
            const SQL: &str = concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE username = $1"
            );
            let row: Option<UserRow> = sqlx::query_as(SQL)
                .bind(name.as_str())
                .fetch_optional(&mut *c)
                .await?;
            row.map(User::try_from).transpose()
        }

        pub(crate) async fn list_users(c: &mut Conn) -> StoreResult<Vec<User>> {
            const SQL: &str = concat!("SELECT ", user_columns!(), " FROM users ORDER BY username");
            let rows: Vec<UserRow> = sqlx::query_as(SQL).fetch_all(&mut *c).await?;
            rows.into_iter().map(User::try_from).collect()
        }

        pub(crate) async fn set_user_status(
            c: &mut Conn,
            id: UserId,
            status: UserStatus,
            at: Timestamp,
        ) -> StoreResult<()> {
            let done = sqlx::query("UPDATE users SET status = $1 WHERE id = $2")
                .bind(status.as_str())
                .bind(*id.as_uuid())
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("user"));
            }
            if status == UserStatus::Disabled {
                sqlx::query(
                    "UPDATE sessions SET ended_at = $1, end_reason = $2 \
                     WHERE user_id = $3 AND ended_at IS NULL",
                )
                .bind(at.as_micros())
                .bind(EndReason::UserDisabled.as_str())
                .bind(*id.as_uuid())
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        }

        // ---- second factor ----------------------------------------------------------------

        pub(crate) async fn totp_factor(
            c: &mut Conn,
            user: UserId,
        ) -> StoreResult<Option<TotpFactor>> {
            let row: Option<TotpRow> = sqlx::query_as(
                "SELECT user_id, sealed_secret, confirmed, last_used_step, created_at \
                 FROM totp_factors WHERE user_id = $1",
            )
            .bind(*user.as_uuid())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.map(TotpFactor::from))
        }

        pub(crate) async fn put_pending_totp(c: &mut Conn, f: &TotpFactor) -> StoreResult<()> {
            if totp_factor(c, f.user_id)
                .await?
                .is_some_and(|old| old.confirmed)
            {
                return Err(StoreError::Conflict("a second factor is already enrolled"));
            }
            sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
                .bind(*f.user_id.as_uuid())
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO totp_factors (user_id, sealed_secret, confirmed, last_used_step, \
                 created_at) VALUES ($1, $2, $3, NULL, $4)",
            )
            .bind(*f.user_id.as_uuid())
            .bind(&f.sealed_secret)
            .bind(false)
            .bind(f.created_at.as_micros())
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn confirm_totp(c: &mut Conn, user: UserId, step: i64) -> StoreResult<()> {
            let done = sqlx::query(
                "UPDATE totp_factors SET confirmed = $1, last_used_step = $2 \
                 WHERE user_id = $3 AND confirmed = $4",
            )
            .bind(true)
            .bind(step)
            .bind(*user.as_uuid())
            .bind(false)
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "no second factor is waiting for confirmation",
                ));
            }
            Ok(())
        }

        /// Marks a TOTP step as used; Conflict if it is not later than the last one.
        pub(crate) async fn consume_totp_step(
            c: &mut Conn,
            user: UserId,
            step: i64,
        ) -> StoreResult<()> {
            let done = sqlx::query(
                "UPDATE totp_factors SET last_used_step = $1 WHERE user_id = $2 \
                 AND confirmed = $3 AND (last_used_step IS NULL OR last_used_step < $1)",
            )
            .bind(step)
            .bind(*user.as_uuid())
            .bind(true)
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("this one-time code was used already"));
            }
            Ok(())
        }

        pub(crate) async fn delete_totp(c: &mut Conn, user: UserId) -> StoreResult<()> {
            let done = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
                .bind(*user.as_uuid())
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("second factor"));
            }
            Ok(())
        }

        crate::queries_sessions::session_queries!();

        // ---- policy -----------------------------------------------------------------------

        pub(crate) async fn policy(c: &mut Conn) -> StoreResult<Policy> {
            let row: Option<(String,)> = sqlx::query_as("SELECT document FROM policy WHERE id = 1")
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some((doc,)) => {
                    serde_json::from_str(&doc).map_err(|_| StoreError::Corrupt("policy"))
                }
                None => Ok(Policy::default()),
            }
        }

        pub(crate) async fn put_policy(c: &mut Conn, p: &Policy, at: Timestamp) -> StoreResult<()> {
            let doc = serde_json::to_string(p).map_err(|_| StoreError::Corrupt("policy"))?;
            sqlx::query(
                "INSERT INTO policy (id, document, updated_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET document = $1, updated_at = $2",
            )
            .bind(doc)
            .bind(at.as_micros())
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        // ---- data keys --------------------------------------------------------------------

        macro_rules! key_columns {
            () => {
                "scope_kind, scope_id, epoch, root_key_id, wrapped, created_at"
            };
        }

        pub(crate) async fn data_key(
            c: &mut Conn,
            scope: KeyScope,
            epoch: Epoch,
        ) -> StoreResult<Option<DataKeyRecord>> {
            const SQL: &str = concat!(
                "SELECT ",
                key_columns!(),
                " FROM data_keys \
                 WHERE scope_kind = $1 AND scope_id = $2 AND epoch = $3"
            );
            let row: Option<DataKeyRow> = sqlx::query_as(SQL)
                .bind(scope.kind())
                .bind(scope.id())
                .bind(epoch.index())
                .fetch_optional(&mut *c)
                .await?;
            row.map(DataKeyRecord::try_from).transpose()
        }

        pub(crate) async fn insert_data_key(
            c: &mut Conn,
            r: &DataKeyRecord,
        ) -> StoreResult<DataKeyRecord> {
            sqlx::query(
                "INSERT INTO data_keys (scope_kind, scope_id, epoch, root_key_id, wrapped, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (scope_kind, scope_id, epoch) DO NOTHING",
            )
            .bind(r.scope.kind())
            .bind(r.scope.id())
            .bind(r.epoch.index())
            .bind(&r.wrapped.root_key_id)
            .bind(&r.wrapped.ciphertext)
            .bind(r.created_at.as_micros())
            .execute(&mut *c)
            .await?;
            data_key(c, r.scope, r.epoch)
                .await?
                .ok_or(StoreError::NotFound("data key"))
        }

        pub(crate) async fn all_data_keys(c: &mut Conn) -> StoreResult<Vec<DataKeyRecord>> {
            const SQL: &str = concat!(
                "SELECT ",
                key_columns!(),
                " FROM data_keys ORDER BY scope_kind, scope_id, epoch"
            );
            let rows: Vec<DataKeyRow> = sqlx::query_as(SQL).fetch_all(&mut *c).await?;
            rows.into_iter().map(DataKeyRecord::try_from).collect()
        }

        pub(crate) async fn update_wrapped_key(c: &mut Conn, r: &DataKeyRecord) -> StoreResult<()> {
            let done = sqlx::query(
                "UPDATE data_keys SET root_key_id = $1, wrapped = $2 \
                 WHERE scope_kind = $3 AND scope_id = $4 AND epoch = $5",
            )
            .bind(&r.wrapped.root_key_id)
            .bind(&r.wrapped.ciphertext)
            .bind(r.scope.kind())
            .bind(r.scope.id())
            .bind(r.epoch.index())
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("data key"));
            }
            Ok(())
        }

        pub(crate) async fn ping(c: &mut Conn) -> StoreResult<()> {
            let _: (i64,) = sqlx::query_as("SELECT CAST(1 AS BIGINT)")
                .fetch_one(&mut *c)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use define_queries;
