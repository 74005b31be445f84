//! Envelope encryption: a root key wraps the data keys; data keys seal the records.
//!
//! The root key comes from the data directory (generated on a fresh deployment's first start
//! into `keys/`, mode 0700, as a file of mode 0600), from a key file named in the configuration,
//! or from an environment variable. [`Keyring::load`] never makes a key up: only
//! [`Keyring::load_or_create`] generates one, for an empty key directory, which the server calls
//! only for a fresh deployment (no data yet). Data keys are random, one per [`KeyScope`]
//! and [`Epoch`], and are stored only wrapped. Rotating the root key re-wraps the data keys and
//! leaves every sealed record untouched.
//!
//! A key directory also keeps the root keys a rotation replaced, each sealed under the current
//! one (`retired-<id>.key.sealed`, mode 0600), so backups made under them still open; they
//! unwrap but never wrap, and only [`DataDirKeys::remove_retired`] (`ward admin
//! retire-root-key`) deletes one.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use ward_core::keys::{Epoch, KeyScope, WrappedKey};
use zeroize::{Zeroize, Zeroizing};

use crate::{CryptoError, random_bytes, seal};

const KEY_LEN: usize = 32;
const ROOT_KEY_PREFIX: &str = "root-";
const ROOT_KEY_SUFFIX: &str = ".key";
const CURRENT_FILE: &str = "current";
const RETIRED_PREFIX: &str = "retired-";
const RETIRED_SUFFIX: &str = ".key.sealed";
const RETIRED_MAGIC: &str = "WARD-RETIRED-ROOT-KEY-1";
const RETIRED_SEALED_BY: &str = "sealed-by: ";

/// A 256-bit key, erased from memory when dropped.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random_bytes(key.as_mut())?;
        Ok(Self(key))
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::RootKey(format!("a key must be {KEY_LEN} bytes")))?;
        Ok(Self(Zeroizing::new(array)))
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// A data key, unwrapped. Seals records of one scope and epoch.
pub type DataKey = SecretKey;

/// The root key and its fingerprint.
#[derive(Debug, Clone)]
pub struct RootKey {
    id: String,
    key: SecretKey,
}

impl RootKey {
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self::from_key(SecretKey::generate()?))
    }

    fn from_key(key: SecretKey) -> Self {
        let mut input = b"ward-root-key-id-v1".to_vec();
        input.extend_from_slice(key.bytes());
        let hash = digest::digest(&digest::SHA256, &input);
        input.zeroize();
        let id = hash.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self { id, key }
    }

    /// Parses the base64 text form (as in a key file or environment variable).
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| CryptoError::RootKey("not valid base64".into()))?,
        );
        Ok(Self::from_key(SecretKey::from_slice(&bytes)?))
    }

    /// Reads a key file, which must be readable by its owner only.
    pub fn from_file(path: &Path) -> Result<Self, CryptoError> {
        check_private(path)?;
        let text =
            Zeroizing::new(fs::read_to_string(path).map_err(|e| {
                CryptoError::RootKey(format!("cannot read {}: {e}", path.display()))
            })?);
        Self::from_base64(&text)
    }

    /// The base64 text form, for writing a key file.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.key.bytes()))
    }

    /// A public fingerprint of the key, stored beside everything it wraps.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Where the root key comes from.
#[derive(Debug, Clone)]
pub enum RootKeySource {
    /// A key directory (by default `DATA/keys/`), generated on first start.
    KeyDir(PathBuf),
    /// A file holding the base64 key; it must not be readable by group or others.
    File(PathBuf),
    /// The base64 key itself, from an environment variable.
    Inline(SecretString),
}

/// The loaded root keys: the current one wraps new data keys; older ones (a rotation's
/// retired keys, or a key file an interrupted rotation left) can still unwrap.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: Arc<RootKey>,
    all: HashMap<String, Arc<RootKey>>,
}

impl Keyring {
    /// A keyring with just this root key.
    pub fn new(root: RootKey) -> Self {
        let root = Arc::new(root);
        let all = HashMap::from([(root.id.clone(), Arc::clone(&root))]);
        Self { current: root, all }
    }

