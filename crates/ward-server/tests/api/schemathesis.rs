//! T6: schemathesis (from PyPI) generates requests for every operation of the OpenAPI document
//! the server serves, valid and invalid, with an admin's session and then a nurse's, and checks
//! each answer: no server error, a status the document lists for that operation, the documented
//! content type, headers and body schema.
//!
//! `cargo xtask test` makes the virtualenv and names its `st` in `WARD_SCHEMATHESIS`; without it
//! the test is skipped, except in CI. The bounded run here takes a few examples per operation;
//! the long run is `WARD_SCHEMATHESIS_EXAMPLES=200 cargo xtask test schemathesis` (SECURITY.md).

use std::ffi::OsStr;
use std::process::Command;

use ward_client::Client;

use crate::TestServer;

/// The `st` program to run.
const ST_VAR: &str = "WARD_SCHEMATHESIS";
/// Examples generated per operation and phase; a longer run raises it.
const EXAMPLES_VAR: &str = "WARD_SCHEMATHESIS_EXAMPLES";
const DEFAULT_EXAMPLES: u32 = 12;

/// What schemathesis checks on every answer.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

/// Operations that end or downgrade the caller's own session: a generated call would sign the
/// run out halfway (schemathesis finds the caller's session id in `GET /sessions` and revokes
/// or wipes it). The contract and authorization tests cover them.
const SESSION_ENDING: [&str; 5] = [
    "/api/v1/auth/logout",
    "/api/v1/auth/wipe-confirmation",
    "/api/v1/me/totp",
    "/api/v1/sessions/{id}",
    "/api/v1/sessions/{id}/wipe",
];

/// Operations whose valid calls change the rules every later call runs under (a generated
/// policy can end the caller's session at once; a generated role can take the admin's
/// permissions): fuzzed by the admin last, alone.
const RULE_CHANGING: [&str; 2] = ["/api/v1/policy", "/api/v1/roles/{name}"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    fuzz_api("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    fuzz_api("postgres").await;
}

async fn fuzz_api(backend: &str) {
    let Some(st) = std::env::var_os(ST_VAR) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{ST_VAR} is required in CI (cargo xtask test installs schemathesis)"
        );
        eprintln!("skipped: {ST_VAR} is not set (cargo xtask test sets it)");
        return;
    };
    let examples = std::env::var(EXAMPLES_VAR)
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(DEFAULT_EXAMPLES);
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let (admin, _) = server.admin().await;
    let run = Run {
        st: &st,
        url: &server.url,
        backend,
        examples,
    };
    let not_rules = [&SESSION_ENDING[..], &RULE_CHANGING[..]].concat();
    run.check("admin", &admin, &Filter::Exclude(not_rules))
        .await;
    // The nurse signs in after the admin's run, which may have disabled or reset any account
    // it listed.
    let nurse = server.user(&admin, "nurse.fuzz", "nurse").await;
    run.check("nurse", &nurse, &Filter::Exclude(SESSION_ENDING.to_vec()))
        .await;
    run.check("admin, rules", &admin, &Filter::Include(&RULE_CHANGING))
        .await;
    server.stop().await;
}

/// One server to run schemathesis against.
struct Run<'a> {
    st: &'a OsStr,
    url: &'a str,
    backend: &'a str,
    examples: u32,
}

impl Run<'_> {
    /// Runs schemathesis over the operations `filter` takes, as `client`, and asserts it found
    /// nothing.
    async fn check(&self, who: &str, client: &Client, filter: &Filter<'_>) {
        let Self {
            st,
            url,
            backend,
            examples,
        } = *self;
        let token = client.token().expect("a bearer session").to_owned();
        // Schemathesis keeps its state in the working directory: a fresh one per run.
        let scratch = tempfile::tempdir().expect("scratch directory");
        let mut st_run = Command::new(st);
        st_run
            .current_dir(scratch.path())
            .arg("run")
            .arg(format!("{url}/api/v1/openapi.json"))
            .args(["--url", url])
            .args(["--checks", CHECKS])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args(["--max-examples", &examples.to_string()])
            // One worker: Python 3.11's parser is not safe for schemathesis' threads.
            .args(["--workers", "1"])
            .args(["--request-timeout", "30"])
            .args(["--suppress-health-check", "all"])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .arg("--no-color");
        let (option, paths) = match filter {
            Filter::Include(paths) => ("--include-path", *paths),
            Filter::Exclude(paths) => ("--exclude-path", &paths[..]),
        };
        for path in paths {
            st_run.args([option, path]);
        }
        let output = tokio::task::spawn_blocking(move || st_run.output())
            .await
            .expect("join")
            .expect("run schemathesis");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let figures = summary(&stdout);
        eprintln!("schemathesis ({backend}, {who}, {examples} examples): {figures}");
        assert!(
            output.status.success(),
            "schemathesis found problems as {who} on {backend}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // A run whose session ended halfway tested the sign-in check, not the API. Only the
        // cookie route answers a bearer token with 401 and nothing else.
        let only_401 = only_unauthenticated(&stdout);
        assert!(
            who.ends_with("rules") || only_401 == ["GET /api/v1/auth/web-session"],
            "operations answered only 401 as {who} on {backend}: {only_401:?}\n{stdout}"
        );
        // A run that tested nothing proves nothing.
        assert!(
            figures.contains("test cases") && !figures.contains("test cases 0 "),
            "schemathesis generated no test case:\n{stdout}"
        );
    }
}

/// Which operations a run takes.
enum Filter<'a> {
    Include(&'a [&'a str]),
    Exclude(Vec<&'a str>),
}

/// The figures of schemathesis' summary: operations tested and test cases.
fn summary(stdout: &str) -> String {
    let mut lines = stdout.lines().map(str::trim);
    let mut figures = Vec::new();
    while let Some(line) = lines.next() {
        if line.starts_with("Tested:") {
            figures.push(format!("{line} operations"));
        }
        if line == "Test cases:" {
            figures.extend(lines.next().map(|next| format!("test cases {next}")));
        }
    }
    figures.join(", ")
}

/// The operations schemathesis reports as answering nothing but 401.
fn only_unauthenticated(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("401 Unauthorized ("))
        .skip(1)
        .map_while(|line| line.trim().strip_prefix("- "))
        .collect()
}
