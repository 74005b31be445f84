//! The write-path logic both backends share, written once and expanded into each backend's
//! writer module (`postgres/writes.rs`, `sqlite/writes.rs`) over that module's primitives:
//! `audit_head`, `insert_audit`, `is_member`, `insert_membership`, `end_membership`,
//! `append_event` and `active_members`.

macro_rules! shared_writes {
    () => {
        /// Appends `event` to the audit chain inside the caller's transaction.
        pub(crate) async fn append_audit(
            c: &mut Conn,
            hasher: &dyn ward_core::audit::ChainHasher,
            event: &ward_core::audit::NewAuditEvent,
        ) -> StoreResult<i64> {
            let (prev_seq, prev_hash) = match audit_head(c).await? {
                Some((seq, hash)) => (
                    seq,
                    hash.try_into()
                        .map_err(|_| StoreError::CorruptAudit { seq })?,
                ),
                None => (0, ward_core::audit::GENESIS_HASH),
            };
            let seq = prev_seq + 1;
            let hash = hasher.link(&prev_hash, &ward_core::audit::canonical_bytes(seq, event));
            insert_audit(c, seq, event, &prev_hash, &hash).await?;
            Ok(seq)
        }

        /// Creates or changes a custom role; false (nothing written) if the name is a
        /// built-in role's.
        pub(crate) async fn put_role(
            c: &mut Conn,
            role: &ward_core::role::Role,
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Text(Some(role.name.as_str().to_owned())),
                crate::sql::Arg::Text(Some(crate::rows::permissions_json(role))),
            ];
            Ok(run(c, crate::sql::PUT_ROLE, &args).await? == 1)
        }

        /// Seals a display name stored plain (by an earlier version): the plain column keeps
        /// only the placeholder. False (nothing written) if the account's name is sealed
        /// already, or there is no such account.
        pub(crate) async fn seal_display_name(
            c: &mut Conn,
            user: ward_core::id::UserId,
            sealed: &[u8],
        ) -> StoreResult<bool> {
            let args = [
                crate::sql::Arg::Text(Some(ward_core::user::SEALED_DISPLAY_NAME.to_owned())),
                crate::sql::Arg::Bytes(Some(sealed.to_vec())),
                crate::sql::Arg::Id(Some(*user.as_uuid())),
            ];
            Ok(run(c, crate::sql::SEAL_DISPLAY_NAME, &args).await? == 1)
        }

        /// Adds members (those already in are skipped) under one `conversation.updated` event.
        pub(crate) async fn add_members(
            c: &mut Conn,
            conversation: ConversationId,
            users: &[UserId],
            at: Timestamp,
        ) -> StoreResult<Option<Committed>> {
            let mut fresh = Vec::new();
            for user in users {
                if !is_member(c, conversation, *user).await? && !fresh.contains(user) {
                    fresh.push(*user);
                }
            }
            if fresh.is_empty() {
                return Ok(None);
            }
            let event = append_event(
                c,
                conversation,
                EventKind::ConversationUpdated,
                None,
                None,
                at,
            )
            .await?;
            for user in &fresh {
                insert_membership(c, conversation, *user, event.seq, at).await?;
            }
            let recipients = active_members(c, conversation).await?;
            Ok(Some(Committed { event, recipients }))
        }

        /// Ends a membership; the removed member receives the removal event and nothing after.
        pub(crate) async fn remove_member(
            c: &mut Conn,
            conversation: ConversationId,
            user: UserId,
            at: Timestamp,
        ) -> StoreResult<Option<Committed>> {
            if !is_member(c, conversation, user).await? {
                return Ok(None);
            }
            let event = append_event(
                c,
                conversation,
                EventKind::MemberRemoved,
                None,
                Some(user),
                at,
            )
            .await?;
            end_membership(c, conversation, user, event.seq).await?;
            let mut recipients = active_members(c, conversation).await?;
            recipients.push(user);
            Ok(Some(Committed { event, recipients }))
        }
    };
}

pub(crate) use shared_writes;
