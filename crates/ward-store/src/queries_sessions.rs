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

        // ---- sign-in throttling ------------------------------------------------------------

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

        pub(crate) async fn signed_in_from(
            c: &mut Conn,
            user: UserId,
            address: &str,
            since: Timestamp,
        ) -> StoreResult<bool> {
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT created_at FROM sessions WHERE user_id = $1 AND address = $2 \
                 AND created_at >= $3 LIMIT 1",
            )
            .bind(*user.as_uuid())
            .bind(address)
            .bind(since.as_micros())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.is_some())
        }
    };
}

pub(crate) use session_queries;
