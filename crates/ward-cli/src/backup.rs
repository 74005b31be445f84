//! `ward backup`, `ward backup verify` and `ward restore`: consistent online backups of the
//! embedded database, sealed under the root key. A backup holds no data key (they live in the
//! key vault, in the key directory), so restoring one needs the live key directory: a key that
//! retention destroyed after the backup is gone from it too. A backup made before a root key
//! rotation opens with the retired key the rotation kept, until the operator retires it.
//! PostgreSQL deployments back up with `pg_dump` or point-in-time recovery, and the key
//! directory apart (see the README).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_crypto::archive::{ArchiveError, ArchiveInfo, open_archive, seal_archive};
use ward_crypto::keyring::Keyring;
use ward_server::{Config, OpenError};
use ward_store::backup::{check_sqlite, snapshot_sqlite};

use crate::{ConfigArgs, settings};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    check: Option<BackupCheck>,
    #[command(flatten)]
    config: ConfigArgs,
    /// The backup file to write.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum BackupCheck {
    /// Checks a backup opens with this deployment's root key (or a retired one) and holds a
    /// whole database, without restoring it.
    Verify {
        file: PathBuf,
        #[command(flatten)]
        config: ConfigArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The backup file to restore (into a data directory without a database).
    #[arg(long)]
    from: PathBuf,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    if let Some(BackupCheck::Verify { file, config }) = args.check {
        return verify(&config, &file).await;
    }
    let out = args.out.context("--out FILE is required")?;
    let config = embedded(&args.config)?;
    if !has_database(&config) {
        return Err(OpenError::NoDatabase(config.data_dir.join("ward.db")).into());
    }
    let db = config.data_dir.join("ward.db");
    let keyring = ward_server::load_keyring(&config)?;
    let scratch = tempfile::tempdir_in(parent(&out)).context("cannot write beside --out")?;
    let snapshot = scratch.path().join("snapshot.db");
    snapshot_sqlite(&db, &snapshot).context("taking a consistent copy of the database")?;
    let partial = scratch.path().join("backup.partial");
    let info = {
        let mut input = BufReader::new(File::open(&snapshot)?);
        let mut output = BufWriter::new(File::create(&partial)?);
        seal_archive(&keyring, &mut input, &mut output)?
    };
    File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &out).with_context(|| format!("cannot write {}", out.display()))?;
    println!("backed up {} ({})", out.display(), describe(&info));
    record(
        &config,
        AuditAction::BackupCreated,
        Outcome::Success,
        &info.archive_id,
        Some(info.bytes),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Records a backup or its verification in the deployment's audit log, where the compliance
/// report finds the latest backup and whether it was verified.
async fn record(
    config: &Config,
    action: AuditAction,
    outcome: Outcome,
    archive: &uuid::Uuid,
    bytes: Option<u64>,
) -> anyhow::Result<()> {
    let (store, _keyring) = ward_server::open_existing(config).await?;
    let detail = match bytes {
        Some(bytes) => format!(r#"{{"archive":"{archive}","bytes":{bytes}}}"#),
        None => format!(r#"{{"archive":"{archive}"}}"#),
    };
    let event = NewAuditEvent::new(action, outcome)
        .target(TargetKind::Backup, Some(*archive))
        .detail(detail);
    let appended = store.append_audit(event).await;
    store.close().await;
    appended?;
    Ok(())
}

/// Needs the root key, not the database: a backup can be checked before it is restored into
/// an empty data directory.
async fn verify(config: &ConfigArgs, file: &Path) -> anyhow::Result<ExitCode> {
    let config = embedded(config)?;
    let keyring = ward_server::load_keyring(&config)?;
    let scratch = tempfile::tempdir().context("cannot make a scratch directory")?;
    let opened = scratch.path().join("check.db");
    match open_into(&keyring, file, &opened) {
        Ok(info) => {
            let retired = if info.root_key_id == keyring.current_id() {
                ""
            } else {
                ", a retired root key"
            };
            println!(
                "backup OK: {} ({}{retired})",
                file.display(),
                describe(&info)
            );
            // Checked before a restore, into a data directory without a database: nothing to
            // record it in.
            if has_database(&config) {
                record(
                    &config,
                    AuditAction::BackupVerified,
                    Outcome::Success,
                    &info.archive_id,
                    None,
                )
                .await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("backup BAD: {}: {}", file.display(), explain(&keyring, &e));
            Ok(ExitCode::from(1))
        }
    }
}

fn has_database(config: &Config) -> bool {
    std::fs::metadata(config.data_dir.join("ward.db")).is_ok_and(|m| m.len() > 0)
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let config = embedded(&args.config)?;
    let keyring = ward_server::load_keyring(&config)?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    std::fs::set_permissions(&config.data_dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", config.data_dir.display()))?;
    let db = config.data_dir.join("ward.db");
    if db.exists() {
        bail!(
            "{} exists: restore into a data directory without a database (move it away first)",
            db.display()
        );
    }
    let restoring = config.data_dir.join("ward.db.restoring");
    let info = match open_into(&keyring, &args.from, &restoring) {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_file(&restoring);
            let why = explain(&keyring, &e);
            return Err(
                anyhow::anyhow!(why).context(format!("{} cannot be restored", args.from.display()))
            );
        }
    };
    for stale in ["ward.db-wal", "ward.db-shm"] {
        let _ = std::fs::remove_file(config.data_dir.join(stale));
    }
    std::fs::rename(&restoring, &db)?;
    // The restored log ends where the backup was taken, before the checkpoint the key vault
    // keeps of the log it replaces: that checkpoint goes (where the chain became keyed stays),
    // and the next start anchors the restored log.
    ward_store::vault::forget_audit_checkpoint(&config.key_dir())
        .context("resetting the audit anchor in the key vault")?;
    println!(
        "restored {} into {} ({})",
        args.from.display(),
        db.display(),
        describe(&info)
    );
    Ok(ExitCode::SUCCESS)
}

/// Opens the archive into `target` (mode 0600, whatever the umask) and checks the database it
/// holds.
fn open_into(keyring: &Keyring, file: &Path, target: &Path) -> anyhow::Result<ArchiveInfo> {
    let info = {
        let mut input = BufReader::new(File::open(file)?);
        let created = File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(target)?;
        created.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        let mut output = BufWriter::new(created);
        open_archive(keyring, &mut input, &mut output)?
    };
    File::open(target)?.sync_all()?;
    check_sqlite(target).context("the database in it is not whole")?;
    Ok(info)
}

/// Why a backup did not open; for one made under a root key this deployment no longer holds,
/// also what that means.
fn explain(keyring: &Keyring, e: &anyhow::Error) -> String {
    match e.downcast_ref::<ArchiveError>() {
        Some(ArchiveError::OtherRootKey(id)) if !keyring.has_root_key(id) => format!(
            "{e:#}. Root key {id} is neither this deployment's current root key ({}) nor one \
             of its retired keys: it was retired (`ward admin retire-root-key`), or the backup \
             is another deployment's",
            keyring.current_id()
        ),
        _ => format!("{e:#}"),
    }
}

/// The configuration of an embedded deployment.
fn embedded(args: &ConfigArgs) -> anyhow::Result<Config> {
    let config = settings::load(args, None)?;
    if config.database_url.is_some() {
        bail!(
            "this deployment uses PostgreSQL: back up its main database with pg_dump or \
             point-in-time recovery; its data keys stay in the key database (key_store_url), \
             which is replicated, never archived (see the README)"
        );
    }
    Ok(config)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn describe(info: &ArchiveInfo) -> String {
    format!(
        "{} bytes in {} chunks, archive {}, root key {}",
        info.bytes, info.chunks, info.archive_id, info.root_key_id
    )
}
