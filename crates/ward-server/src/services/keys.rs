//! Data keys on demand: fetched (or created) per scope and epoch, unwrapped by the keyring and
//! cached in memory, so sealing a record costs one AES-GCM operation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ward_core::Timestamp;
use ward_core::keys::{DataKeyRecord, Epoch, EpochLength, KeyScope};
use ward_crypto::audit_chain::ChainKey;
use ward_crypto::audit_signing::AuditSigner;
use ward_crypto::keyring::{DataKey, Keyring, SecretKey};
use ward_crypto::seal::{self, Binding};
use ward_store::Store;

use super::ServiceError;

/// The audit signing key has one epoch: it is never rotated by time.
const AUDIT_SIGNING_EPOCH: Epoch = Epoch::from_index(0);

/// Seals and opens records with the right data key.
#[derive(Debug, Clone)]
pub struct Keys {
    store: Arc<dyn Store>,
    /// Shared, not copied: every service holds these keys, and root key material should
    /// exist once in memory.
    keyring: Arc<Keyring>,
    cache: Arc<Mutex<HashMap<(KeyScope, Epoch), DataKey>>>,
    epoch_length: EpochLength,
}

impl Keys {
    pub fn new(store: Arc<dyn Store>, keyring: Keyring) -> Self {
        Self {
            store,
            keyring: Arc::new(keyring),
            cache: Arc::default(),
            epoch_length: EpochLength::Month,
        }
    }

    /// Keys whose epochs last `length` (a month unless a retention drill asks for less).
    pub fn with_epoch_length(mut self, length: EpochLength) -> Self {
        self.epoch_length = length;
        self
    }

    /// The epoch new records are sealed in at `at`.
    pub fn epoch_of(&self, at: ward_core::Timestamp) -> Epoch {
        self.epoch_length.epoch_of(at)
    }

    /// When `epoch` begins and ends (the next one's start).
    pub fn epoch_bounds(&self, epoch: Epoch) -> (ward_core::Timestamp, ward_core::Timestamp) {
        self.epoch_length.bounds(epoch)
    }

