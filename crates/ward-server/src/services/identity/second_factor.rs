//! The second factor: TOTP enrollment and its codes, sealed under the account-secrets key.

use std::time::{SystemTime, UNIX_EPOCH};

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::keys::{Epoch, KeyScope};
use ward_crypto::seal::Binding;
use ward_crypto::totp::TotpSecret;
use ward_store::TotpFactor;

use super::Identity;
use crate::cluster::Cache;
use crate::services::{Caller, ServiceError};

/// TOTP secrets live in one epoch of the account-secrets scope.
const ACCOUNT_SECRETS_EPOCH: Epoch = Epoch::from_index(0);
/// A TOTP secret waiting for its first code.
#[derive(Debug)]
pub struct TotpEnrollmentStarted {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

impl Identity {
    /// Opens the sealed secret and checks the code; the matched step, if valid and fresh.
    pub(super) async fn check_totp(
        &self,
        factor: &TotpFactor,
        code: &str,
    ) -> Result<Option<i64>, ServiceError> {
        let secret = self.open_totp_secret(factor).await?;
        Ok(secret.verify(code, unix_now(), factor.last_used_step))
    }

    async fn open_totp_secret(&self, factor: &TotpFactor) -> Result<TotpSecret, ServiceError> {
        let bytes = self
            .keys
            .open(
                KeyScope::AccountSecrets,
                ACCOUNT_SECRETS_EPOCH,
                Binding::TotpSecret {
                    user: factor.user_id,
                },
                &factor.sealed_secret,
            )
            .await?;
        Ok(TotpSecret::from_bytes(bytes)?)
    }

    /// Starts TOTP enrollment: a fresh secret, stored sealed until confirmed.
    pub async fn begin_totp(&self, caller: &Caller) -> Result<TotpEnrollmentStarted, ServiceError> {
        let secret = TotpSecret::generate()?;
        let sealed = self
            .keys
            .seal(
                KeyScope::AccountSecrets,
                ACCOUNT_SECRETS_EPOCH,
                Binding::TotpSecret {
                    user: caller.user.id,
                },
                secret.as_bytes(),
            )
            .await?;
        let factor = TotpFactor {
            user_id: caller.user.id,
            sealed_secret: sealed,
            confirmed: false,
            last_used_step: None,
            created_at: self.now(),
        };
        let event = caller
            .event(AuditAction::TotpEnrollmentStarted, Outcome::Success)
            .target(TargetKind::User, Some(*caller.user.id.as_uuid()));
        self.store.begin_totp_enrollment(&factor, event).await?;
        Ok(TotpEnrollmentStarted {
            secret_base32: secret.to_base32()?.to_string(),
            otpauth_uri: secret
                .provisioning_uri(caller.user.username.as_str())?
                .to_string(),
        })
    }

    /// Confirms enrollment with a first code; the session becomes a full one.
    pub async fn confirm_totp(&self, caller: &Caller, code: &str) -> Result<(), ServiceError> {
        let factor = self
            .store
            .totp_factor(caller.user.id)
            .await?
            .filter(|f| !f.confirmed)
            .ok_or(ServiceError::Conflict(
                "no second factor is waiting for confirmation",
            ))?;
        let Some(step) = self.check_totp(&factor, code).await? else {
            let event = caller
                .event(AuditAction::TotpEnrolled, Outcome::Failure)
                .target(TargetKind::User, Some(*caller.user.id.as_uuid()));
            self.store.append_audit(event).await?;
            return Err(ServiceError::InvalidCredentials);
        };
        let event = caller
            .event(AuditAction::TotpEnrolled, Outcome::Success)
            .target(TargetKind::User, Some(*caller.user.id.as_uuid()));
        self.store
            .complete_totp_enrollment(caller.user.id, step, caller.session.id, event)
            .await?;
        self.publisher.invalidate(Cache::Sessions).await;
        Ok(())
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
