//! The writes of message edits, recalls and lifespans, scheduled sends, break-glass grants
//! and alerts: written once and expanded into each backend's writer module over two
//! primitives it provides, `run` (a statement with [`crate::sql::Arg`]s; rows changed) and
//! `count` (the single integer a statement selects), and `store_conflict` (a unique violation
//! as [`crate::StoreError::Conflict`]).

macro_rules! workflow_writes {
    () => {
        use crate::sql::Arg;

        fn id(value: impl Into<uuid::Uuid>) -> Arg {
            Arg::Id(Some(value.into()))
        }

        fn at(value: Timestamp) -> Arg {
            Arg::Int(Some(value.as_micros()))
        }

        /// Replaces a message's body, keeping the one it had as a version; false unless
        /// `sender` sent it and it is neither recalled nor expired.
        pub(crate) async fn edit_message(
            c: &mut Conn,
            message: MessageId,
            sender: UserId,
            epoch: ward_core::keys::Epoch,
            sealed_body: &[u8],
            when: Timestamp,
        ) -> StoreResult<bool> {
            let version = count(c, sql::COUNT_VERSIONS, &[id(message)]).await? + 1;
            let args = [
                id(message),
                Arg::Int(Some(version)),
                at(when),
                id(*sender.as_uuid()),
            ];
            if run(c, sql::KEEP_VERSION, &args).await? != 1 {
                return Ok(false);
            }
            let args = [
                id(message),
                Arg::Int(Some(epoch.index())),
                Arg::Bytes(Some(sealed_body.to_vec())),
                at(when),
            ];
            run(c, sql::REPLACE_BODY, &args).await?;
            Ok(true)
        }

        /// Appends the event of a change `user` made to a message at `when`, and its audit
        /// event; the event with the members who see it.
        pub(crate) async fn message_changed(
            c: &mut Conn,
            hasher: &dyn ward_core::audit::ChainHasher,
            kind: EventKind,
            (conversation, message, user, when): (ConversationId, MessageId, UserId, Timestamp),
            audit: &ward_core::audit::NewAuditEvent,
        ) -> StoreResult<Committed> {
            let event =
                append_event(c, conversation, kind, Some(message), Some(user), when).await?;
            let recipients = active_members(c, conversation).await?;
            append_audit(c, hasher, audit).await?;
            Ok(Committed { event, recipients })
        }

        /// Recalls a message; false unless `sender` sent it and it is still readable.
        pub(crate) async fn recall_message(
            c: &mut Conn,
            message: MessageId,
            sender: UserId,
            when: Timestamp,
        ) -> StoreResult<bool> {
            let args = [id(message), at(when), id(*sender.as_uuid())];
            if run(c, sql::RECALL_MESSAGE, &args).await? != 1 {
                return Ok(false);
            }
            run(c, sql::WITHDRAW_ESCALATION, &[id(message)]).await?;
            Ok(true)
        }

        /// Marks a message expired; false if it was already.
        pub(crate) async fn expire_message(
            c: &mut Conn,
            message: MessageId,
            when: Timestamp,
        ) -> StoreResult<bool> {
            if run(c, sql::EXPIRE_MESSAGE, &[id(message), at(when)]).await? != 1 {
                return Ok(false);
            }
            run(c, sql::WITHDRAW_ESCALATION, &[id(message)]).await?;
            Ok(true)
        }

        pub(crate) async fn set_lifespan(
            c: &mut Conn,
            conversation: ConversationId,
            secs: Option<i64>,
        ) -> StoreResult<bool> {
            let args = [id(*conversation.as_uuid()), Arg::Int(secs)];
            Ok(run(c, sql::SET_LIFESPAN, &args).await? == 1)
        }

        pub(crate) async fn insert_scheduled(
            c: &mut Conn,
            s: &ward_core::scheduled::ScheduledMessage,
        ) -> StoreResult<()> {
            let attachments = s
                .attachments
                .iter()
                .map(uuid::Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let args = [
                id(s.id),
                id(*s.conversation_id.as_uuid()),
                id(*s.sender_id.as_uuid()),
                id(*s.session_id.as_uuid()),
                id(s.client_id),
                Arg::Text(Some(s.priority.as_str().to_owned())),
                Arg::Int(Some(s.epoch.index())),
                Arg::Bytes(Some(s.sealed_body.clone())),
                Arg::Text(Some(attachments)),
                Arg::Int(s.lifespan_secs),
                at(s.send_at),
                at(s.created_at),
            ];
            run(c, sql::INSERT_SCHEDULED, &args)
                .await
                .map_err(|e| store_conflict(e, "this client_id was used already"))?;
            Ok(())
        }

        /// Cancels a pending scheduled message of `sender`'s; false if there is none.
        pub(crate) async fn cancel_scheduled(
            c: &mut Conn,
            scheduled: ward_core::scheduled::ScheduledId,
            sender: UserId,
        ) -> StoreResult<bool> {
            let args = [id(scheduled), id(*sender.as_uuid())];
            Ok(run(c, sql::CANCEL_SCHEDULED, &args).await? == 1)
        }

        /// Claims a due scheduled message for sending; false if it was cancelled or finished.
        pub(crate) async fn claim_scheduled(
            c: &mut Conn,
            scheduled: ward_core::scheduled::ScheduledId,
        ) -> StoreResult<bool> {
            Ok(run(c, sql::CLAIM_SCHEDULED, &[id(scheduled)]).await? == 1)
        }

        /// Records what became of a claimed scheduled message; false if it was not being sent
        /// (finished by another node).
        pub(crate) async fn finish_scheduled(
            c: &mut Conn,
            scheduled: ward_core::scheduled::ScheduledId,
            state: ward_core::scheduled::ScheduledState,
            message: Option<MessageId>,
            failure: Option<&str>,
        ) -> StoreResult<bool> {
            let args = [
                id(scheduled),
                Arg::Text(Some(state.as_str().to_owned())),
                Arg::Id(message),
                Arg::Text(failure.map(str::to_owned)),
            ];
            Ok(run(c, sql::FINISH_SCHEDULED, &args).await? == 1)
        }

        pub(crate) async fn insert_grant(
            c: &mut Conn,
            g: &ward_core::oversight::BreakGlassGrant,
        ) -> StoreResult<()> {
            let args = [
                id(g.id),
                id(*g.patient_id.as_uuid()),
                id(*g.user_id.as_uuid()),
                id(*g.conversation_id.as_uuid()),
                Arg::Int(Some(g.epoch.index())),
                Arg::Bytes(Some(g.sealed_reason.clone())),
                at(g.opened_at),
                at(g.ends_at),
            ];
            run(c, sql::INSERT_GRANT, &args).await?;
            Ok(())
        }

        /// Ends a grant; false if it had ended already.
        pub(crate) async fn end_grant(
            c: &mut Conn,
            grant: ward_core::oversight::GrantId,
            when: Timestamp,
        ) -> StoreResult<bool> {
            Ok(run(c, sql::END_GRANT, &[id(grant), at(when)]).await? == 1)
        }

        /// Whether `user` belongs in the patient's care-team thread without the grant that
        /// just ended: on the care team, or holding another open grant.
        pub(crate) async fn still_entitled(
            c: &mut Conn,
            patient: PatientId,
            user: UserId,
        ) -> StoreResult<bool> {
            let args = [id(*patient.as_uuid()), id(*user.as_uuid())];
            Ok(count(c, sql::STILL_ENTITLED, &args).await? > 0)
        }

        /// Raises an alert; false if one of its kind was raised by the same event already
        /// (another node's monitor saw it first).
        pub(crate) async fn insert_alert(
            c: &mut Conn,
            a: &ward_core::oversight::Alert,
        ) -> StoreResult<bool> {
            let evidence: Vec<String> = a.evidence.iter().map(i64::to_string).collect();
            let args = [
                id(a.id),
                Arg::Text(Some(a.kind.as_str().to_owned())),
                Arg::Id(a.subject_id.map(|u| *u.as_uuid())),
                Arg::Id(a.patient_id.map(|p| *p.as_uuid())),
                Arg::Int(Some(a.audit_seq)),
                at(a.raised_at),
                Arg::Text(Some(evidence.join(","))),
            ];
            Ok(run(c, sql::INSERT_ALERT, &args).await? == 1)
        }

        /// Acknowledges an alert; false if there is none or it was acknowledged already.
        pub(crate) async fn acknowledge_alert(
            c: &mut Conn,
            alert: ward_core::oversight::AlertId,
            by: UserId,
            when: Timestamp,
        ) -> StoreResult<bool> {
            let args = [id(alert), id(*by.as_uuid()), at(when)];
            Ok(run(c, sql::ACKNOWLEDGE_ALERT, &args).await? == 1)
        }
    };
}

pub(crate) use workflow_writes;
