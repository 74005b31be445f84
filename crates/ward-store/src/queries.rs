//! The read side of the SQL, written once and instantiated per backend (readers run on sqlx on
//! both) by [`define_queries!`]. The two schemas differ only in column types (see
//! `migrations/`), so the statements are the same. Writes are in [`crate::sql`], run by each
//! backend's writer.

macro_rules! define_queries {
    ($conn:ty) => {
        use ward_core::Timestamp;
        use ward_core::audit::{AuditEvent, AuditFilter};
        use ward_core::id::{SessionId, UserId};
        use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};
        use ward_core::policy::Policy;
        use ward_core::role::{Role, RoleName};
        use ward_core::session::Session;
        use ward_core::user::{User, Username};

        use crate::rows::{
            AuditRow, DataKeyRow, RoleRow, SessionRow, TotpRow, UserRow, permissions_json,
        };
        use crate::{FailureCounts, StoreError, StoreResult, TotpFactor};

        type Conn = $conn;

        // ---- audit ------------------------------------------------------------------------

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
                "id, username, display_name, role, status, password_hash, created_at, \
                 sealed_display_name"
            };
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

        // ---- data keys --------------------------------------------------------------------

        macro_rules! key_columns {
            () => {
                "scope_kind, scope_id, epoch, root_key_id, wrapped, created_at"
            };
        }

        #[allow(dead_code)] // only PostgreSQL keeps data keys in the database
        pub(crate) async fn data_key(
            c: &mut Conn,
            scope: KeyScope,
            epoch: Epoch,
        ) -> StoreResult<Option<DataKeyRecord>> {
            let row: Option<DataKeyRow> = sqlx::query_as(crate::sql::DATA_KEY)
                .bind(scope.kind())
                .bind(scope.id())
                .bind(epoch.index())
                .fetch_optional(&mut *c)
                .await?;
            row.map(DataKeyRecord::try_from).transpose()
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

        pub(crate) async fn ping(c: &mut Conn) -> StoreResult<()> {
            let _: (i64,) = sqlx::query_as("SELECT CAST(1 AS BIGINT)")
                .fetch_one(&mut *c)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use define_queries;
