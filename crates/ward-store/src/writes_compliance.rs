//! The writes of compliance records, written once and expanded into each backend's writer
//! module over its `run` primitive, like [`crate::writes_workflow`].

macro_rules! compliance_writes {
    () => {
        /// Keeps a checkpoint unless one for its seq exists.
        pub(crate) async fn insert_checkpoint(
            c: &mut Conn,
            checkpoint: &ward_core::audit::AuditCheckpoint,
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Int(Some(checkpoint.seq)),
                crate::sql::Arg::Bytes(Some(checkpoint.head.to_vec())),
                crate::sql::Arg::Int(Some(checkpoint.signed_at.as_micros())),
                crate::sql::Arg::Bytes(Some(checkpoint.public_key.to_vec())),
                crate::sql::Arg::Bytes(Some(checkpoint.signature.to_vec())),
            ];
            Ok(run(c, sql::INSERT_CHECKPOINT, &args).await? == 1)
        }

        /// Sets or clears a conversation's own retention; false if there is no such
        /// conversation.
        pub(crate) async fn set_retention(
            c: &mut Conn,
            conversation: ward_core::id::ConversationId,
            secs: Option<i64>,
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Id(Some(*conversation.as_uuid())),
                crate::sql::Arg::Int(secs),
            ];
            Ok(run(c, sql::SET_RETENTION, &args).await? == 1)
        }

        /// Destroys a conversation epoch's data key and records that it was; false if it was
        /// already.
        pub(crate) async fn shred_epoch(
            c: &mut Conn,
            conversation: ward_core::id::ConversationId,
            epoch: ward_core::keys::Epoch,
            at: Timestamp,
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Id(Some(*conversation.as_uuid())),
                crate::sql::Arg::Int(Some(epoch.index())),
            ];
            run(c, sql::DESTROY_DATA_KEY, &args).await?;
            let args = [
                crate::sql::Arg::Id(Some(*conversation.as_uuid())),
                crate::sql::Arg::Int(Some(epoch.index())),
                crate::sql::Arg::Int(Some(at.as_micros())),
            ];
            Ok(run(c, sql::RECORD_SHRED, &args).await? == 1)
        }

        pub(crate) async fn place_hold(
            c: &mut Conn,
            hold: &ward_core::retention::LegalHold,
        ) -> StoreResult<()> {
            use crate::sql::Arg;
            let args = [
                Arg::Id(Some(hold.id)),
                Arg::Text(Some(hold.scope.as_str().to_owned())),
                Arg::Id(Some(hold.subject_id)),
                Arg::Int(Some(hold.epoch.index())),
                Arg::Bytes(Some(hold.sealed_reason.clone())),
                Arg::Id(Some(*hold.placed_by.as_uuid())),
                Arg::Int(Some(hold.placed_at.as_micros())),
            ];
            run(c, sql::PLACE_HOLD, &args).await?;
            Ok(())
        }

        /// Releases a hold; false if there is none or it was released already.
        pub(crate) async fn release_hold(
            c: &mut Conn,
            hold: ward_core::retention::HoldId,
            by: ward_core::id::UserId,
            at: Timestamp,
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Id(Some(hold)),
                crate::sql::Arg::Id(Some(*by.as_uuid())),
                crate::sql::Arg::Int(Some(at.as_micros())),
            ];
            Ok(run(c, sql::RELEASE_HOLD, &args).await? == 1)
        }
    };
}

pub(crate) use compliance_writes;
