//! Project chores for the Ward workspace, run through the cargo alias
//! `cargo xtask <task>`.
//!
//! * `test [ARGS...]`: make sure PostgreSQL is available, then run every test
//!   (`cargo nextest run`, or `cargo test` when nextest is not installed).
//! * `pg`: make sure PostgreSQL is available and print its URL.
//! * `lint`: `cargo fmt --check`, `cargo clippy -D warnings`, `cargo deny check licenses bans
//!   sources` and svelte-check.
//! * `openapi`: write the API document to `web/openapi.json` and regenerate the web client's
//!   types from it.
//! * `fuzz [--seconds N] [--no-sanitizer] [TARGET...]`: the cargo-fuzz targets in `fuzz/`
//!   (all by default) for N seconds each, installing cargo-fuzz when missing.
//! * `cluster`: PostgreSQL, NATS and three `ward` nodes with the demo organisation.
//! * `ci`: `lint`, then `test`, then a bounded `fuzz` run; this is what `.ci/run` runs.
//!
//! "Available" means a server at 127.0.0.1:5432 that lets user `postgres` in
//! without a password. When none is there, the task starts the local Debian
//! cluster, installing PostgreSQL first when running as root.

use std::cmp::Reverse;
use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt::Display;
use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

mod cluster;
mod fuzz;
mod pg;
mod schemathesis;
mod web;

use pg::ensure_postgres;

/// Usage text printed for `help` and for unknown tasks.
const USAGE: &str = "\
usage: cargo xtask <task> [ARGS...]

tasks:
  test [ARGS...]  ensure PostgreSQL, then run every test with cargo nextest
                  (or cargo test); ARGS are passed to the test runner
  pg              ensure PostgreSQL at 127.0.0.1:5432 with trust auth for
                  user postgres, then print its URL
  lint            cargo fmt --check, cargo clippy -D warnings, cargo deny
                  check licenses bans sources, svelte-check
  web             build the web client into web/dist (embedded by the next cargo build)
  openapi         write the API document to web/openapi.json and regenerate the
                  web client's types from it (after an API change)
  demo [ARGS...]  build the web client, then run `ward demo` (release); ARGS go to it
  cluster         PostgreSQL, NATS JetStream and three `ward` nodes with the demo
                  organisation on loopback ports (fresh each run); Ctrl-C stops them
  fuzz [--seconds N] [--no-sanitizer] [TARGET...]
                  run the cargo-fuzz targets in fuzz/ (all by default) for N
                  seconds each (default 60), on stable with RUSTC_BOOTSTRAP=1;
                  installs cargo-fuzz when missing; fails on any crash
  ci              lint, test, then fuzz every target for 20 seconds (what
                  .ci/run runs)

test also builds the web client first and, after the Rust tests, runs its
end-to-end tests in Debian's Chromium (installed when missing). It installs
what the tests run when missing: exiftool, strace and sslscan (Debian), and
schemathesis (PyPI, in a virtualenv under ~/.cache/ward).";

/// Exit code for a usage error.
const USAGE_EXIT: u8 = 2;

/// Host the test PostgreSQL server listens on.
const PG_HOST: &str = "127.0.0.1";
/// Port the test PostgreSQL server listens on.
const PG_PORT: u16 = 5432;
/// URL handed to the tests.
const PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Environment variable the tests read the PostgreSQL URL from.
const PG_URL_VAR: &str = "WARD_TEST_PG_URL";
/// Environment variable telling the tests to fail rather than skip without PostgreSQL.
const REQUIRE_PG_VAR: &str = "WARD_REQUIRE_PG";
/// Set in CI: the cluster tests fail, rather than pass saying why, without `nats-server`.
const REQUIRE_NATS_VAR: &str = "WARD_REQUIRE_NATS";
/// Names the schemathesis program for the API fuzzing test (T6).
const SCHEMATHESIS_VAR: &str = "WARD_SCHEMATHESIS";
/// Names the Python (with http-ece) the Web Push service of the notification tests runs on.
const PUSH_PYTHON_VAR: &str = "WARD_PUSH_PYTHON";

/// Why a task failed, and the exit code to report it with.
#[derive(Debug)]
struct Failure {
    /// What went wrong, for the user.
    message: String,
    /// Process exit code (never 0).
    code: u8,
}

impl Failure {
    /// A failure with exit code 1.
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }

    /// A child process `line` exited unsuccessfully; keep its exit code.
    fn exited(line: &str, status: ExitStatus) -> Self {
        let code = status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .filter(|&code| code != 0)
            .unwrap_or(1);
        Self {
            message: format!("`{line}` failed ({status})"),
            code,
        }
    }
}

