//! The reads of message versions, expiring messages, scheduled messages, break-glass grants
//! and alerts, instantiated per backend like [`crate::queries`].

macro_rules! define_workflow_queries {
    ($conn:ty) => {
        use uuid::Uuid;
        use ward_core::Timestamp;
        use ward_core::conversation::{MessageId, MessageVersion};
        use ward_core::id::{ConversationId, PatientId, UserId};
        use ward_core::oversight::{Alert, AlertId, BreakGlassGrant, GrantId};
        use ward_core::scheduled::{ScheduledId, ScheduledMessage};

        use crate::StoreResult;
        use crate::rows_workflow::{AlertRow, GrantRow, MessageVersionRow, ScheduledRow};

        pub(crate) type Conn = $conn;

        pub(crate) async fn message_versions(
            c: &mut Conn,
            message: MessageId,
        ) -> StoreResult<Vec<MessageVersion>> {
            let rows: Vec<MessageVersionRow> = sqlx::query_as(
                "SELECT message_id, version, epoch, sealed_body, replaced_at \
                 FROM message_versions WHERE message_id = $1 ORDER BY version",
            )
            .bind(message)
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(MessageVersion::from).collect())
        }

        /// Messages whose lifespan ended by `now` and that devices were not told about yet.
        pub(crate) async fn expiring_messages(
            c: &mut Conn,
            now: Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<(MessageId, ConversationId)>> {
            let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
                "SELECT id, conversation_id FROM messages WHERE expires_at IS NOT NULL \
                 AND expired_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
            )
            .bind(now.as_micros())
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(m, c)| (m, ConversationId::from_uuid(c)))
                .collect())
        }

        macro_rules! scheduled_columns {
            () => {
                "id, conversation_id, sender_id, session_id, client_id, priority, epoch, \
                 sealed_body, attachments, lifespan_secs, send_at, state, message_id, failure, \
                 created_at"
            };
        }

        pub(crate) async fn scheduled(
            c: &mut Conn,
            id: ScheduledId,
        ) -> StoreResult<Option<ScheduledMessage>> {
            const SQL: &str =
                concat!("SELECT ", scheduled_columns!(), " FROM scheduled_messages WHERE id = $1");
            let row: Option<ScheduledRow> =
                sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            row.map(ScheduledMessage::try_from).transpose()
        }

        pub(crate) async fn scheduled_by_client_id(
            c: &mut Conn,
            client_id: Uuid,
        ) -> StoreResult<Option<ScheduledMessage>> {
            const SQL: &str = concat!(
                "SELECT ", scheduled_columns!(), " FROM scheduled_messages WHERE client_id = $1"
            );
            let row: Option<ScheduledRow> =
                sqlx::query_as(SQL).bind(client_id).fetch_optional(&mut *c).await?;
            row.map(ScheduledMessage::try_from).transpose()
        }

        /// A sender's scheduled messages still pending, soonest first.
        pub(crate) async fn pending_scheduled_of(
            c: &mut Conn,
            sender: UserId,
        ) -> StoreResult<Vec<ScheduledMessage>> {
            const SQL: &str = concat!(
                "SELECT ", scheduled_columns!(), " FROM scheduled_messages \
                 WHERE sender_id = $1 AND state IN ('pending', 'sending') ORDER BY send_at"
            );
            let rows: Vec<ScheduledRow> =
                sqlx::query_as(SQL).bind(*sender.as_uuid()).fetch_all(&mut *c).await?;
            rows.into_iter().map(ScheduledMessage::try_from).collect()
        }

        /// Pending messages due by `now`, and claimed ones whose claim timed out.
        pub(crate) async fn due_scheduled(
            c: &mut Conn,
            now: Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<ScheduledMessage>> {
            const SQL: &str = concat!(
                "SELECT ", scheduled_columns!(), " FROM scheduled_messages \
                 WHERE (state = 'pending' AND send_at <= $1) \
                 OR (state = 'sending' AND send_at <= $3) ORDER BY send_at LIMIT $2"
            );
            let stale = now.minus_secs(ward_core::scheduled::CLAIM_TIMEOUT_SECS);
            let rows: Vec<ScheduledRow> = sqlx::query_as(SQL)
                .bind(now.as_micros())
                .bind(i64::from(limit))
                .bind(stale.as_micros())
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(ScheduledMessage::try_from).collect()
        }

        macro_rules! grant_columns {
            () => {
                "id, patient_id, user_id, conversation_id, epoch, sealed_reason, opened_at, \
                 ends_at, ended_at"
            };
        }

        pub(crate) async fn grant(
            c: &mut Conn,
            id: GrantId,
        ) -> StoreResult<Option<BreakGlassGrant>> {
            const SQL: &str = concat!("SELECT ", grant_columns!(), " FROM break_glass WHERE id = $1");
            let row: Option<GrantRow> = sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            Ok(row.map(BreakGlassGrant::from))
        }

        /// Grants still open whose time is up by `now`.
        pub(crate) async fn due_grants(
            c: &mut Conn,
            now: Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<BreakGlassGrant>> {
            const SQL: &str = concat!(
                "SELECT ", grant_columns!(), " FROM break_glass \
                 WHERE ended_at IS NULL AND ends_at <= $1 ORDER BY ends_at LIMIT $2"
            );
            let rows: Vec<GrantRow> = sqlx::query_as(SQL)
                .bind(now.as_micros())
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            Ok(rows.into_iter().map(BreakGlassGrant::from).collect())
        }

        /// Every grant for a patient, newest first.
        pub(crate) async fn grants_for_patient(
            c: &mut Conn,
            patient: PatientId,
        ) -> StoreResult<Vec<BreakGlassGrant>> {
            const SQL: &str = concat!(
                "SELECT ", grant_columns!(), " FROM break_glass WHERE patient_id = $1 \
                 ORDER BY opened_at DESC"
            );
            let rows: Vec<GrantRow> =
                sqlx::query_as(SQL).bind(*patient.as_uuid()).fetch_all(&mut *c).await?;
            Ok(rows.into_iter().map(BreakGlassGrant::from).collect())
        }

        macro_rules! alert_columns {
            () => {
                "id, kind, subject_id, patient_id, audit_seq, raised_at, acknowledged_by, \
                 acknowledged_at, evidence"
            };
        }

        pub(crate) async fn alert(c: &mut Conn, id: AlertId) -> StoreResult<Option<Alert>> {
            const SQL: &str = concat!("SELECT ", alert_columns!(), " FROM alerts WHERE id = $1");
            let row: Option<AlertRow> = sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            row.map(Alert::try_from).transpose()
        }

        /// The newest alerts, optionally only those not acknowledged yet.
        pub(crate) async fn alerts(
            c: &mut Conn,
            open_only: bool,
            limit: u32,
        ) -> StoreResult<Vec<Alert>> {
            const SQL: &str = concat!(
                "SELECT ", alert_columns!(), " FROM alerts \
                 WHERE ($1 = 0 OR acknowledged_at IS NULL) ORDER BY raised_at DESC LIMIT $2"
            );
            let rows: Vec<AlertRow> = sqlx::query_as(SQL)
                .bind(i64::from(open_only))
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(Alert::try_from).collect()
        }
    };
}

pub(crate) use define_workflow_queries;
