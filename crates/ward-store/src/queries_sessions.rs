//! Sessions and sign-in throttling: part of [`crate::queries`], expanded inside its module so
//! it shares the backend's connection type and imports.

macro_rules! session_queries {
    () => {
        // ---- sessions ---------------------------------------------------------------------

        macro_rules! session_columns {
            () => {
                "id, user_id, token_hash, device_name, scope, address, \
             created_at, last_seen_at, expires_at, ended_at, end_reason, wipe_requested_at, \
             wipe_confirmed_at"
            };
        }

        pub(crate) async fn insert_session(c: &mut Conn, s: &Session) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO sessions (id, user_id, token_hash, device_name, scope, address, \
                 created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(*s.id.as_uuid())
            .bind(*s.user_id.as_uuid())
            .bind(s.token_hash.to_vec())
            .bind(s.device_name.as_str())
            .bind(s.scope.as_str())
            .bind(s.address.as_deref())
            .bind(s.created_at.as_micros())
            .bind(s.last_seen_at.as_micros())
            .bind(s.expires_at.as_micros())
            .execute(&mut *c)
            .await
            .map_err(|e| unique_as_conflict(e, "session exists"))?;
            Ok(())
        }

        pub(crate) async fn session_by_token(
            c: &mut Conn,
            hash: &[u8; 32],
        ) -> StoreResult<Option<Session>> {
            const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE token_hash = $1");
            let row: Option<SessionRow> =
                sqlx::query_as(SQL).bind(hash.to_vec()).fetch_optional(&mut *c).await?;
            row.map(Session::try_from).transpose()
        }

        pub(crate) async fn session_by_id(
            c: &mut Conn,
            id: SessionId,
        ) -> StoreResult<Option<Session>> {
            const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE id = $1");
            let row: Option<SessionRow> =
                sqlx::query_as(SQL).bind(*id.as_uuid()).fetch_optional(&mut *c).await?;
            row.map(Session::try_from).transpose()
        }

        pub(crate) async fn list_sessions(c: &mut Conn, user: UserId) -> StoreResult<Vec<Session>> {
            const SQL: &str = concat!("SELECT ", session_columns!(), " FROM sessions WHERE user_id = $1 AND ended_at IS NULL \
                 ORDER BY created_at DESC");
            let rows: Vec<SessionRow> =
                sqlx::query_as(SQL).bind(*user.as_uuid()).fetch_all(&mut *c).await?;
            rows.into_iter().map(Session::try_from).collect()
        }

        pub(crate) async fn touch_session(
            c: &mut Conn,
            id: SessionId,
            at: Timestamp,
        ) -> StoreResult<()> {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1 \
                 AND ended_at IS NULL",
            )
            .bind(at.as_micros())
            .bind(*id.as_uuid())
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn end_session(
            c: &mut Conn,
            id: SessionId,
            at: Timestamp,
            reason: EndReason,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE sessions SET ended_at = $1, end_reason = $2 \
                 WHERE id = $3 AND ended_at IS NULL",
            )
            .bind(at.as_micros())
            .bind(reason.as_str())
            .bind(*id.as_uuid())
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn request_wipe(
            c: &mut Conn,
            id: SessionId,
            at: Timestamp,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE sessions SET wipe_requested_at = $1 WHERE id = $2 AND ended_at IS NULL \
                 AND wipe_requested_at IS NULL",
            )
            .bind(at.as_micros())
            .bind(*id.as_uuid())
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn confirm_wipe(
            c: &mut Conn,
            id: SessionId,
            at: Timestamp,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE sessions SET wipe_confirmed_at = $1, ended_at = $1, end_reason = $2 \
                 WHERE id = $3 AND ended_at IS NULL AND wipe_requested_at IS NOT NULL",
            )
            .bind(at.as_micros())
            .bind(EndReason::Wiped.as_str())
            .bind(*id.as_uuid())
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn set_session_scope(
            c: &mut Conn,
            id: SessionId,
            scope: SessionScope,
        ) -> StoreResult<()> {
            sqlx::query("UPDATE sessions SET scope = $1 WHERE id = $2")
                .bind(scope.as_str())
                .bind(*id.as_uuid())
                .execute(&mut *c)
                .await?;
            Ok(())
        }

        // ---- sign-in throttling ------------------------------------------------------------

        /// Failures older than this are pruned; no policy window may be longer.
        const FAILURE_RETENTION_SECS: i64 = 7 * 24 * 3600;

        pub(crate) async fn insert_login_failure(
            c: &mut Conn,
            username: &str,
            address: Option<&str>,
            at: Timestamp,
        ) -> StoreResult<()> {
            sqlx::query("INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)")
                .bind(username)
                .bind(address)
                .bind(at.as_micros())
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(at.minus_secs(FAILURE_RETENTION_SECS).as_micros())
                .execute(&mut *c)
                .await?;
            Ok(())
        }

        pub(crate) async fn login_failures(
            c: &mut Conn,
            username: &str,
            address: Option<&str>,
            since: Timestamp,
        ) -> StoreResult<FailureCounts> {
            let (account,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2",
            )
            .bind(username)
            .bind(since.as_micros())
            .fetch_one(&mut *c)
            .await?;
            let (by_address,): (i64,) = match address {
                Some(address) => {
                    sqlx::query_as(
                        "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at >= $2",
                    )
                    .bind(address)
                    .bind(since.as_micros())
                    .fetch_one(&mut *c)
                    .await?
                }
                None => (0,),
            };
            Ok(FailureCounts {
                account: u32::try_from(account).unwrap_or(u32::MAX),
                address: u32::try_from(by_address).unwrap_or(u32::MAX),
            })
        }
    };
}

pub(crate) use session_queries;
