//! Sign-in, authentication of each request, sign-out and wipe confirmation.

use secrecy::SecretString;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::policy::{Policy, SessionPolicy};
use ward_core::session::{DeviceName, EndReason, Session, SessionScope, SessionState};
use ward_core::user::{User, UserStatus, Username};
use ward_crypto::password;
use ward_crypto::token::SessionToken;
use ward_store::StoreError;

use super::Identity;
use crate::cluster::Cache;
use crate::realtime::CloseReason;
use crate::services::{Caller, ClientAddress, ServiceError};

/// Longest password accepted at sign-in (longer ones are refused before hashing).
const MAX_PASSWORD_BYTES: usize = 1024;
/// Activity is written back at most this often per session (bounded by a quarter of the idle
/// timeout), so that a busy device does not write on every request.
const TOUCH_EVERY_SECS: i64 = 5;
/// How long a successful sign-in from an address lets the account past that address's
/// failure limit.
const KNOWN_ADDRESS_SECS: i64 = 30 * 24 * 3600;
/// The key of the sign-in throttle's blind index (a separate epoch of the same scope).
const THROTTLE_EPOCH: Epoch = Epoch::from_index(1);

/// A sign-in attempt.
#[derive(Debug)]
pub struct LoginInput {
    pub username: String,
    pub password: SecretString,
    pub device_name: String,
    pub totp_code: Option<String>,
}

/// A new session.
#[derive(Debug)]
pub struct LoginOutcome {
    pub token: SessionToken,
    pub session: Session,
    pub user: User,
    pub idle_timeout_secs: i64,
}

impl Identity {
    /// Signs a device in. Unknown users, wrong passwords and disabled accounts get the same
    /// answer after the same work (one Argon2id verification).
    pub async fn login(
        &self,
        input: LoginInput,
        address: ClientAddress,
    ) -> Result<LoginOutcome, ServiceError> {
        let device = DeviceName::parse(&input.device_name)?;
        if input.password.expose_len() > MAX_PASSWORD_BYTES {
            return Err(ServiceError::InvalidCredentials);
        }
        let now = self.now();
        let policy = self.policy.get().await?;
        let account_key = self.throttle_key(&input.username).await?;
        let address_limited = self
            .check_throttle(&account_key, &address, now, &policy)
            .await?;

        let user = match Username::parse(&input.username) {
            Ok(name) => self.store.user_by_username(&name).await?,
            Err(_) => None,
        };
        if address_limited && !self.known_at(user.as_ref(), &address, now).await? {
            return self.throttled(&address, &policy).await;
        }
        let password_ok = match &user {
            Some(u) => {
                let (password, hash) = (input.password.clone(), u.password_hash.clone());
                self.hash_work(move || password::verify_password(&password, &hash))
                    .await?
            }
            None => {
                let password = input.password.clone();
                self.hash_work(move || password::verify_against_dummy(&password))
                    .await?
            }
        };
        let user = match user {
            Some(u) if password_ok && u.status == UserStatus::Active => u,
            other => {
                let reason = match &other {
                    None => "unknown_user",
                    Some(u) if u.status != UserStatus::Active => "disabled",
                    Some(_) => "bad_password",
                };
                let actor = other.map(|u| u.id);
                return self
                    .fail_login(&account_key, &address, now, actor, reason)
                    .await;
            }
        };

        let factor = self
            .store
            .totp_factor(user.id)
            .await?
            .filter(|f| f.confirmed);
        let (scope, totp_step) = match (&factor, &input.totp_code) {
            (Some(factor), Some(code)) => match self.check_totp(factor, code).await? {
                Some(step) => (SessionScope::Full, Some(step)),
                None => {
                    return self
                        .fail_login(&account_key, &address, now, Some(user.id), "bad_totp")
                        .await;
                }
            },
            // Answered and counted like a wrong password: a different answer would tell
            // whoever tries passwords without the code which one is right.
            (Some(_), None) => {
                return self
                    .fail_login(&account_key, &address, now, Some(user.id), "totp_missing")
                    .await;
            }
            (None, _) if policy.requires_mfa(&user.role) => (SessionScope::MfaEnrollment, None),
            (None, _) => (SessionScope::Full, None),
        };

        let token = SessionToken::generate()?;
        let session = Session {
            id: ward_core::id::SessionId::new(),
            user_id: user.id,
            token_hash: token.hash().0,
            device_name: device,
            scope,
            address: address.0.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus_secs(policy.session.absolute_lifetime_secs),
            ended: None,
            wipe_requested_at: None,
            wipe_confirmed_at: None,
        };
        let mut event = NewAuditEvent::new(AuditAction::LoginSucceeded, Outcome::Success)
            .target(TargetKind::Session, Some(*session.id.as_uuid()))
            .detail(format!(r#"{{"scope":"{}"}}"#, scope.as_str()));
        event.actor = Some(user.id);
        event.session = Some(session.id);
        event.address = address.0.clone();
        match self.store.create_session(&session, totp_step, event).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return self
                    .fail_login(&account_key, &address, now, Some(user.id), "totp_replay")
                    .await;
            }
            Err(e) => return Err(e.into()),
        }
        Ok(LoginOutcome {
            token,
            session,
            user,
            idle_timeout_secs: policy.session.idle_timeout_secs,
        })
    }