    /// Forgets a destroyed key held in memory.
    pub fn forget(&self, scope: KeyScope, epoch: Epoch) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&(scope, epoch));
        }
    }

    /// The data key for a scope and epoch, creating it on first use.
    async fn data_key(&self, scope: KeyScope, epoch: Epoch) -> Result<DataKey, ServiceError> {
        // With `create`, `fetch` always finds or makes one.
        self.fetch(scope, epoch, true)
            .await?
            .ok_or(ServiceError::Unavailable)
    }

    /// The data key for a scope and epoch if one exists, or (with `create`) a new one.
    async fn fetch(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        create: bool,
    ) -> Result<Option<DataKey>, ServiceError> {
        if let Some(key) = self.cached(scope, epoch) {
            return Ok(Some(key));
        }
        // Retention destroyed it: what it sealed stays unreadable, and nothing new is sealed
        // under it. A copy left by an interrupted disposal is destroyed now.
        if matches!(scope, KeyScope::Conversation(_))
            && self.store.key_shredded(scope, epoch).await?
        {
            self.store.destroy_data_key(scope, epoch).await?;
            return Err(ServiceError::Disposed);
        }
        let record = match self.store.data_key(scope, epoch).await? {
            Some(record) => record,
            None if !create => return Ok(None),
            None => {
                let fresh = SecretKey::generate()?;
                let record = DataKeyRecord {
                    scope,
                    epoch,
                    wrapped: self.keyring.wrap(scope, epoch, &fresh)?,
                    created_at: Timestamp::now(),
                };
                // Another request may have created it first; the stored one wins.
                self.store.insert_data_key(&record).await?
            }
        };
        let key = self.keyring.unwrap(scope, epoch, &record.wrapped)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert((scope, epoch), key.clone());
        }
        Ok(Some(key))
    }

    /// The key that signs audit checkpoints, created on first use.
    pub async fn audit_signer(&self) -> Result<AuditSigner, ServiceError> {
        let seed = self
            .data_key(KeyScope::AuditSigning, AUDIT_SIGNING_EPOCH)
            .await?;
        Ok(AuditSigner::from_seed(&seed)?)
    }

    /// The key of the audit chain's links, derived from the audit signing seed (so it lives,
    /// wrapped, in the key vault, and is never rotated or shredded); created on first use.
    pub async fn audit_chain_key(&self) -> Result<ChainKey, ServiceError> {
        let seed = self
            .data_key(KeyScope::AuditSigning, AUDIT_SIGNING_EPOCH)
            .await?;
        Ok(ChainKey::derive(&seed)?)
    }

    /// The key that seals what nodes send each other over the cluster bus, created on first
    /// use (every node of a deployment reads the same one from the key vault).
    pub async fn cluster_bus_key(&self) -> Result<DataKey, ServiceError> {
        self.data_key(KeyScope::ClusterBus, AUDIT_SIGNING_EPOCH)
            .await
    }

    /// The application server's VAPID key for Web Push, created on first use (every node
    /// reads the same one from the key vault).
    pub async fn vapid_key(&self) -> Result<ward_crypto::webpush::VapidKey, ServiceError> {
        let secret = self
            .data_key(KeyScope::WebPush, AUDIT_SIGNING_EPOCH)
            .await?;
        Ok(ward_crypto::webpush::VapidKey::from_secret(&secret)?)
    }

    /// The audit chain key if the audit key was ever made; `None` otherwise (nothing is made).
    pub async fn existing_audit_chain_key(&self) -> Result<Option<ChainKey>, ServiceError> {
        let seed = self
            .fetch(KeyScope::AuditSigning, AUDIT_SIGNING_EPOCH, false)
            .await?;
        seed.map(|seed| Ok(ChainKey::derive(&seed)?)).transpose()
    }

    /// The public key that checkpoints must be signed with; `None` if none was ever made.
    pub async fn audit_public_key(&self) -> Result<Option<[u8; 32]>, ServiceError> {
        let seed = self
            .fetch(KeyScope::AuditSigning, AUDIT_SIGNING_EPOCH, false)
            .await?;
        seed.map(|seed| Ok(AuditSigner::from_seed(&seed)?.public_key()))
            .transpose()
    }

    fn cached(&self, scope: KeyScope, epoch: Epoch) -> Option<DataKey> {
        self.cache.lock().ok()?.get(&(scope, epoch)).cloned()
    }

    /// Seals `plaintext` under the scope's key for `epoch`.
    pub async fn seal(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        binding: Binding,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ServiceError> {
        let key = self.data_key(scope, epoch).await?;
        Ok(seal::seal(&key, binding, plaintext)?)
    }

    /// A keyed hash of `value` under the scope's key for `epoch` (a blind index).
    pub async fn blind_index(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        value: &[u8],
    ) -> Result<[u8; 32], ServiceError> {
        let key = self.data_key(scope, epoch).await?;
        Ok(seal::blind_index(&key, value))
    }

    /// Opens a blob sealed by [`Keys::seal`] with the same scope, epoch and binding. A key that
    /// is not there (destroyed by retention, or absent from a restored vault) is never made
    /// up: the record counts as disposed of.
    pub async fn open(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        binding: Binding,
        sealed: &[u8],
    ) -> Result<Vec<u8>, ServiceError> {
        let key = self
            .fetch(scope, epoch, false)
            .await?
            .ok_or(ServiceError::Disposed)?;
        Ok(seal::open(&key, binding, sealed)?)
    }

    /// Opens sealed text (a message body, a reason); text that is not UTF-8 is malformed.
    pub async fn open_text(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        binding: Binding,
        sealed: &[u8],
    ) -> Result<String, ServiceError> {
        let plain = self.open(scope, epoch, binding, sealed).await?;
        String::from_utf8(plain)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))
    }
}
