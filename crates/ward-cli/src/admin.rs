//! `ward admin`: user creation and root key rotation, with direct access to the data directory.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use secrecy::SecretString;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_crypto::keyring::{DataDirKeys, RootKey, RootKeySource};
use ward_server::Services;
use ward_server::services::NewUser;

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
    /// Generates a new root key and re-wraps every data key under it. Stop the server first.
    RotateRootKey {
        #[command(flatten)]
        config: ConfigArgs,
        /// For a root key kept outside the data directory: the new key file (mode 0600).
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
}

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
            let services = Services::new(store.clone(), keyring, Default::default());
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                password,
            };
            let created = services.create_user(None, new).await;
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
        } => rotate(&config, new_key_file)
            .await
            .map(|()| ExitCode::SUCCESS),
    }
}

/// Removes a user's second factor on the operator's authority.
async fn reset_totp(args: &ConfigArgs, username: &str) -> anyhow::Result<ExitCode> {
    let config = settings::load(args, None)?;
    let (store, keyring) = ward_server::open_existing(&config).await?;
    let services = Services::new(store.clone(), keyring, Default::default());
    let reset = services.reset_totp_by_operator(username).await;
    store.close().await;
    let user = reset.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "removed the second factor of {}; they enrol again at next sign-in",
        user.username
    );
    Ok(ExitCode::SUCCESS)
}

/// Re-wraps every data key under a new root key in one transaction. For the data directory's
/// own key, the new key file is written first and the old one removed only after the commit,
/// so an interruption at any point leaves a keyring that can unwrap every data key.
async fn rotate(args: &ConfigArgs, new_key_file: Option<PathBuf>) -> anyhow::Result<()> {
    let config = settings::load(args, None)?;
    let (store, mut keyring) = ward_server::open_existing(&config).await?;
    let old_ids = keyring.root_key_ids();
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
        (_, None) => bail!("the root key is kept outside the data directory: pass --new-key-file"),
    };
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
    store.close().await;
    if let Some(keys) = data_dir_keys {
        keys.set_current(keyring.current_id())?;
        for id in old_ids {
            keys.remove_key(&id)?;
        }
    }
    println!(
        "re-wrapped {} data keys under root key {}",
        records.len(),
        keyring.current_id()
    );
    if new_key_file.is_some() {
        println!("now point root_key_file (or WARD_ROOT_KEY) at the new key before starting ward");
    }
    Ok(())
}
