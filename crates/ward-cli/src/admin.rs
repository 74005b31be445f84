//! `ward admin`: user creation, root key rotation and retirement, with direct access to the data
//! directory.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use secrecy::SecretString;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_crypto::keyring::{DataDirKeys, RootKey, RootKeySource, is_root_key_id};
use ward_server::services::NewUser;
use ward_server::{Config, Services};
use ward_store::instance_lock::{InstanceLock, LockError};

use crate::{ConfigArgs, settings};

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Creates a user; the password is read from standard input.
    CreateUser {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        username: String,
        /// admin, compliance_officer, physician, nurse, pharmacist, staff or patient.
        #[arg(long)]
        role: String,
        /// The name others see; defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Removes a user's second factor, so they enrol a new one at their next sign-in.
    ResetTotp {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        username: String,
    },
    /// Generates a new root key and re-wraps every data key under it. Refused (exit 2) while
    /// any server uses the data directory or database: stop every node first. The old root key
    /// is kept, sealed under the new one, so earlier backups still open; an interrupted
    /// rotation leaves every key readable and is finished by running it again.
    RotateRootKey {
        #[command(flatten)]
        config: ConfigArgs,
        /// For a root key kept outside the data directory: the new key file (mode 0600).
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
    /// Deletes a retired root key for good (audited). Every backup made under it can then no
    /// longer be verified or restored; refused while any data key is still wrapped under it.
    RetireRootKey {
        #[command(flatten)]
        config: ConfigArgs,
        /// The retired key's id, as `rotate-root-key` and `backup verify` print it.
        #[arg(long)]
        id: String,
    },
}

/// Test hook, not for operators: `WARD_TEST_ABORT_ROTATION_AT=<step>` kills the rotation
/// (SIGKILL, as a crash would) right after that step: `key-written` (the new root key's file),
/// `committed` (every data key re-wrapped, in one transaction), `retired` (the old keys
/// sealed under the new one) or `switched` (`current` names the new key; the old key files
/// are not yet removed).
const ABORT_ROTATION_ENV: &str = "WARD_TEST_ABORT_ROTATION_AT";

pub async fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::CreateUser {
            config,
            username,
            role,
            display_name,
            password_stdin: _,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password")?;
            let password = SecretString::from(password.trim_end_matches(['\r', '\n']).to_owned());
            let config = settings::load(&config, None)?;
            let (store, keyring) = ward_server::open(&config).await?;
            let services = Services::offline(store.clone(), keyring);
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                password,
            };
            let created = services.identity().create_user(None, new).await;
            store.close().await;
            let user = created.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created user {} ({}) with id {}",
                user.username, user.role, user.id
            );
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ResetTotp { config, username } => reset_totp(&config, &username).await,
        AdminCommand::RotateRootKey {
            config,
            new_key_file,
        } => rotate(&config, new_key_file).await,
        AdminCommand::RetireRootKey { config, id } => retire(&config, &id).await,
    }
}

/// Removes a user's second factor on the operator's authority.
async fn reset_totp(args: &ConfigArgs, username: &str) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let services = Services::offline(store.clone(), keyring);
    let reset = services.identity().reset_totp_by_operator(username).await;
    store.close().await;
    let user = reset.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "removed the second factor of {}; they enrol again at next sign-in",
        user.username
    );
    Ok(ExitCode::SUCCESS)
}