/// Result of a task or step.
type Outcome<T = ()> = Result<T, Failure>;

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let task = args.next();
    let rest: Vec<OsString> = args.collect();
    match task.as_deref().and_then(OsStr::to_str) {
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        name => match dispatch(name, &rest) {
            Some(outcome) => report(outcome),
            None => usage_error(task.as_deref()),
        },
    }
}

/// Runs the task called `name`; `None` when there is no such task or it got
/// arguments it does not take.
fn dispatch(name: Option<&str>, rest: &[OsString]) -> Option<Outcome> {
    match name? {
        "test" => Some(task_test(rest)),
        "pg" if rest.is_empty() => Some(task_pg()),
        "lint" if rest.is_empty() => Some(task_lint()),
        "web" if rest.is_empty() => Some(web::build()),
        "openapi" if rest.is_empty() => Some(web::regenerate_api_types()),
        "demo" => Some(task_demo(rest)),
        "cluster" if rest.is_empty() => Some(cluster::run_cluster()),
        "fuzz" => fuzz::Options::parse(rest).map(|options| fuzz::run_targets(&options)),
        "ci" if rest.is_empty() => Some(task_ci()),
        _ => None,
    }
}

/// Prints the usage text for a bad command line and returns the usage exit code.
fn usage_error(task: Option<&OsStr>) -> ExitCode {
    if let Some(task) = task {
        eprintln!(
            "xtask: unknown task or unexpected arguments: {}",
            task.to_string_lossy()
        );
    }
    eprintln!("{USAGE}");
    ExitCode::from(USAGE_EXIT)
}

/// Turns a task's outcome into the process exit code, printing any error.
fn report(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xtask: error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

/// `cargo xtask test`: provide PostgreSQL, then run every test with `extra`
/// passed to the test runner.
fn task_test(extra: &[OsString]) -> Outcome {
    let ci = in_ci();
    // The attachment tests read the metadata of downloaded photos with exiftool; the full-disk
    // test makes the server's file writes fail with strace.
    ensure_program("exiftool", "libimage-exiftool-perl")?;
    ensure_program("strace", "strace")?;
    // The TLS test scans a listener with sslscan.
    ensure_program("sslscan", "sslscan")?;
    // The cluster tests start their own NATS JetStream servers.
    ensure_program("nats-server", "nats-server")?;
    // The API fuzzing test runs schemathesis from a virtualenv.
    let st = schemathesis::ensure()?;
    // The notification tests run a Web Push service that decrypts with http-ece.
    let push_python = schemathesis::ensure_push_python()?;
    let pg_url = postgres_for_tests(ci)?;
    web::build()?;
    let rust = run_tests(
        extra,
        pg_url,
        ci,
        &[(SCHEMATHESIS_VAR, &st), (PUSH_PYTHON_VAR, &push_python)],
    );
    // The browser tests run even when a Rust test failed, so one run reports both.
    let browser = web::end_to_end();
    rust.and(browser)
}

fn task_demo(extra: &[OsString]) -> Outcome {
    web::build()?;
    run(cargo()
        .args([
            "run",
            "--release",
            "-p",
            "ward-cli",
            "--bin",
            "ward",
            "--",
            "demo",
        ])
        .args(extra))
}

/// `cargo xtask pg`: provide PostgreSQL and print its URL.
fn task_pg() -> Outcome {
    ensure_postgres()?;
    println!("{PG_URL}");
    Ok(())
}

/// `cargo xtask lint`: formatting check, clippy with warnings denied, the supply-chain check
/// and svelte-check.
fn task_lint() -> Outcome {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    supply_chain()?;
    web::check()
}

/// T14: the licenses, banned crates (OpenSSL, native TLS, ring) and sources of every
/// dependency, with cargo-deny (built once when missing; the advisory database cannot be
/// fetched here, so advisories are not checked).
fn supply_chain() -> Outcome {
    ensure_cargo_tool("deny", "cargo-deny", "about 10 minutes")?;
    run(cargo().args(["deny", "check", "licenses", "bans", "sources"]))
}

/// `cargo xtask ci`: lint, test, then a bounded run of every fuzz target (T7).
fn task_ci() -> Outcome {
    task_lint()?;
    task_test(&[])?;
    fuzz::run_targets(&fuzz::Options::ci())
}

/// Provides PostgreSQL for the tests and returns the URL to export, if any.
///
/// A URL already set by the user is left alone (`None`). When PostgreSQL
/// cannot be had, CI fails while a developer machine gets a warning and the
/// PostgreSQL tests skip themselves.
fn postgres_for_tests(ci: bool) -> Outcome<Option<&'static str>> {
    if env::var_os(PG_URL_VAR).is_some_and(|url| !url.is_empty()) {
        step(format!("using {PG_URL_VAR} from the environment"));
        return Ok(None);
    }
    match ensure_postgres() {
        Ok(()) => Ok(Some(PG_URL)),
        Err(failure) if ci => Err(Failure::new(format!(
            "PostgreSQL is required when CI is set: {}",
            failure.message
        ))),
        Err(failure) => {
            eprintln!(
                "xtask: warning: PostgreSQL is unavailable ({}); PostgreSQL tests will be skipped",
                failure.message
            );
            Ok(None)
        }
    }
}

