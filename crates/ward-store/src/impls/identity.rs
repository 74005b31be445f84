//! The account, session, throttling, policy and audit traits, for every [`Backend`]: each
//! method is one read, or one write whose change and audit event share a transaction.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::{AuditEvent, AuditFilter, NewAuditEvent};
use ward_core::id::{SessionId, UserId};
use ward_core::policy::Policy;
use ward_core::role::{Role, RoleName};
use ward_core::session::{EndReason, Session, SessionScope};
use ward_core::user::{User, UserStatus, Username};

use super::{always, audited, changed};
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::{audit, identity};
use crate::{
    AuditStore, FailureCounts, PolicyStore, SessionStore, StoreResult, ThrottleStore, TotpFactor,
    UserStore,
};

#[async_trait]
impl<B: Backend> UserStore for B {
    async fn create_user(&self, user: &User, audit: NewAuditEvent) -> StoreResult<()> {
        let user = user.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { identity::insert_user(c, &user).await })
        })
        .await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.read(move |c| Box::pin(identity::user_by_id(c, id)))
            .await
    }

    async fn user_by_username(&self, name: &Username) -> StoreResult<Option<User>> {
        let name = name.clone();
        self.read(move |c| Box::pin(async move { identity::user_by_username(c, &name).await }))
            .await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        self.read(|c| Box::pin(identity::list_users(c))).await
    }

    async fn seal_display_name(
        &self,
        id: UserId,
        sealed: &[u8],
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        let sealed = sealed.to_vec();
        audited(self, audit, changed, move |c| {
            Box::pin(async move { identity::seal_display_name(c, id, &sealed).await })
        })
        .await
    }

    async fn set_user_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        audited(self, audit, always, move |c| {
            Box::pin(identity::set_user_status(c, id, status, at))
        })
        .await
    }

    async fn role(&self, name: &RoleName) -> StoreResult<Option<Role>> {
        let name = name.clone();
        self.read(move |c| Box::pin(async move { identity::role(c, &name).await }))
            .await
    }

    async fn list_roles(&self) -> StoreResult<Vec<Role>> {
        self.read(|c| Box::pin(identity::list_roles(c))).await
    }

    async fn put_role(&self, role: &Role, audit: NewAuditEvent) -> StoreResult<bool> {
        let role = role.clone();
        audited(self, audit, changed, move |c| {
            Box::pin(async move { identity::put_role(c, &role).await })
        })
        .await
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        self.read(move |c| Box::pin(identity::totp_factor(c, user)))
            .await
    }

    async fn begin_totp_enrollment(
        &self,
        factor: &TotpFactor,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let factor = factor.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { identity::put_pending_totp(c, &factor).await })
        })
        .await
    }

    async fn complete_totp_enrollment(
        &self,
        user: UserId,
        step: i64,
        session: SessionId,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                identity::confirm_totp(c, user, step).await?;
                identity::set_session_scope(c, session, SessionScope::Full).await
            })
        })
        .await
    }

    async fn reset_totp(
        &self,
        user: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        audited(self, audit, always, move |c| {
            Box::pin(async move { identity::delete_totp(c, user, at).await })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> SessionStore for B {
    async fn create_session(
        &self,
        session: &Session,
        totp_step: Option<i64>,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let session = session.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                if let Some(step) = totp_step {
                    identity::consume_totp_step(c, session.user_id, step).await?;
                }
                identity::insert_session(c, &session).await
            })
        })
        .await
    }

    async fn session_by_token(&self, hash: &[u8; 32]) -> StoreResult<Option<Session>> {
        let hash = *hash;
        self.read(move |c| Box::pin(async move { identity::session_by_token(c, &hash).await }))
            .await
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        self.read(move |c| Box::pin(identity::session_by_id(c, id)))
            .await
    }

    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.read(move |c| Box::pin(identity::list_sessions(c, user)))
            .await
    }

    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()> {
        self.write(move |c| Box::pin(identity::touch_session(c, id, at)))
            .await
    }

    async fn end_session(
        &self,
        id: SessionId,
        at: Timestamp,
        reason: EndReason,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(identity::end_session(c, id, at, reason))
        })
        .await
    }

    async fn request_wipe(
        &self,
        id: SessionId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(identity::request_wipe(c, id, at))
        })
        .await
    }

    async fn confirm_wipe(
        &self,
        id: SessionId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(identity::confirm_wipe(c, id, at))
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> ThrottleStore for B {
    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let (username, address) = (username.to_owned(), address.map(str::to_owned));
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                identity::insert_login_failure(c, &username, address.as_deref(), at).await
            })
        })
        .await
    }

    async fn login_failures(
        &self,
        username: &str,
        address: Option<&str>,
        since: Timestamp,
    ) -> StoreResult<FailureCounts> {
        let (username, address) = (username.to_owned(), address.map(str::to_owned));
        self.read(move |c| {
            Box::pin(async move {
                identity::login_failures(c, &username, address.as_deref(), since).await
            })
        })
        .await
    }

    async fn signed_in_from(
        &self,
        user: UserId,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<bool> {
        let address = address.to_owned();
        self.read(move |c| {
            Box::pin(async move { identity::signed_in_from(c, user, &address, since).await })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> PolicyStore for B {
    async fn policy(&self) -> StoreResult<Policy> {
        self.read(|c| Box::pin(identity::policy(c))).await
    }

    async fn set_policy(
        &self,
        policy: &Policy,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let policy = policy.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { identity::put_policy(c, &policy, at).await })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> AuditStore for B {
    async fn append_audit(&self, event: NewAuditEvent) -> StoreResult<i64> {
        let h = self.hasher();
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                audit::append_audit(c, &*h, &event).await
            })
        })
        .await
    }

    async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEvent>> {
        let filter = filter.clone();
        self.read(move |c| Box::pin(async move { audit::search_audit(c, &filter).await }))
            .await
    }

    async fn audit_chain_page(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>> {
        self.read(move |c| Box::pin(audit::audit_chain_page(c, after_seq, limit)))
            .await
    }
}