    /// Loads the root keys; fails if there are none (a key directory without a key is never
    /// filled with a new one here).
    pub fn load(source: &RootKeySource) -> Result<Self, CryptoError> {
        match source {
            RootKeySource::KeyDir(dir) => DataDirKeys::new(dir).load(),
            RootKeySource::File(path) => Ok(Self::new(RootKey::from_file(path)?)),
            RootKeySource::Inline(secret) => {
                Ok(Self::new(RootKey::from_base64(secret.expose_secret())?))
            }
        }
    }

    /// Loads the root keys or, from a key directory without one, generates the first. Only for
    /// a fresh deployment: a new root key cannot unwrap what an earlier one wrapped.
    pub fn load_or_create(source: &RootKeySource) -> Result<Self, CryptoError> {
        match source {
            RootKeySource::KeyDir(dir) => DataDirKeys::new(dir).load_or_create(),
            _ => Self::load(source),
        }
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// The fingerprints of every loaded root key.
    pub fn root_key_ids(&self) -> Vec<String> {
        self.all.keys().cloned().collect()
    }

    /// Whether the root key with this fingerprint is loaded (current or retired).
    pub fn has_root_key(&self, id: &str) -> bool {
        self.all.contains_key(id)
    }

    /// Adds a root key that can unwrap; `make_current` also makes it wrap from now on.
    pub fn add(&mut self, root: RootKey, make_current: bool) {
        let root = Arc::new(root);
        self.all.insert(root.id.clone(), Arc::clone(&root));
        if make_current {
            self.current = root;
        }
    }

    /// Wraps a data key under the current root key, bound to its scope and epoch.
    pub fn wrap(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        key: &DataKey,
    ) -> Result<WrappedKey, CryptoError> {
        let aad = wrap_aad(scope, epoch, &self.current.id);
        Ok(WrappedKey {
            root_key_id: self.current.id.clone(),
            ciphertext: seal::seal_raw(self.current.key.bytes(), &aad, key.bytes())?,
        })
    }

    /// Unwraps a data key; fails if it was wrapped for another scope or epoch, or altered.
    pub fn unwrap(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        wrapped: &WrappedKey,
    ) -> Result<DataKey, CryptoError> {
        let root = self
            .all
            .get(&wrapped.root_key_id)
            .ok_or_else(|| CryptoError::UnknownRootKey(wrapped.root_key_id.clone()))?;
        let aad = wrap_aad(scope, epoch, &root.id);
        let plain = Zeroizing::new(seal::open_raw(root.key.bytes(), &aad, &wrapped.ciphertext)?);
        SecretKey::from_slice(&plain).map_err(|_| CryptoError::Malformed)
    }

    /// Re-wraps a data key under the current root key.
    pub fn rewrap(
        &self,
        scope: KeyScope,
        epoch: Epoch,
        wrapped: &WrappedKey,
    ) -> Result<WrappedKey, CryptoError> {
        let key = self.unwrap(scope, epoch, wrapped)?;
        self.wrap(scope, epoch, &key)
    }
}

fn wrap_aad(scope: KeyScope, epoch: Epoch, root_key_id: &str) -> Vec<u8> {
    let mut aad = b"ward-dek-v1".to_vec();
    aad.extend_from_slice(scope.kind().as_bytes());
    aad.extend_from_slice(scope.id().as_bytes());
    aad.extend_from_slice(&epoch.index().to_be_bytes());
    aad.extend_from_slice(root_key_id.as_bytes());
    aad
}

/// Whether `text` has the form of a root key fingerprint (16 lowercase hex digits), so it can
/// name a file in the key directory.
pub fn is_root_key_id(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn retired_aad(retired_id: &str, sealing_id: &str) -> Vec<u8> {
    let mut aad = b"ward-retired-root-key-v1".to_vec();
    aad.extend_from_slice(retired_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(sealing_id.as_bytes());
    aad
}

/// The text of a retired key's file: `retired` sealed under `sealer`, bound to both ids.
fn seal_retired_key(sealer: &RootKey, retired: &RootKey) -> Result<String, CryptoError> {
    let aad = retired_aad(&retired.id, &sealer.id);
    let sealed = seal::seal_raw(sealer.key.bytes(), &aad, retired.key.bytes())?;
    Ok(format!(
        "{RETIRED_MAGIC}\n{RETIRED_SEALED_BY}{}\n{}\n",
        sealer.id,
        STANDARD.encode(sealed)
    ))
}

/// Opens a retired key's file with the key of `keyring` it names as its sealer.
fn open_retired_key(keyring: &Keyring, id: &str, text: &str) -> Result<RootKey, CryptoError> {
    let mut lines = text.lines();
    if lines.next() != Some(RETIRED_MAGIC) {
        return Err(CryptoError::Malformed);
    }
    let sealer_id = lines
        .next()
        .and_then(|line| line.strip_prefix(RETIRED_SEALED_BY))
        .ok_or(CryptoError::Malformed)?;
    let sealed = STANDARD
        .decode(lines.next().ok_or(CryptoError::Malformed)?.trim())
        .map_err(|_| CryptoError::Malformed)?;
    let sealer = keyring
        .all
        .get(sealer_id)
        .ok_or_else(|| CryptoError::UnknownRootKey(sealer_id.to_owned()))?;
    let aad = retired_aad(id, &sealer.id);
    let plain = Zeroizing::new(seal::open_raw(sealer.key.bytes(), &aad, &sealed)?);
    let root = RootKey::from_key(SecretKey::from_slice(&plain)?);
    if root.id != id {
        return Err(CryptoError::Malformed);
    }
    Ok(root)
}

/// Writes a file (mode 0600) whole beside `path`, then renames it into place.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), CryptoError> {
    let io =
        |e: std::io::Error| CryptoError::RootKey(format!("cannot write {}: {e}", path.display()));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io)
}

/// Makes the files just created, renamed or removed in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), CryptoError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| CryptoError::RootKey(format!("cannot sync {}: {e}", dir.display())))
}

