//! A full disk, made real for the server: strace attaches to a running `ward serve` and makes
//! every positioned file write (`pwrite64`, which SQLite writes its database and WAL with) fail
//! with `ENOSPC`, then detaches. While the disk is "full", sends are refused with 503
//! `storage-full` (never a 500, nothing half-stored) and `/readyz` says not ready; once it is
//! freed, the same process is ready and takes sends again, and nothing acknowledged is lost.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ward_client::ClientError;
use ward_proto::ProblemType;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::users::CreateUserRequest;

use crate::{PASSWORD, Running, create_user, enrolled_admin, message, readyz};

/// strace attached to `pid`, failing its file writes with ENOSPC until dropped.
struct FullDisk(Child);

impl FullDisk {
    fn fill(pid: u32) -> Option<Self> {
        let mut child = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=pwrite64", "-e"])
            .arg("inject=pwrite64:error=ENOSPC")
            .args(["-o", "/dev/null", "-p", &pid.to_string()])
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        // Once attached, strace has nothing to say (-qq); give it a moment to attach to every
        // thread, checking it did not fail to start.
        let stderr = child.stderr.take()?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
            panic!("strace could not attach: {line}");
        }
        Some(Self(child))
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        // SIGTERM makes strace detach; the server goes on untraced.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_503_and_recovers_without_a_restart() {
    if Command::new("strace").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is required in CI (cargo xtask test installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    assert!(create_user(dir.path(), "chief", "admin").status.success());
    let server = Running::start(&["serve"], dir.path());
    let (admin, _) = enrolled_admin(&server.client(), "chief").await;
    admin
        .create_user(&CreateUserRequest {
            username: "nurse.reyes".into(),
            display_name: "Maria Reyes".into(),
            role: "nurse".into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("nurse");
    let nurse = server
        .client()
        .sign_in("nurse.reyes", PASSWORD, "full disk")
        .await
        .expect("sign in");
    let conversation = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some("full disk".into()),
            member_ids: Vec::new(),
            patient_id: None,
        })
        .await
        .expect("conversation")
        .id;
    let (before, _) = nurse
        .send_message(conversation, &message("before the disk filled"))
        .await
        .expect("send");
    assert_eq!(readyz(&nurse).await.0, 200);

    let full = FullDisk::fill(server.pid()).expect("strace");
    let refused = nurse
        .send_message(conversation, &message("while the disk is full"))
        .await;
    match refused {
        Err(ClientError::Problem { status, problem }) => {
            assert_eq!(status.as_u16(), 503, "{problem:?}");
            assert_eq!(problem.problem_type(), Some(ProblemType::StorageFull));
            assert!(problem.retry_after.is_some());
        }
        other => panic!("expected 503 storage-full, got {other:?}"),
    }
    let (status, body) = readyz(&nurse).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("storage-full"), "{body}");
    drop(full);

    // Freed: the same process is ready again and takes sends.
    let mut ready = false;
    for _ in 0..50 {
        if readyz(&nurse).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again once space is freed");
    let (after, _) = nurse
        .send_message(conversation, &message("after the disk was freed"))
        .await
        .expect("send after");
    let page = nurse
        .list_messages(conversation, 0, 10)
        .await
        .expect("list");
    let ids: Vec<_> = page.messages.iter().map(|m| m.id).collect();
    assert_eq!(
        ids,
        vec![before.id, after.id],
        "nothing lost, nothing half-stored"
    );
    assert_eq!(
        after.seq,
        before.seq + 1,
        "no seq was taken by the refused send"
    );
    assert!(server.stop(), "clean shutdown");
}