    /// What failed sign-ins are counted under: a keyed hash of the typed account name, so that
    /// a password typed into the username field is never stored.
    async fn throttle_key(&self, typed: &str) -> Result<String, ServiceError> {
        let name = typed.trim().to_lowercase();
        let hash = self
            .keys
            .blind_index(KeyScope::AccountSecrets, THROTTLE_EPOCH, name.as_bytes())
            .await?;
        Ok(hash.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Refuses a sign-in to an account with too many recent failures; whether the address has
    /// too many (then only accounts known at the address get through, see [`Self::known_at`]).
    async fn check_throttle(
        &self,
        account_key: &str,
        address: &ClientAddress,
        now: Timestamp,
        policy: &Policy,
    ) -> Result<bool, ServiceError> {
        let limits = policy.login;
        let counts = self
            .store
            .login_failures(
                account_key,
                address.0.as_deref(),
                now.minus_secs(limits.window_secs),
            )
            .await?;
        if counts.account >= limits.max_failures_per_account {
            return self.throttled(address, policy).await;
        }
        Ok(counts.address >= limits.max_failures_per_address)
    }

    /// Whether the account signed in from this address in the last [`KNOWN_ADDRESS_SECS`].
    /// Many people share one address behind a hospital's NAT: an attacker there who exhausts
    /// the address's failures locks out only the accounts never used from it (an attacker
    /// elsewhere, everyone), while each account keeps its own limit.
    async fn known_at(
        &self,
        user: Option<&User>,
        address: &ClientAddress,
        now: Timestamp,
    ) -> Result<bool, ServiceError> {
        let (Some(user), Some(address)) = (user, address.0.as_deref()) else {
            return Ok(false);
        };
        let since = now.minus_secs(KNOWN_ADDRESS_SECS);
        Ok(self.store.signed_in_from(user.id, address, since).await?)
    }

    /// Audits and answers a throttled sign-in.
    async fn throttled<T>(
        &self,
        address: &ClientAddress,
        policy: &Policy,
    ) -> Result<T, ServiceError> {
        let limits = policy.login;
        let mut event = NewAuditEvent::new(AuditAction::LoginThrottled, Outcome::Denied)
            .detail(r#"{"reason":"too_many_failures"}"#.into());
        event.address = address.0.clone();
        self.store.append_audit(event).await?;
        Err(ServiceError::Throttled {
            retry_after_secs: limits.window_secs.unsigned_abs(),
        })
    }

    async fn fail_login<T>(
        &self,
        account_key: &str,
        address: &ClientAddress,
        now: Timestamp,
        actor: Option<ward_core::id::UserId>,
        reason: &str,
    ) -> Result<T, ServiceError> {
        let mut event = NewAuditEvent::new(AuditAction::LoginFailed, Outcome::Failure)
            .detail(serde_json::json!({ "reason": reason }).to_string());
        event.actor = actor;
        event.address = address.0.clone();
        if let Some(actor) = actor {
            event = event.target(TargetKind::User, Some(*actor.as_uuid()));
        }
        self.store
            .record_login_failure(account_key, address.0.as_deref(), now, event)
            .await?;
        Err(ServiceError::InvalidCredentials)
    }

    /// Finds the live session behind a bearer token, enforcing idle timeout and lifetime.
    pub async fn authenticate(
        &self,
        token: &str,
        address: ClientAddress,
    ) -> Result<Caller, ServiceError> {
        let token = SessionToken::parse(token).ok_or(ServiceError::Unauthenticated)?;
        let hash = token.hash().0;
        let (session, user) = match self.sessions.get(&hash) {
            Some(cached) => cached,
            None => self.session_and_user(hash).await?,
        };
        let now = self.now();
        let policy = self.policy.get().await?;
        match session.state(now, &policy.session) {
            SessionState::Active => {}
            SessionState::WipePending => return Err(ServiceError::WipeRequired),
            SessionState::Ended(reason) => {
                if session.ended.is_none() {
                    let mut event =
                        NewAuditEvent::new(AuditAction::SessionExpired, Outcome::Success)
                            .target(TargetKind::Session, Some(*session.id.as_uuid()))
                            .detail(format!(r#"{{"reason":"{}"}}"#, reason.as_str()));
                    event.actor = Some(session.user_id);
                    event.session = Some(session.id);
                    event.address = address.0.clone();
                    self.store
                        .end_session(session.id, now, reason, event)
                        .await?;
                    self.sessions.invalidate();
                }
                return Err(ServiceError::SessionEnded(reason));
            }
        }
        if user.status != UserStatus::Active {
            return Err(ServiceError::SessionEnded(EndReason::UserDisabled));
        }
        let role = self
            .roles
            .get(&user.role)
            .await?
            .ok_or(ServiceError::Forbidden)?;
        if self.touch_if_due(&session, now, &policy.session) {
            // The cached copy need not ask for a touch again.
            self.sessions
                .update(&hash, |(session, _)| session.last_seen_at = now);
        }
        Ok(Caller {
            user,
            role,
            session,
            address,
        })
    }

    /// Records activity on a session, at most every few seconds and without delaying the
    /// caller (a lost touch costs seconds of idle); true if a touch was started.
    pub(crate) fn touch_if_due(
        &self,
        session: &Session,
        now: Timestamp,
        policy: &SessionPolicy,
    ) -> bool {
        let touch_every = TOUCH_EVERY_SECS.min(policy.idle_timeout_secs / 4);
        if now < session.last_seen_at.plus_secs(touch_every) {
            return false;
        }
        let (store, id) = (self.store.clone(), session.id);
        tokio::spawn(async move {
            if let Err(e) = store.touch_session(id, now).await {
                tracing::warn!(error = %e, "recording session activity failed");
            }
        });
        true
    }

    /// Reads a session and its user from the store, and caches them.
    async fn session_and_user(&self, hash: [u8; 32]) -> Result<(Session, User), ServiceError> {
        let generation = self.sessions.generation();
        let session = self
            .store
            .session_by_token(&hash)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let user = self
            .store
            .user(session.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        // The caller sees their own name (`/me`), a patient's too, which is stored sealed.
        let user = self.open_account_name(user).await?;
        self.sessions
            .insert(generation, hash, (session.clone(), user.clone()));
        Ok((session, user))
    }

    /// Like [`Identity::authenticate`], for a session that is waiting to be wiped: only the
    /// wipe confirmation may use it.
    pub async fn confirm_wipe(
        &self,
        token: &str,
        address: ClientAddress,
    ) -> Result<(), ServiceError> {
        let token = SessionToken::parse(token).ok_or(ServiceError::Unauthenticated)?;
        let session = self
            .store
            .session_by_token(&token.hash().0)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        // A session that has ended (signed out, revoked, expired) confirms nothing: it is no
        // longer a credential, whatever was ordered for it.
        let policy = self.policy.get().await?;
        match session.state(self.now(), &policy.session) {
            SessionState::WipePending => {}
            SessionState::Ended(reason) => return Err(ServiceError::SessionEnded(reason)),
            SessionState::Active => {
                return Err(ServiceError::Conflict(
                    "no wipe was ordered for this session",
                ));
            }
        }
        let mut event = NewAuditEvent::new(AuditAction::WipeConfirmed, Outcome::Success)
            .target(TargetKind::Session, Some(*session.id.as_uuid()));
        event.actor = Some(session.user_id);
        event.session = Some(session.id);
        event.address = address.0;
        if self
            .store
            .confirm_wipe(session.id, self.now(), event)
            .await?
        {
            self.publisher.invalidate(Cache::Sessions).await;
            Ok(())
        } else {
            Err(ServiceError::Conflict(
                "no wipe was ordered for this session",
            ))
        }
    }

    /// Ends the caller's own session.
    pub async fn logout(&self, caller: &Caller) -> Result<(), ServiceError> {
        let event = caller
            .event(AuditAction::Logout, Outcome::Success)
            .target(TargetKind::Session, Some(*caller.session.id.as_uuid()));
        self.store
            .end_session(caller.session.id, self.now(), EndReason::Logout, event)
            .await?;
        let reason = CloseReason::SessionEnded(EndReason::Logout.as_str());
        self.publisher.end_session(caller.session.id, reason).await;
        Ok(())
    }
}

/// Length of a secret without exposing it elsewhere.
trait ExposeLen {
    fn expose_len(&self) -> usize;
}

impl ExposeLen for SecretString {
    fn expose_len(&self) -> usize {
        use secrecy::ExposeSecret;
        self.expose_secret().len()
    }
}
