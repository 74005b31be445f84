//! Providing PostgreSQL for the tests: find, install, start and configure the local Debian
//! cluster so that user `postgres` logs in at 127.0.0.1:5432 without a password.

use super::*;

/// Where Debian keeps cluster configuration (`<version>/<cluster>/`).
const PG_ETC: &str = "/etc/postgresql";
/// Where Debian installs server binaries (`<version>/bin/postgres`).
const PG_LIB: &str = "/usr/lib/postgresql";
/// The cluster name Debian creates by default.
const CLUSTER: &str = "main";
/// `pg_hba.conf` rules that let local TCP connections in without a password.
const HBA_TRUST_RULES: [&str; 2] = [
    "host all all 127.0.0.1/32 trust",
    "host all all ::1/128 trust",
];

/// How long a TCP connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause between readiness or login checks.
const RETRY_DELAY: Duration = Duration::from_secs(1);
/// How many times to ask `pg_isready` after starting a cluster.
const READY_ATTEMPTS: u32 = 30;
/// How many times to try logging in after reloading `pg_hba.conf`.
const LOGIN_ATTEMPTS: u32 = 5;

/// Makes sure PostgreSQL accepts user `postgres` without a password at
/// 127.0.0.1:5432, installing, starting and configuring it as needed.
pub(crate) fn ensure_postgres() -> Outcome {
    step(format!("checking PostgreSQL at {PG_HOST}:{PG_PORT}"));
    let reachable = port_open();
    if !reachable || !on_path("psql") {
        ensure_installed()?;
    }
    if !reachable {
        step("PostgreSQL is not reachable; starting the local cluster");
        start_postgres()?;
    }
    ensure_trusted_login()?;
    step(format!("PostgreSQL is ready at {PG_URL}"));
    Ok(())
}

/// Whether something accepts TCP connections at 127.0.0.1:5432.
fn port_open() -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], PG_PORT));
    TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).is_ok()
}

/// Whether the Debian server packages (cluster tools, client, server) are present.
fn postgres_installed() -> bool {
    on_path("pg_ctlcluster") && on_path("psql") && !server_versions().is_empty()
}

/// Installs PostgreSQL with apt-get when it is missing; only root may do so.
fn ensure_installed() -> Outcome {
    if postgres_installed() {
        return Ok(());
    }
    if !is_root() {
        return Err(Failure::new(
            "PostgreSQL is not installed and xtask is not running as root; \
             install the `postgresql` package",
        ));
    }
    if !on_path("apt-get") {
        return Err(Failure::new(
            "PostgreSQL is not installed and apt-get is not available",
        ));
    }
    step("PostgreSQL is not installed; installing it with apt-get");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if postgres_installed() {
        Ok(())
    } else {
        Err(Failure::new(
            "apt-get installed postgresql but its tools are still missing",
        ))
    }
}

/// Starts a cluster configured for port 5432 (creating one if there is no
/// cluster at all) and waits until it accepts connections.
fn start_postgres() -> Outcome {
    if main_clusters().is_empty() {
        create_cluster()?;
    }
    let clusters = clusters_on_port();
    if clusters.is_empty() {
        return Err(Failure::new(format!(
            "no PostgreSQL cluster under {PG_ETC} is configured for port {PG_PORT}"
        )));
    }
    for version in &clusters {
        if start_cluster(version) && wait_until_ready() {
            return Ok(());
        }
    }
    Err(Failure::new(format!(
        "PostgreSQL did not start at {PG_HOST}:{PG_PORT}; see /var/log/postgresql/"
    )))
}

/// Creates the `main` cluster of the newest installed server on port 5432.
fn create_cluster() -> Outcome {
    let Some(version) = server_versions().into_iter().next() else {
        return Err(Failure::new(format!("no PostgreSQL server under {PG_LIB}")));
    };
    if !is_root() {
        return Err(Failure::new(format!(
            "no PostgreSQL cluster under {PG_ETC}, and only root may create one"
        )));
    }
    step(format!(
        "no PostgreSQL cluster exists; creating {version}/{CLUSTER}"
    ));
    run(Command::new("pg_createcluster")
        .arg("--port")
        .arg(PG_PORT.to_string())
        .args([version.as_str(), CLUSTER]))
}

/// Starts cluster `version`/main; `true` if it started or was already running.
fn start_cluster(version: &str) -> bool {
    match run(&mut pg_ctlcluster(version, "start")) {
        Ok(()) => true,
        // pg_ctlcluster exits with 2 when the cluster is already running.
        Err(failure) if failure.code == 2 => true,
        Err(failure) => {
            step(failure.message);
            false
        }
    }
}

/// Polls `pg_isready` (or the TCP port, without it) until the server answers.
fn wait_until_ready() -> bool {
    step(format!(
        "waiting for PostgreSQL to accept connections (up to {READY_ATTEMPTS} tries)"
    ));
    for attempt in 1..=READY_ATTEMPTS {
        if server_ready() {
            return true;
        }
        if attempt < READY_ATTEMPTS {
            thread::sleep(RETRY_DELAY);
        }
    }
    false
}

