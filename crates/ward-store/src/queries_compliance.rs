//! The reads of audit checkpoints, instantiated per backend like [`crate::queries`].

macro_rules! define_compliance_queries {
    ($conn:ty) => {
        use uuid::Uuid;
        use ward_core::Timestamp;
        use ward_core::audit::{AuditCheckpoint, ChainHash};
        use ward_core::conversation::ConversationKind;
        use ward_core::id::{ConversationId, PatientId, UserId};
        use ward_core::keys::{Epoch, KeyScope};
        use ward_core::retention::{EpochCandidate, HoldId, HoldScope, LegalHold};

        use crate::{StoreError, StoreResult};

        pub(crate) type Conn = $conn;

        pub(crate) async fn audit_head(c: &mut Conn) -> StoreResult<Option<(i64, ChainHash)>> {
            let row: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *c)
                    .await?;
            row.map(|(seq, hash)| {
                let hash = hash
                    .try_into()
                    .map_err(|_| StoreError::CorruptAudit { seq })?;
                Ok((seq, hash))
            })
            .transpose()
        }

        pub(crate) async fn checkpoints(c: &mut Conn) -> StoreResult<Vec<AuditCheckpoint>> {
            let rows: Vec<(i64, Vec<u8>, i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
                "SELECT seq, head_hash, signed_at, public_key, signature \
                 FROM audit_checkpoints ORDER BY seq",
            )
            .fetch_all(&mut *c)
            .await?;
            // A field of the wrong length cannot verify: it is kept as zeros, which the
            // verifier reports as a forged checkpoint at that seq.
            Ok(rows
                .into_iter()
                .map(|(seq, head, signed_at, key, signature)| AuditCheckpoint {
                    seq,
                    head: head.try_into().unwrap_or([0; 32]),
                    signed_at: Timestamp::from_micros(signed_at),
                    public_key: key.try_into().unwrap_or([0; 32]),
                    signature: signature.try_into().unwrap_or([0; 64]),
                })
                .collect())
        }

        pub(crate) async fn disposal_candidates(c: &mut Conn) -> StoreResult<Vec<EpochCandidate>> {
            type Row = (Uuid, String, Option<Uuid>, Option<i64>, i64, i64, i64);
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT m.conversation_id, c.kind, c.patient_id, c.retention_secs, m.epoch, \
                 MAX(m.created_at), COUNT(*) FROM messages m \
                 JOIN conversations c ON c.id = m.conversation_id \
                 WHERE NOT EXISTS (SELECT 1 FROM shredded_keys k \
                   WHERE k.scope_kind = 'conversation' AND k.scope_id = m.conversation_id \
                   AND k.epoch = m.epoch) \
                 GROUP BY m.conversation_id, c.kind, c.patient_id, c.retention_secs, m.epoch",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.into_iter()
                .map(|(id, kind, patient, retention, epoch, last, messages)| {
                    Ok(EpochCandidate {
                        conversation_id: ConversationId::from_uuid(id),
                        kind: ConversationKind::parse(&kind)
                            .map_err(|_| StoreError::Corrupt("conversation"))?,
                        patient_id: patient.map(PatientId::from_uuid),
                        retention_secs: retention,
                        epoch: Epoch::from_index(epoch),
                        last_sent_at: Timestamp::from_micros(last),
                        messages,
                    })
                })
                .collect()
        }

        pub(crate) async fn epoch_senders(
            c: &mut Conn,
            conversation: ConversationId,
            epoch: Epoch,
        ) -> StoreResult<Vec<UserId>> {
            let rows: Vec<(Uuid,)> = sqlx::query_as(
                "SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND epoch = $2",
            )
            .bind(*conversation.as_uuid())
            .bind(epoch.index())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows.into_iter().map(|(id,)| UserId::from_uuid(id)).collect())
        }

        pub(crate) async fn shredded_since(
            c: &mut Conn,
            since: Timestamp,
        ) -> StoreResult<Vec<(ConversationId, Epoch)>> {
            let rows: Vec<(Uuid, i64)> = sqlx::query_as(
                "SELECT scope_id, epoch FROM shredded_keys \
                 WHERE scope_kind = 'conversation' AND shredded_at >= $1",
            )
            .bind(since.as_micros())
            .fetch_all(&mut *c)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, epoch)| (ConversationId::from_uuid(id), Epoch::from_index(epoch)))
                .collect())
        }

        pub(crate) async fn key_shredded(
            c: &mut Conn,
            scope: KeyScope,
            epoch: Epoch,
        ) -> StoreResult<bool> {
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT epoch FROM shredded_keys WHERE scope_kind = $1 AND scope_id = $2 \
                 AND epoch = $3",
            )
            .bind(scope.kind())
            .bind(scope.id())
            .bind(epoch.index())
            .fetch_optional(&mut *c)
            .await?;
            Ok(row.is_some())
        }

        type HoldRow = (
            Uuid,
            String,
            Uuid,
            i64,
            Vec<u8>,
            Uuid,
            i64,
            Option<Uuid>,
            Option<i64>,
        );

        fn hold(row: HoldRow) -> StoreResult<LegalHold> {
            let (id, scope, subject, epoch, reason, by, at, released_by, released_at) = row;
            Ok(LegalHold {
                id,
                scope: HoldScope::parse(&scope).map_err(|_| StoreError::Corrupt("legal hold"))?,
                subject_id: subject,
                epoch: Epoch::from_index(epoch),
                sealed_reason: reason,
                placed_by: UserId::from_uuid(by),
                placed_at: Timestamp::from_micros(at),
                released_by: released_by.map(UserId::from_uuid),
                released_at: released_at.map(Timestamp::from_micros),
            })
        }

        macro_rules! hold_columns {
            () => {
                "id, scope, subject_id, epoch, sealed_reason, placed_by, placed_at, \
                 released_by, released_at"
            };
        }

        pub(crate) async fn legal_hold(c: &mut Conn, id: HoldId) -> StoreResult<Option<LegalHold>> {
            const SQL: &str =
                concat!("SELECT ", hold_columns!(), " FROM legal_holds WHERE id = $1");
            let row: Option<HoldRow> = sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?;
            row.map(hold).transpose()
        }

        pub(crate) async fn legal_holds(
            c: &mut Conn,
            active_only: bool,
        ) -> StoreResult<Vec<LegalHold>> {
            const SQL: &str = concat!(
                "SELECT ",
                hold_columns!(),
                " FROM legal_holds WHERE ($1 = 0 OR released_at IS NULL) \
                 ORDER BY placed_at DESC LIMIT 1000"
            );
            let rows: Vec<HoldRow> = sqlx::query_as(SQL)
                .bind(i64::from(active_only))
                .fetch_all(&mut *c)
                .await?;
            rows.into_iter().map(hold).collect()
        }
    };
}

pub(crate) use define_compliance_queries;
