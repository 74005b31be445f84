//! `ward bench` keeps working: every scenario at a tiny size, on SQLite and on PostgreSQL.
//! Benchmarks are not tests, so no figure is checked; what is checked is that each scenario
//! completes and accounts for every message and device (each exits non-zero when a delivery is
//! missing or repeated, or a device was dropped).

use ward_store::StoreConfig;
use ward_store::testing::TestDatabase;

use crate::ward_on;

/// Runs `ward bench ARGS` (on `database`, if given) and returns what it printed; fails the
/// test, with its output, if it did not succeed.
async fn bench(database: Option<&str>, args: &[&str]) -> String {
    let mut command = ward_on(None);
    command
        .arg("bench")
        .args(args)
        .args(["--timeout-secs", "120"]);
    if let Some(url) = database {
        command.args(["--database-url", url]);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run ward bench");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "ward bench {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Every scenario, on a fresh database each (PostgreSQL) or a fresh data directory (SQLite).
async fn every_scenario(database: impl AsyncFn() -> Option<(String, TestDatabase)>) {
    let run = async |args: &[&str]| -> String {
        match database().await {
            Some((url, db)) => {
                let out = bench(Some(&url), args).await;
                db.drop_database().await;
                out
            }
            None => bench(None, args).await,
        }
    };
    let groups = run(&[
        "--devices",
        "4",
        "--senders",
        "2",
        "--messages",
        "20",
        "--concurrency",
        "4",
        "--rate",
        "20",
        "--rate-seconds",
        "1",
        "--catch-up",
        "10",
    ])
    .await;
    assert!(groups.contains("throughput: 20 messages"), "{groups}");
    assert!(groups.contains("catch-up: 10 missed messages"), "{groups}");
    assert!(groups.contains("cpu: benchmark"), "{groups}");

    let room = run(&[
        "room",
        "--members",
        "3",
        "--senders",
        "2",
        "--messages",
        "20",
        "--in-flight",
        "4",
    ])
    .await;
    assert!(room.contains("deliveries/s (60 of 60"), "{room}");
    assert!(room.contains("missing: 0, duplicates: 0"), "{room}");
    assert!(room.contains("group commit: "), "{room}");
    let paced = run(&["room", "--members", "2", "--messages", "10", "--rate", "50"]).await;
    assert!(
        paced.contains("rate: 10 messages at 50 messages/s"),
        "{paced}"
    );
    assert!(paced.contains("missing: 0, duplicates: 0"), "{paced}");

    let idle = run(&[
        "idle",
        "--devices",
        "6",
        "--sessions",
        "2",
        "--seconds",
        "1",
    ])
    .await;
    assert!(idle.contains("6 still connected"), "{idle}");
    assert!(idle.contains("KiB per device"), "{idle}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bench_scenario_runs_on_sqlite() {
    every_scenario(async || None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bench_scenario_runs_on_postgres() {
    match TestDatabase::postgres().await {
        Some(probe) => probe.drop_database().await,
        None => return,
    }
    every_scenario(async || {
        let db = TestDatabase::postgres().await?;
        match &db.config {
            StoreConfig::Postgres { url, .. } => Some((url.clone(), db)),
            StoreConfig::Sqlite { .. } => None,
        }
    })
    .await;
}
