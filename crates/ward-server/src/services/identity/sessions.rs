//! Device sessions: list one's own, revoke, order a remote wipe.

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::id::{SessionId, UserId};
use ward_core::role::Permission;
use ward_core::session::{EndReason, Session};

use super::Identity;
use crate::realtime::CloseReason;
use crate::services::{Caller, ServiceError};

impl Identity {
    /// The caller's sessions that have not ended.
    /// Live sessions: the caller's own, or with the sessions permission those of `user`.
    pub async fn list_sessions(
        &self,
        caller: &Caller,
        user: Option<UserId>,
    ) -> Result<Vec<Session>, ServiceError> {
        let subject = user.unwrap_or(caller.user.id);
        if subject != caller.user.id {
            self.access
                .require(
                    caller,
                    Permission::SessionsManage,
                    AuditAction::SessionsListed,
                )
                .await?;
        }
        let sessions = self.store.list_sessions(subject).await?;
        let event = caller
            .event(AuditAction::SessionsListed, Outcome::Success)
            .target(TargetKind::User, Some(*subject.as_uuid()));
        self.store.append_audit(event).await?;
        Ok(sessions)
    }

    /// Ends a session at once: the caller's own, or anyone's with the sessions permission.
    pub async fn revoke_session(&self, caller: &Caller, id: SessionId) -> Result<(), ServiceError> {
        self.session_to_manage(caller, id, AuditAction::SessionRevoked)
            .await?;
        let event = caller
            .event(AuditAction::SessionRevoked, Outcome::Success)
            .target(TargetKind::Session, Some(*id.as_uuid()));
        if self
            .store
            .end_session(id, self.now(), EndReason::Revoked, event)
            .await?
        {
            let reason = CloseReason::SessionEnded(EndReason::Revoked.as_str());
            self.publisher.end_session(id, reason).await;
            Ok(())
        } else {
            Err(ServiceError::NotFound("session"))
        }
    }

    /// Orders the session's device to erase its local data at its next contact.
    pub async fn request_wipe(&self, caller: &Caller, id: SessionId) -> Result<(), ServiceError> {
        self.session_to_manage(caller, id, AuditAction::WipeRequested)
            .await?;
        let event = caller
            .event(AuditAction::WipeRequested, Outcome::Success)
            .target(TargetKind::Session, Some(*id.as_uuid()));
        if self.store.request_wipe(id, self.now(), event).await? {
            self.publisher.end_session(id, CloseReason::Wipe).await;
            Ok(())
        } else {
            Err(ServiceError::Conflict(
                "the session has ended or a wipe is already ordered",
            ))
        }
    }

    /// The session, if the caller may manage it. Someone else's session without permission is
    /// reported as not found, and the attempt is recorded.
    async fn session_to_manage(
        &self,
        caller: &Caller,
        id: SessionId,
        action: AuditAction,
    ) -> Result<Session, ServiceError> {
        let session = self.store.session(id).await?;
        match session {
            Some(s) if s.user_id == caller.user.id || caller.allows(Permission::SessionsManage) => {
                Ok(s)
            }
            Some(_) => {
                self.access.record_denial(caller, action).await?;
                Err(ServiceError::NotFound("session"))
            }
            None => Err(ServiceError::NotFound("session")),
        }
    }
}

impl Identity {
    /// Whether a session may still use its open connection (without counting as activity).
    pub async fn session_is_live(&self, caller: &Caller) -> Result<(), ServiceError> {
        self.live_session(caller).await.map(drop)
    }

    /// The caller's session as stored now, if it is still active.
    async fn live_session(
        &self,
        caller: &Caller,
    ) -> Result<(ward_core::session::Session, ward_core::policy::Policy), ServiceError> {
        use ward_core::session::SessionState;
        let session = self
            .store
            .session(caller.session.id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let policy = self.policy.get().await?;
        match session.state(self.now(), &policy.session) {
            SessionState::Active => Ok((session, policy)),
            SessionState::WipePending => Err(ServiceError::WipeRequired),
            SessionState::Ended(reason) => Err(ServiceError::SessionEnded(reason)),
        }
    }
}

impl Identity {
    /// A request made over the real-time connection: the session must still be live, and the
    /// request counts as activity for the idle timeout.
    pub async fn realtime_activity(&self, caller: &Caller) -> Result<(), ServiceError> {
        let (session, policy) = self.live_session(caller).await?;
        self.touch_if_due(&session, self.now(), &policy.session);
        Ok(())
    }

    /// Records that a device opened its real-time connection.
    pub async fn audit_realtime_connect(
        &self,
        caller: &Caller,
        resume: Option<i64>,
    ) -> Result<(), ServiceError> {
        let detail = match resume {
            Some(cursor) => format!(r#"{{"resume_from":{cursor}}}"#),
            None => "{}".to_owned(),
        };
        let event = caller
            .event(AuditAction::RealtimeConnected, Outcome::Success)
            .detail(detail);
        self.store.append_audit(event).await?;
        Ok(())
    }

    /// The current idle timeout.
    pub async fn idle_timeout_secs(&self) -> Result<i64, ServiceError> {
        Ok(self.policy.get().await?.session.idle_timeout_secs)
    }
}
