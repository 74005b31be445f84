//! A node that cannot have a working bus does not start, and says which setting is at fault.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Deployment, Nats, free_port};
use crate::ward_on;

/// Runs `ward serve` that is expected to refuse to start: its exit code and standard error
/// (killed, and the test failed, if it is still running after 30 s).
pub(super) fn refused(mut command: Command) -> (i32, String) {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ward");
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            return (status.code().unwrap_or(-1), stderr);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("ward serve started where it had to refuse");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_refuses_to_start_without_a_working_bus() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let serve = |nats: Option<&str>| {
        let mut command = ward_on(Some(&deployment.url));
        command.env("WARD_DATA_DIR", deployment.db.dir.path());
        if let Some(url) = nats {
            command.env("WARD_NATS_URL", url);
        }
        command
    };
    // NATS unreachable, or refusing the node's credentials: the setting is named.
    let closed = format!("nats://127.0.0.1:{}", free_port());
    let (code, stderr) = refused(serve(Some(&closed)));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let guarded = Nats::start_with(
        &deployment.db.dir.path().join("guarded"),
        &["--user", "ward", "--pass", "not-what-the-node-sends"],
    )
    .expect("nats-server with a password");
    let wrong = format!("nats://ward:wrong@127.0.0.1:{}", guarded.port);
    let (code, stderr) = refused(serve(Some(&wrong)));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(
        !stderr.contains("wrong@"),
        "the address with its password is never printed"
    );

    // A node with the bus serves; a second one without it is refused, and says why.
    let a = deployment.node();
    let (code, stderr) = refused(serve(None));
    assert_ne!(code, 0);
    assert!(stderr.contains("nats_url"), "{stderr}");
    assert!(a.stop());
    deployment.drop_database().await;
}