/// Re-wraps every data key under a new root key, holding the deployment's lock exclusively:
/// refused with exit code 2, changing nothing, while any server holds it.
async fn rotate(args: &ConfigArgs, new_key_file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, None)?;
    let lock = match InstanceLock::exclusive(&config.store()).await {
        Ok(lock) => lock,
        Err(e @ (LockError::ServerRunning | LockError::RotationRunning)) => {
            eprintln!("error: {e}; nothing was changed");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let rotated = rotate_locked(&config, new_key_file).await;
    lock.release().await;
    rotated.map(|()| ExitCode::SUCCESS)
}

/// The steps, each leaving a deployment that opens every data key if the next never comes:
/// the new root key's file is written (and loaded beside the current one); every data key is
/// re-wrapped under it in one transaction with its audit event; for the data directory's own
/// key, every other root key is sealed under the new one as a retired key, `current` is
/// switched to the new key by an atomic rename, and only then are the old key files removed.
/// Running it again after an interruption finishes the job (under one more new key).
async fn rotate_locked(config: &Config, new_key_file: Option<PathBuf>) -> anyhow::Result<()> {
    let (store, mut keyring) = ward_server::open_existing(config).await?;
    let mut old_ids = keyring.root_key_ids();
    old_ids.sort();
    let data_dir_keys = match (config.root_key_source(), &new_key_file) {
        (RootKeySource::KeyDir(dir), None) => {
            let keys = DataDirKeys::new(&dir);
            let new = RootKey::generate()?;
            keys.write_key(&new)?;
            keyring.add(new, true);
            Some(keys)
        }
        (_, Some(path)) => {
            keyring.add(RootKey::from_file(path)?, true);
            None
        }
        (_, None) => {
            store.close().await;
            bail!("the root key is kept outside the data directory: pass --new-key-file");
        }
    };
    crash_point("key-written");
    let committed = rewrap_all(store.as_ref(), &keyring, &old_ids).await;
    store.close().await;
    let rewrapped = committed?;
    crash_point("committed");
    let mut retired = Vec::new();
    if let Some(keys) = data_dir_keys {
        retired = keys.seal_retired(&keyring)?;
        crash_point("retired");
        keys.set_current(keyring.current_id())?;
        crash_point("switched");
        keys.remove_unsealed_copies(keyring.current_id())?;
    }
    println!(
        "re-wrapped {rewrapped} data keys under root key {}",
        keyring.current_id()
    );
    if !retired.is_empty() {
        println!(
            "kept the earlier root keys {} as retired keys, sealed under the new one: backups \
             made under them still open; `ward admin retire-root-key --id ID` deletes one",
            retired.join(", ")
        );
    }
    if new_key_file.is_some() {
        println!("now point root_key_file (or WARD_ROOT_KEY) at the new key before starting ward");
        println!("keep the old key file: backups made under it open only with it (root_key_file)");
    }
    Ok(())
}

/// Re-wraps every data key under the keyring's current key and commits them, with the audit
/// event, in one transaction; how many there were.
async fn rewrap_all(
    store: &dyn ward_store::Store,
    keyring: &ward_crypto::keyring::Keyring,
    old_ids: &[String],
) -> anyhow::Result<usize> {
    let mut records = store.data_keys().await?;
    for record in &mut records {
        record.wrapped = keyring.rewrap(record.scope, record.epoch, &record.wrapped)?;
    }
    let detail = serde_json::json!({
        "from": old_ids,
        "to": keyring.current_id(),
        "data_keys": records.len(),
    });
    let event = NewAuditEvent::new(AuditAction::RootKeyRotated, Outcome::Success)
        .target(TargetKind::Keyring, None)
        .detail(detail.to_string());
    store.replace_wrapped_keys(&records, event).await?;
    Ok(records.len())
}

/// Kills the process here (SIGKILL, as `kill -9` would; no core file holding keys) if the test
/// hook ([`ABORT_ROTATION_ENV`]) names this step.
fn crash_point(step: &str) {
    if std::env::var(ABORT_ROTATION_ENV).is_ok_and(|at| at == step) {
        eprintln!("{ABORT_ROTATION_ENV}: killing the rotation after step {step}");
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
        // Only if `kill` could not be run.
        std::process::exit(137);
    }
}

/// Deletes a retired root key, after recording it in the audit log. Refused for the current
/// key and for a key that still wraps a data key (a rotation interrupted before its commit
/// could leave one); a key given by `root_key_file` or `WARD_ROOT_KEY` has no retired keys.
async fn retire(args: &ConfigArgs, id: &str) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, None)?;
    if !is_root_key_id(id) {
        bail!("{id:?} is not a root key id (16 lowercase hex digits)");
    }
    let RootKeySource::KeyDir(dir) = config.root_key_source() else {
        bail!(
            "this deployment's root key comes from root_key_file or WARD_ROOT_KEY: it keeps no \
             retired keys (delete an old key file yourself)"
        );
    };
    let keys = DataDirKeys::new(&dir);
    let retired = keys.retired_ids()?;
    if !retired.iter().any(|r| r == id) {
        bail!(
            "there is no retired root key {id} in {} (retired keys: {})",
            dir.display(),
            if retired.is_empty() {
                "none".to_owned()
            } else {
                retired.join(", ")
            }
        );
    }
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let recorded = record_retirement(store.as_ref(), keyring.current_id(), id).await;
    store.close().await;
    recorded?;
    keys.remove_retired(id)?;
    println!("retired root key {id}: backups made under it can no longer be verified or restored");
    Ok(ExitCode::SUCCESS)
}

/// Checks the key wraps nothing and is not current, then appends the audit event.
async fn record_retirement(
    store: &dyn ward_store::Store,
    current: &str,
    id: &str,
) -> anyhow::Result<()> {
    if current == id {
        bail!("root key {id} is the current root key: rotate first");
    }
    let wrapped = store
        .data_keys()
        .await?
        .iter()
        .filter(|record| record.wrapped.root_key_id == id)
        .count();
    if wrapped > 0 {
        bail!(
            "root key {id} still wraps {wrapped} data keys: run `ward admin rotate-root-key` \
             (server stopped) first"
        );
    }
    let detail = serde_json::json!({ "retired": id, "current": current });
    let event = NewAuditEvent::new(AuditAction::RootKeyRotated, Outcome::Success)
        .target(TargetKind::Keyring, None)
        .detail(detail.to_string());
    store.append_audit(event).await?;
    Ok(())
}
