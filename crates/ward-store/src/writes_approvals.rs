//! The writes of privileged-change requests, written once and expanded into each backend's
//! writer module over its `run` primitive, like [`crate::writes_compliance`]. The statements
//! live here rather than in [`crate::sql`], beside the only code that runs them.

/// Records a pending request. The password is only ever its Argon2id hash.
pub(crate) const INSERT_PRIVILEGED_CHANGE: &str = "INSERT INTO privileged_changes (id, kind, \
     subject_id, username, display_name, role, password_hash, requested_by, requested_at, \
     expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')";
/// Decides a request still pending and not expired at `$4`; the hash a request for a new
/// account held is not kept once it is decided.
pub(crate) const DECIDE_PRIVILEGED_CHANGE: &str = "UPDATE privileged_changes SET state = $2, \
     decided_by = $3, decided_at = $4, password_hash = NULL \
     WHERE id = $1 AND state = 'pending' AND expires_at > $4";

macro_rules! approval_writes {
    () => {
        /// Records a pending privileged-change request.
        pub(crate) async fn insert_privileged_change(
            c: &mut Conn,
            request: &ward_core::privileged::PrivilegedChange,
        ) -> StoreResult<()> {
            use crate::sql::Arg;
            use ward_core::privileged::Change;
            let account = match &request.change {
                Change::CreateUser(account) => Some(account),
                Change::ResetTotp => None,
            };
            let args = [
                Arg::Id(Some(request.id)),
                Arg::Text(Some(request.kind().as_str().to_owned())),
                Arg::Id(Some(*request.subject.as_uuid())),
                Arg::Text(account.map(|a| a.username.as_str().to_owned())),
                Arg::Text(account.map(|a| a.display_name.as_str().to_owned())),
                Arg::Text(account.map(|a| a.role.as_str().to_owned())),
                Arg::Text(account.map(|a| a.password_hash.clone())),
                Arg::Id(Some(*request.requested_by.as_uuid())),
                Arg::Int(Some(request.requested_at.as_micros())),
                Arg::Int(Some(request.expires_at.as_micros())),
            ];
            run(c, crate::writes_approvals::INSERT_PRIVILEGED_CHANGE, &args).await?;
            Ok(())
        }

        /// Approves or rejects a request; false if it was decided already or has expired.
        pub(crate) async fn decide_privileged_change(
            c: &mut Conn,
            id: ward_core::privileged::ChangeId,
            state: ward_core::privileged::ChangeState,
            by: ward_core::id::UserId,
            at: ward_core::Timestamp,
        ) -> StoreResult<bool> {
            use crate::sql::Arg;
            let args = [
                Arg::Id(Some(id)),
                Arg::Text(Some(state.as_str().to_owned())),
                Arg::Id(Some(*by.as_uuid())),
                Arg::Int(Some(at.as_micros())),
            ];
            Ok(run(c, crate::writes_approvals::DECIDE_PRIVILEGED_CHANGE, &args).await? == 1)
        }
    };
}

pub(crate) use approval_writes;
