//! A device's push subscription: given by the browser (endpoint and keys), checked, sealed and
//! kept for the device's session, which it dies with.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::notify::{NotifyPrefs, PushSubscription};
use ward_crypto::seal::Binding;
use ward_crypto::webpush::Subscriber;

use super::Notifier;
use crate::services::{Caller, ServiceError};

/// Longest endpoint URL accepted.
const MAX_ENDPOINT: usize = 2048;
/// The epoch subscriptions are sealed under (account secrets are never shredded).
const SECRETS_EPOCH: Epoch = Epoch::from_index(0);

/// A subscription as the browser's `PushSubscription` gives it.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub endpoint: String,
    /// base64url, an uncompressed P-256 point.
    pub p256dh: String,
    /// base64url, 16 bytes.
    pub auth: String,
}

/// What is sealed: the endpoint and the keys, decoded.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct Target {
    pub endpoint: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
}

impl Notifier {
    /// The public key browsers subscribe with (`applicationServerKey`), base64url.
    pub async fn public_key(&self) -> Result<String, ServiceError> {
        Ok(URL_SAFE_NO_PAD.encode(self.keys.vapid_key().await?.public_key()))
    }

    /// Keeps the caller's device subscription (replacing its earlier one); audited. The
    /// endpoint must be https (http only on a loopback address) and the keys valid.
    pub async fn subscribe(
        &self,
        caller: &Caller,
        new: NewSubscription,
    ) -> Result<PushSubscription, ServiceError> {
        let target = check(new)?;
        let id = Uuid::now_v7();
        let plain = serde_json::to_vec(&target).map_err(|_| ServiceError::Unavailable)?;
        let sealed = self
            .keys
            .seal(
                KeyScope::AccountSecrets,
                SECRETS_EPOCH,
                Binding::PushSubscription { subscription: id },
                &plain,
            )
            .await?;
        let subscription = PushSubscription {
            id,
            session_id: caller.session.id,
            user_id: caller.user.id,
            sealed,
            created_at: self.now(),
        };
        let audit = caller
            .event(AuditAction::PushSubscribed, Outcome::Success)
            .target(TargetKind::Session, Some(*caller.session.id.as_uuid()));
        self.store
            .put_push_subscription(&subscription, audit)
            .await?;
        Ok(subscription)
    }

    /// Removes the caller's device subscription; 404 if it has none.
    pub async fn unsubscribe(&self, caller: &Caller) -> Result<(), ServiceError> {
        let audit = caller
            .event(AuditAction::PushUnsubscribed, Outcome::Success)
            .target(TargetKind::Session, Some(*caller.session.id.as_uuid()));
        if self
            .store
            .delete_push_subscription_of(caller.session.id, audit)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound("push subscription"))
        }
    }

    /// The caller's notification preferences.
    pub async fn preferences(&self, caller: &Caller) -> Result<NotifyPrefs, ServiceError> {
        Ok(self.store.notify_prefs(caller.user.id).await?)
    }

    /// Sets the caller's notification preferences; audited.
    pub async fn set_preferences(
        &self,
        caller: &Caller,
        prefs: NotifyPrefs,
    ) -> Result<NotifyPrefs, ServiceError> {
        prefs.validate()?;
        let audit = caller
            .event(AuditAction::NotifyPrefsChanged, Outcome::Success)
            .target(TargetKind::User, Some(*caller.user.id.as_uuid()));
        self.store
            .put_notify_prefs(caller.user.id, &prefs, audit)
            .await?;
        Ok(prefs)
    }

    /// A subscription's endpoint and keys, opened.
    pub(super) async fn open(&self, s: &PushSubscription) -> Result<Target, ServiceError> {
        let plain = self
            .keys
            .open(
                KeyScope::AccountSecrets,
                SECRETS_EPOCH,
                Binding::PushSubscription { subscription: s.id },
                &s.sealed,
            )
            .await?;
        serde_json::from_slice(&plain)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))
    }
}

/// The subscription checked: a URL Ward may post to, and keys a message can be encrypted for.
fn check(new: NewSubscription) -> Result<Target, ValidationError> {
    if new.endpoint.len() > MAX_ENDPOINT {
        return Err(ValidationError::new(
            "endpoint",
            "must be at most 2048 characters",
        ));
    }
    let url = reqwest::Url::parse(&new.endpoint)
        .map_err(|_| ValidationError::new("endpoint", "is not a URL"))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let allowed = match url.scheme() {
        "https" => !host.is_empty(),
        "http" => loopback,
        _ => false,
    };
    if !allowed || !url.username().is_empty() || url.password().is_some() {
        return Err(ValidationError::new(
            "endpoint",
            "must be an https URL (http only on a loopback address), without credentials",
        ));
    }
    let decode = |field: &'static str, text: &str| {
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| ValidationError::new(field, "is not base64url"))
    };
    let (p256dh, auth) = (
        decode("keys.p256dh", &new.p256dh)?,
        decode("keys.auth", &new.auth)?,
    );
    if auth.len() != ward_crypto::webpush::AUTH_SECRET_LEN {
        return Err(ValidationError::new("keys.auth", "must be 16 bytes"));
    }
    Subscriber {
        p256dh: &p256dh,
        auth: &auth,
    }
    .check()
    .map_err(|_| ValidationError::new("keys.p256dh", "is not a P-256 public key"))?;
    Ok(Target {
        endpoint: url.to_string(),
        p256dh,
        auth,
    })
}