/// One readiness probe.
fn server_ready() -> bool {
    let probe = Command::new("pg_isready")
        .args(["-q", "-h", PG_HOST, "-p"])
        .arg(PG_PORT.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match probe {
        Ok(status) => status.success(),
        Err(_) => port_open(),
    }
}

/// Makes sure user `postgres` can log in over TCP without a password, adding
/// trust rules to `pg_hba.conf` when it cannot.
fn ensure_trusted_login() -> Outcome {
    let Err(reason) = psql_select_1() else {
        return Ok(());
    };
    step(format!("psql as user postgres failed: {reason}"));
    trust_localhost()?;
    login_with_retries().map_err(|reason| {
        Failure::new(format!(
            "PostgreSQL at {PG_HOST}:{PG_PORT} still rejects user postgres: {reason}"
        ))
    })
}

/// Runs `select 1` as user `postgres` over TCP; `Err` carries psql's complaint.
fn psql_select_1() -> Result<(), String> {
    let output = Command::new("psql")
        .args(["-X", "-w", "-h", PG_HOST, "-p"])
        .arg(PG_PORT.to_string())
        .args(["-U", "postgres", "-d", "postgres", "-tAc", "select 1"])
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot run psql: {err}"))?;
    let answer = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && answer.trim() == "1" {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// Retries the login check, giving a reloaded server time to reread its config.
fn login_with_retries() -> Result<(), String> {
    let mut outcome = psql_select_1();
    for _ in 1..LOGIN_ATTEMPTS {
        if outcome.is_ok() {
            break;
        }
        thread::sleep(RETRY_DELAY);
        outcome = psql_select_1();
    }
    outcome
}

/// Prepends the trust rules to the `pg_hba.conf` of every cluster on port
/// 5432 that lacks them, and reloads those clusters.
fn trust_localhost() -> Outcome {
    let clusters = clusters_on_port();
    if clusters.is_empty() {
        return Err(Failure::new(format!(
            "cannot find the pg_hba.conf of the server on port {PG_PORT} under {PG_ETC}"
        )));
    }
    for version in &clusters {
        let hba = cluster_dir(version).join("pg_hba.conf");
        if prepend_trust_rules(&hba)? {
            step(format!(
                "added trust rules for 127.0.0.1 and ::1 to {}",
                hba.display()
            ));
            run(&mut pg_ctlcluster(version, "reload"))?;
        }
    }
    Ok(())
}

/// Puts [`HBA_TRUST_RULES`] first in the `pg_hba.conf` at `path`; `false`
/// when they already come first.
fn prepend_trust_rules(path: &Path) -> Outcome<bool> {
    let current = fs::read_to_string(path)
        .map_err(|err| Failure::new(format!("cannot read {}: {err}", path.display())))?;
    if starts_with_trust_rules(&current) {
        return Ok(false);
    }
    let updated = format!(
        "# Added by `cargo xtask`: trust local TCP connections for the tests.\n{}\n{current}",
        HBA_TRUST_RULES.join("\n")
    );
    fs::write(path, updated)
        .map_err(|err| Failure::new(format!("cannot write {}: {err}", path.display())))?;
    Ok(true)
}

/// Whether the first rules of a `pg_hba.conf` are [`HBA_TRUST_RULES`].
fn starts_with_trust_rules(hba: &str) -> bool {
    let rules: Vec<String> = hba
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .take(HBA_TRUST_RULES.len())
        .collect();
    rules == HBA_TRUST_RULES
}

/// `pg_ctlcluster` acting on cluster `version`/main directly, not via systemd.
fn pg_ctlcluster(version: &str, action: &str) -> Command {
    let mut cmd = Command::new("pg_ctlcluster");
    cmd.args(["--skip-systemctl-redirect", version, CLUSTER, action]);
    cmd
}

/// Installed server versions (directories of [`PG_LIB`] holding `bin/postgres`), newest first.
fn server_versions() -> Vec<String> {
    let mut versions: Vec<String> = subdirs(Path::new(PG_LIB))
        .into_iter()
        .filter(|version| {
            Path::new(PG_LIB)
                .join(version)
                .join("bin/postgres")
                .is_file()
        })
        .collect();
    newest_first(&mut versions);
    versions
}

/// Versions that have a `main` cluster under [`PG_ETC`], newest first.
fn main_clusters() -> Vec<String> {
    let mut versions: Vec<String> = subdirs(Path::new(PG_ETC))
        .into_iter()
        .filter(|version| cluster_dir(version).join("postgresql.conf").is_file())
        .collect();
    newest_first(&mut versions);
    versions
}

/// Versions whose `main` cluster is configured for port 5432, newest first.
fn clusters_on_port() -> Vec<String> {
    main_clusters()
        .into_iter()
        .filter(|version| cluster_port(version) == PG_PORT)
        .collect()
}

/// Configuration directory of cluster `version`/main.
fn cluster_dir(version: &str) -> PathBuf {
    Path::new(PG_ETC).join(version).join(CLUSTER)
}

/// The port cluster `version`/main is configured for (PostgreSQL's default
/// when `postgresql.conf` does not say).
fn cluster_port(version: &str) -> u16 {
    fs::read_to_string(cluster_dir(version).join("postgresql.conf"))
        .ok()
        .and_then(|conf| conf.lines().rev().find_map(port_setting))
        .unwrap_or(PG_PORT)
}

/// The value of a `port = N` line of `postgresql.conf`, if `line` is one.
fn port_setting(line: &str) -> Option<u16> {
    let setting = line.split_once('#').map_or(line, |(setting, _)| setting);
    let value = setting.trim().strip_prefix("port")?.trim_start();
    let value = value.strip_prefix('=')?.trim().trim_matches('\'');
    value.parse().ok()
}

/// Sorts version strings such as `9.6`, `15` and `16` newest first.
fn newest_first(versions: &mut [String]) {
    versions.sort_by_key(|version| {
        Reverse(
            version
                .split('.')
                .map(|part| part.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>(),
        )
    });
}

/// Names of the subdirectories of `dir` (none when it cannot be read).
fn subdirs(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect()
}

// ---------------------------------------------------------------------------
// Processes and environment
// ---------------------------------------------------------------------------
