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
    };
}

pub(crate) use compliance_writes;