/// Runs the workspace tests (no doctests) with nextest when installed, else
/// `cargo test`.
/// Runs the Rust tests with `tools` (variable, program) in their environment.
fn run_tests(
    extra: &[OsString],
    pg_url: Option<&str>,
    ci: bool,
    tools: &[(&str, &Path)],
) -> Outcome {
    let mut cmd = cargo();
    if nextest_available() {
        cmd.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        step("cargo-nextest is not installed; using cargo test");
        cmd.args([
            "test",
            "--workspace",
            "--no-fail-fast",
            "--lib",
            "--bins",
            "--tests",
        ]);
    }
    cmd.args(extra);
    for (var, program) in tools {
        cmd.env(var, program);
    }
    if let Some(url) = pg_url {
        step(format!("{PG_URL_VAR}={url}"));
        cmd.env(PG_URL_VAR, url);
    }
    if ci {
        step(format!("{REQUIRE_PG_VAR}=1 {REQUIRE_NATS_VAR}=1"));
        cmd.env(REQUIRE_PG_VAR, "1").env(REQUIRE_NATS_VAR, "1");
    }
    run(&mut cmd)
}

/// Installs the Debian package that provides `program` when it is not on `PATH` (as root,
/// with apt-get); fails if it cannot be had.
fn ensure_program(program: &str, package: &str) -> Outcome {
    if on_path(program) {
        return Ok(());
    }
    if !is_root() || !on_path("apt-get") {
        return Err(Failure::new(format!(
            "{program} is missing: install the Debian package `{package}`"
        )));
    }
    step(format!(
        "{program} is missing; installing {package} with apt-get"
    ));
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", package])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if on_path(program) {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "apt-get installed {package} but {program} is still missing"
        )))
    }
}

/// Whether `cargo nextest` works.
fn nextest_available() -> bool {
    cargo_has("nextest")
}

/// Whether `cargo SUBCOMMAND --version` works.
fn cargo_has(subcommand: &str) -> bool {
    cargo()
        .args([subcommand, "--version"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Builds `package` with `cargo install --locked` when `cargo SUBCOMMAND` does not run (once;
/// `how_long` tells the user what to expect).
fn ensure_cargo_tool(subcommand: &str, package: &str, how_long: &str) -> Outcome {
    if cargo_has(subcommand) {
        return Ok(());
    }
    step(format!(
        "{package} is missing; building it ({how_long}, once)"
    ));
    run(cargo().args(["install", package, "--locked"]))
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

/// A `cargo` command (the cargo running xtask, if known) in the workspace root.
fn cargo() -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(program);
    cmd.current_dir(workspace_root());
    cmd
}

/// The workspace root: the nearest directory, from the current one up, whose `Cargo.toml`
/// declares a `[workspace]`. Found at run time, not compile time: clones that share one target
/// directory share this binary, and each must test itself.
fn workspace_root() -> PathBuf {
    let start = env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    start
        .ancestors()
        .find(|dir| {
            fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
        })
        .unwrap_or(&start)
        .to_path_buf()
}

/// Logs `cmd`, runs it with stdin closed, and fails unless it exits with 0.
fn run(cmd: &mut Command) -> Outcome {
    let line = describe(cmd);
    step(format!("running {line}"));
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|err| Failure::new(format!("cannot run `{line}`: {err}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::exited(&line, status))
    }
}

/// A command as a short shell-like line (program name without its directory).
fn describe(cmd: &Command) -> String {
    let program = cmd.get_program();
    let name = Path::new(program).file_name().unwrap_or(program);
    let mut words = vec![name.to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    words.join(" ")
}

/// Whether an executable called `name` is on `PATH`.
fn on_path(name: &str) -> bool {
    env::var_os("PATH")
        .is_some_and(|paths| env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// Whether xtask runs as root (`id -u` prints 0).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Whether we run in CI: `CI` is set to something other than empty, `0` or `false`.
fn in_ci() -> bool {
    env::var_os("CI").is_some_and(|value| !value.is_empty() && value != "0" && value != "false")
}

/// Logs one step to stderr.
fn step(message: impl Display) {
    eprintln!("xtask: {message}");
}