fn is_key_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(ROOT_KEY_PREFIX) && n.ends_with(ROOT_KEY_SUFFIX))
}

/// Takes group and other access away from an existing file or folder (setting `mode`) if it
/// has any; untouched otherwise. Only the key directory and `current` (which names a key but
/// holds none) come here: on a read-only mount (a secret volume) whose mode cannot change they
/// are left as they are, while each key file is still refused unless private.
fn make_private(path: &Path, mode: u32) -> Result<(), CryptoError> {
    let meta = fs::metadata(path)
        .map_err(|e| CryptoError::RootKey(format!("cannot read {}: {e}", path.display())))?;
    if meta.permissions().mode() & 0o077 == 0 {
        return Ok(());
    }
    match fs::set_permissions(path, fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() != std::io::ErrorKind::ReadOnlyFilesystem => Err(CryptoError::RootKey(
            format!("cannot set the mode of {} to {mode:o}: {e}", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Sets a file's or folder's mode exactly, whatever the umask made of it.
fn set_mode(path: &Path, mode: u32) -> Result<(), CryptoError> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| {
        CryptoError::RootKey(format!(
            "cannot set the mode of {} to {mode:o}: {e}",
            path.display()
        ))
    })
}

fn check_private(path: &Path) -> Result<(), CryptoError> {
    let meta = fs::metadata(path)
        .map_err(|e| CryptoError::RootKey(format!("cannot read {}: {e}", path.display())))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(CryptoError::RootKey(format!(
            "{} must be readable by its owner only (chmod 600)",
            path.display()
        )));
    }
    Ok(())
}

/// The root keys kept in a data directory's `keys/` folder (mode 0700): `root-<id>.key` files
/// (mode 0600), a `current` file (mode 0600) naming the one that wraps, and the retired keys
/// (`retired-<id>.key.sealed`, mode 0600), each sealed under a key whose file is there.
#[derive(Debug, Clone)]
pub struct DataDirKeys {
    dir: PathBuf,
}

impl DataDirKeys {
    /// The root keys in `key_dir`.
    pub fn new(key_dir: &Path) -> Self {
        Self {
            dir: key_dir.to_owned(),
        }
    }

    /// Whether the folder holds at least one root key file (a missing folder holds none).
    pub fn has_key(&self) -> Result<bool, CryptoError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(CryptoError::RootKey(format!(
                    "cannot read {}: {e}",
                    self.dir.display()
                )));
            }
        };
        for entry in entries {
            let entry = entry.map_err(|e| {
                CryptoError::RootKey(format!("cannot read {}: {e}", self.dir.display()))
            })?;
            if is_key_file(&entry.path()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Loads every root key in the folder, generating the first one if there is none.
    pub fn load_or_create(&self) -> Result<Keyring, CryptoError> {
        if !self.has_key()? {
            let root = RootKey::generate()?;
            self.write_key(&root)?;
            self.set_current(root.id())?;
            return Ok(Keyring::new(root));
        }
        self.load()
    }

    /// Loads every root key in the folder; fails if there is none. Makes the folder and its
    /// `current` file private again (0700, 0600) if they were not; a key file readable by
    /// others is refused, not quietly tightened, since its key may have leaked.
    pub fn load(&self) -> Result<Keyring, CryptoError> {
        let keys = self.read_all()?;
        if keys.is_empty() {
            return Err(CryptoError::RootKey(format!(
                "no root key in {}",
                self.dir.display()
            )));
        }
        make_private(&self.dir, 0o700)?;
        let current_file = self.dir.join(CURRENT_FILE);
        if current_file.exists() {
            make_private(&current_file, 0o600)?;
        }
        let current_id = fs::read_to_string(self.dir.join(CURRENT_FILE))
            .map(|s| s.trim().to_owned())
            .map_err(|e| CryptoError::RootKey(format!("cannot read keys/current: {e}")))?;
        let current = keys
            .iter()
            .find(|k| k.id == current_id)
            .ok_or_else(|| CryptoError::UnknownRootKey(current_id.clone()))?;
        let mut keyring = Keyring::new(current.clone());
        for key in keys {
            keyring.add(key, false);
        }
        self.load_retired(&mut keyring)?;
        Ok(keyring)
    }

    /// Adds the retired keys to `keyring`, each opened with the key it names as its sealer. A
    /// retired key that cannot be opened is an error naming its file, never skipped.
    fn load_retired(&self, keyring: &mut Keyring) -> Result<(), CryptoError> {
        for (id, path) in self.retired_files()? {
            if keyring.has_root_key(&id) {
                // Its key file is still there: a rotation stopped before removing it.
                continue;
            }
            make_private(&path, 0o600)?;
            let text = fs::read_to_string(&path).map_err(|e| {
                CryptoError::RootKey(format!("cannot read {}: {e}", path.display()))
            })?;
            let root = open_retired_key(keyring, &id, &text).map_err(|e| {
                CryptoError::RootKey(format!(
                    "cannot open the retired root key {}: {e}",
                    path.display()
                ))
            })?;
            keyring.add(root, false);
        }
        Ok(())
    }

    /// The retired keys' ids and files, in id order.
    fn retired_files(&self) -> Result<Vec<(String, PathBuf)>, CryptoError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(CryptoError::RootKey(format!("cannot read keys/: {e}"))),
        };
        let mut found = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| CryptoError::RootKey(format!("cannot read keys/: {e}")))?
                .path();
            let id = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(RETIRED_PREFIX))
                .and_then(|n| n.strip_suffix(RETIRED_SUFFIX))
                .filter(|id| is_root_key_id(id))
                .map(str::to_owned);
            if let Some(id) = id {
                found.push((id, path));
            }
        }
        found.sort();
        Ok(found)
    }

    /// The ids of the retired keys kept in the folder, in order.
    pub fn retired_ids(&self) -> Result<Vec<String>, CryptoError> {
        Ok(self
            .retired_files()?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// Keeps every root key of `keyring` but its current one as a retired key, sealed under the
    /// current one (replacing any earlier file of that key, which may be sealed under another).
    /// Each file is written whole and renamed into place, so an interruption leaves every key
    /// readable. Returns the ids kept.
    pub fn seal_retired(&self, keyring: &Keyring) -> Result<Vec<String>, CryptoError> {
        let mut others: Vec<&Arc<RootKey>> = keyring
            .all
            .values()
            .filter(|root| root.id != keyring.current.id)
            .collect();
        others.sort_by(|a, b| a.id.cmp(&b.id));
        let mut ids = Vec::new();
        for root in others {
            let text = seal_retired_key(&keyring.current, root)?;
            write_replacing(&self.retired_path(&root.id), text.as_bytes())?;
            ids.push(root.id.clone());
        }
        sync_dir(&self.dir)?;
        Ok(ids)
    }

    /// Removes the key file of every root key but `keep`, each only if it is kept as a retired
    /// key ([`DataDirKeys::seal_retired`]); returns the ids whose files were removed.
    pub fn remove_unsealed_copies(&self, keep: &str) -> Result<Vec<String>, CryptoError> {
        let ids: Vec<String> = self
            .read_all()?
            .into_iter()
            .map(|root| root.id)
            .filter(|id| id != keep)
            .collect();
        for id in &ids {
            if !self.retired_path(id).exists() {
                return Err(CryptoError::RootKey(format!(
                    "root key {id} is not kept as a retired key; its file stays"
                )));
            }
            fs::remove_file(self.key_path(id)).map_err(|e| {
                CryptoError::RootKey(format!("cannot remove the key file of {id}: {e}"))
            })?;
        }
        sync_dir(&self.dir)?;
        Ok(ids)
    }

    /// Deletes a retired key for good: what only it can open (backups made under it) can no
    /// longer be opened.
    pub fn remove_retired(&self, id: &str) -> Result<(), CryptoError> {
        if !is_root_key_id(id) {
            return Err(CryptoError::RootKey(
                "a root key id is 16 lowercase hex digits".into(),
            ));
        }
        let path = self.retired_path(id);
        fs::remove_file(&path)
            .map_err(|e| CryptoError::RootKey(format!("cannot remove {}: {e}", path.display())))?;
        sync_dir(&self.dir)
    }

    fn retired_path(&self, id: &str) -> PathBuf {
        self.dir
            .join(format!("{RETIRED_PREFIX}{id}{RETIRED_SUFFIX}"))
    }

    fn read_all(&self) -> Result<Vec<RootKey>, CryptoError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(CryptoError::RootKey(format!("cannot read keys/: {e}"))),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| CryptoError::RootKey(format!("cannot read keys/: {e}")))?
                .path();
            if is_key_file(&path) {
                check_private(&path)?;
                let text = Zeroizing::new(fs::read_to_string(&path).map_err(|e| {
                    CryptoError::RootKey(format!("cannot read {}: {e}", path.display()))
                })?);
                keys.push(RootKey::from_base64(&text)?);
            }
        }
        Ok(keys)
    }

    /// Writes a root key file readable by its owner only (0600 in a folder of mode 0700,
    /// whatever the umask).
    pub fn write_key(&self, root: &RootKey) -> Result<(), CryptoError> {
        let io = |e: std::io::Error| CryptoError::RootKey(format!("cannot write key: {e}"));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(io)?;
        set_mode(&self.dir, 0o700)?;
        let path = self.key_path(root.id());
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io)?;
        // The umask may have taken bits away from 0600 at creation; the owner needs both.
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        file.write_all(root.to_base64().as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)?;
        sync_dir(&self.dir)
    }

    /// Names the root key that wraps from now on (atomically, by rename; mode 0600).
    pub fn set_current(&self, id: &str) -> Result<(), CryptoError> {
        let io =
            |e: std::io::Error| CryptoError::RootKey(format!("cannot write keys/current: {e}"));
        let tmp = self.dir.join("current.tmp");
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        file.write_all(format!("{id}\n").as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        fs::rename(&tmp, self.dir.join(CURRENT_FILE)).map_err(io)?;
        sync_dir(&self.dir)
    }

    /// Deletes a root key file that no longer wraps anything.
    pub fn remove_key(&self, id: &str) -> Result<(), CryptoError> {
        fs::remove_file(self.key_path(id))
            .map_err(|e| CryptoError::RootKey(format!("cannot remove old root key: {e}")))
    }

    fn key_path(&self, id: &str) -> PathBuf {
        self.dir
            .join(format!("{ROOT_KEY_PREFIX}{id}{ROOT_KEY_SUFFIX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::id::ConversationId;

    fn scope() -> KeyScope {
        KeyScope::Conversation(ConversationId::new())
    }

    #[test]
    fn wrapped_keys_are_bound_to_scope_and_epoch() -> Result<(), CryptoError> {
        let ring = Keyring::new(RootKey::generate()?);
        let (s, e) = (scope(), Epoch::from_index(670));
        let dek = SecretKey::generate()?;
        let wrapped = ring.wrap(s, e, &dek)?;
        assert_eq!(ring.unwrap(s, e, &wrapped)?.bytes(), dek.bytes());
        assert!(ring.unwrap(scope(), e, &wrapped).is_err());
        assert!(ring.unwrap(s, Epoch::from_index(671), &wrapped).is_err());
        let mut tampered = wrapped.clone();
        tampered.ciphertext[20] ^= 1;
        assert!(matches!(
            ring.unwrap(s, e, &tampered),
            Err(CryptoError::Unauthentic)
        ));
        Ok(())
    }

    #[test]
    fn rotation_rewraps_under_the_new_key() -> Result<(), CryptoError> {
        let mut ring = Keyring::new(RootKey::generate()?);
        let (s, e) = (scope(), Epoch::from_index(1));
        let dek = SecretKey::generate()?;
        let old = ring.wrap(s, e, &dek)?;
        ring.add(RootKey::generate()?, true);
        let new = ring.rewrap(s, e, &old)?;
        assert_ne!(new.root_key_id, old.root_key_id);
        let only_new = Keyring::new(ring.current.as_ref().clone());
        assert_eq!(only_new.unwrap(s, e, &new)?.bytes(), dek.bytes());
        assert!(only_new.unwrap(s, e, &old).is_err());
        Ok(())
    }

    #[test]
    fn data_dir_key_is_generated_private_and_reloaded() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let source = RootKeySource::KeyDir(dir.path().join("keys"));
        assert!(Keyring::load(&source).is_err(), "loading never makes a key");
        assert!(!dir.path().join("keys").exists(), "nor its folder");
        let first = Keyring::load_or_create(&source)?;
        let again = Keyring::load(&source)?;
        assert_eq!(first.current_id(), again.current_id());
        let path = dir
            .path()
            .join(format!("keys/root-{}.key", first.current_id()));
        assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        fn mode(path: &Path) -> std::io::Result<u32> {
            fs::metadata(path).map(|m| m.permissions().mode() & 0o777)
        }
        assert_eq!(mode(&dir.path().join("keys/current"))?, 0o600);
        assert_eq!(mode(&dir.path().join("keys"))?, 0o700);
        // A folder opened up since is made private again at the next load.
        fs::set_permissions(dir.path().join("keys"), fs::Permissions::from_mode(0o755))?;
        Keyring::load(&source)?;
        assert_eq!(mode(&dir.path().join("keys"))?, 0o700);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644))?;
        assert!(Keyring::load(&RootKeySource::KeyDir(dir.path().join("keys"))).is_err());
        Ok(())
    }

    #[test]
    fn retired_keys_are_sealed_under_the_current_one_until_removed()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let keys = DataDirKeys::new(&dir.path().join("keys"));
        let mut ring = keys.load_or_create()?;
        let old_id = ring.current_id().to_owned();
        let old_text = fs::read_to_string(keys.key_path(&old_id))?;
        let (s, e) = (scope(), Epoch::from_index(7));
        let dek = SecretKey::generate()?;
        let under_old = ring.wrap(s, e, &dek)?;

        let new = RootKey::generate()?;
        keys.write_key(&new)?;
        ring.add(new, true);
        assert_eq!(keys.seal_retired(&ring)?, std::slice::from_ref(&old_id));
        keys.set_current(ring.current_id())?;
        assert_eq!(
            keys.remove_unsealed_copies(ring.current_id())?,
            std::slice::from_ref(&old_id)
        );
        assert!(!keys.key_path(&old_id).exists());

        let sealed = keys.retired_path(&old_id);
        assert_eq!(fs::metadata(&sealed)?.permissions().mode() & 0o777, 0o600);
        assert!(!fs::read_to_string(&sealed)?.contains(old_text.trim()));
        let reloaded = keys.load()?;
        assert_eq!(reloaded.current_id(), ring.current_id());
        assert_eq!(reloaded.unwrap(s, e, &under_old)?.bytes(), dek.bytes());
        assert_eq!(keys.retired_ids()?, std::slice::from_ref(&old_id));

        // Altered, it is refused by name rather than skipped.
        let text = fs::read_to_string(&sealed)?;
        fs::write(&sealed, text.replace("sealed-by: ", "sealed-by: 0"))?;
        assert!(keys.load().is_err());
        fs::write(&sealed, text)?;

        assert!(keys.remove_retired("../current").is_err());
        keys.remove_retired(&old_id)?;
        let without = keys.load()?;
        assert!(!without.has_root_key(&old_id));
        assert!(without.unwrap(s, e, &under_old).is_err());
        Ok(())
    }

    #[test]
    fn debug_output_hides_keys() -> Result<(), CryptoError> {
        let root = RootKey::generate()?;
        let shown = format!("{root:?}");
        assert!(!shown.contains(root.to_base64().as_str()));
        assert!(shown.contains("redacted"));
        Ok(())
    }
}
