//! The reads of privileged-change requests, instantiated per backend like [`crate::queries`].

macro_rules! define_approval_queries {
    ($conn:ty) => {
        use ward_core::Timestamp;
        use ward_core::id::UserId;
        use ward_core::privileged::{ChangeId, ChangeState, PrivilegedChange};

        use crate::StoreResult;
        use crate::rows_approvals::ChangeRow;

        pub(crate) type Conn = $conn;

        macro_rules! change_columns {
            () => {
                "id, kind, subject_id, username, display_name, role, password_hash, \
                 requested_by, requested_at, expires_at, state, decided_by, decided_at"
            };
        }

        pub(crate) async fn privileged_change(
            c: &mut Conn,
            id: ChangeId,
        ) -> StoreResult<Option<PrivilegedChange>> {
            const SQL: &str = concat!(
                "SELECT ",
                change_columns!(),
                " FROM privileged_changes WHERE id = $1"
            );
            let row: Option<ChangeRow> =
                sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            row.map(PrivilegedChange::try_from).transpose()
        }

        /// Requests, newest first, optionally of one requester or in one state at `now` (a
        /// pending request past its time reads as expired).
        pub(crate) async fn privileged_changes(
            c: &mut Conn,
            requested_by: Option<UserId>,
            state: Option<ChangeState>,
            now: Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<PrivilegedChange>> {
            const SQL: &str = concat!(
                "SELECT ",
                change_columns!(),
                " FROM privileged_changes \
                 WHERE ($1 IS NULL OR requested_by = $1) AND ($2 IS NULL OR \
                 (CASE WHEN state = 'pending' AND expires_at <= $3 THEN 'expired' \
                 ELSE state END) = $2) ORDER BY requested_at DESC LIMIT $4"
            );
            let rows: Vec<ChangeRow> = sqlx::query_as(SQL)
                .bind(requested_by.map(|u| *u.as_uuid()))
                .bind(state.map(ChangeState::as_str))
                .bind(now.as_micros())
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(PrivilegedChange::try_from).collect()
        }
    };
}

pub(crate) use define_approval_queries;
