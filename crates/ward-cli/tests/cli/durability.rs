//! T1, seen from the system calls: strace records a running `ward serve` on SQLite while
//! clients send messages, and for every send the server acknowledged (`201`) an `fdatasync` of
//! the write-ahead log must have started after the request arrived and returned before the
//! acknowledgement was written. (On PostgreSQL the database server does the fsync.)

use std::collections::{HashMap, VecDeque};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use uuid::Uuid;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest, SendMessageRequest};
use ward_proto::users::CreateUserRequest;

use crate::{PASSWORD, Running, create_user, enrolled_admin};

const SENDERS: usize = 4;
const PER_SENDER: usize = 25;

/// One finished system call: its name, arguments as strace printed them, start and end.
#[derive(Debug)]
struct Call {
    name: String,
    args: String,
    start: f64,
    end: f64,
}

/// Seconds since midnight of an `HH:MM:SS.micros` stamp.
fn seconds(stamp: &str) -> Option<f64> {
    let mut parts = stamp.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    Some(h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?)
}

/// The finished calls of an `strace -f -tt -T` log, joining `<unfinished ...>` halves.
fn calls(log: &str) -> Vec<Call> {
    let mut open: HashMap<String, (String, String, f64)> = HashMap::new();
    let mut done = Vec::new();
    for line in log.lines() {
        // "TID  HH:MM:SS.micros call(...)": strace pads the thread id to a width.
        let Some((tid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Some((stamp, rest)) = rest.trim_start().split_once(' ') else {
            continue;
        };
        let Some(at) = seconds(stamp) else { continue };
        if let Some(resumed) = rest.strip_prefix("<... ") {
            let name = resumed.split_whitespace().next().unwrap_or_default();
            if let Some((started, args, start)) = open.remove(tid)
                && started == name
            {
                done.push(Call {
                    name: started,
                    args: format!("{args}{resumed}"),
                    start,
                    end: at,
                });
            }
            continue;
        }
        let Some((name, args)) = rest.split_once('(') else {
            continue;
        };
        if rest.ends_with("<unfinished ...>") {
            open.insert(tid.to_owned(), (name.to_owned(), args.to_owned(), at));
            continue;
        }
        let took = rest
            .rsplit_once('<')
            .and_then(|(_, t)| t.trim_end_matches('>').parse::<f64>().ok())
            .unwrap_or(0.0);
        done.push(Call {
            name: name.to_owned(),
            args: args.to_owned(),
            start: at,
            end: at + took,
        });
    }
    done
}

/// The socket a call used, as `-y` names it (`12<socket:[4711]>`, or `12<TCP:[a->b]>`).
fn socket(args: &str) -> Option<&str> {
    let start = args.find("<socket:[").or_else(|| args.find("<TCP"))?;
    let end = args[start..].find('>')? + start;
    Some(&args[start..=end])
}

/// Pairs every acknowledged send (request read, 201 written on the same connection) and
/// returns those with no completed WAL fdatasync in between, and how many pairs there were.
fn unsynced_acks(calls: &[Call]) -> (Vec<String>, usize) {
    let syncs: Vec<(f64, f64)> = calls
        .iter()
        .filter(|c| matches!(c.name.as_str(), "fdatasync" | "fsync") && c.args.contains("-wal"))
        .map(|c| (c.start, c.end))
        .collect();
    let mut pending: HashMap<&str, VecDeque<f64>> = HashMap::new();
    let (mut bad, mut pairs) = (Vec::new(), 0);
    for call in calls {
        let Some(sock) = socket(&call.args) else {
            continue;
        };
        let reads = matches!(call.name.as_str(), "read" | "recvfrom");
        let writes = matches!(call.name.as_str(), "write" | "writev" | "sendto");
        if reads && call.args.contains("\"POST /api/v1/conversations/") {
            if call.args.contains("/messages HTTP/1.1") {
                pending.entry(sock).or_default().push_back(call.end);
            }
        } else if writes && call.args.contains("HTTP/1.1 201") {
            let Some(arrived) = pending.get_mut(sock).and_then(VecDeque::pop_front) else {
                continue;
            };
            pairs += 1;
            if !syncs
                .iter()
                .any(|&(start, end)| start >= arrived && end <= call.start)
            {
                bad.push(format!(
                    "a 201 at {:.6} for a request at {arrived:.6}",
                    call.start
                ));
            }
        }
    }
    (bad, pairs)
}

#[test]
fn the_checker_finds_an_ack_written_before_its_fsync() {
    let log = "\
1  10:00:00.000100 recvfrom(9<TCP:[1->2]>, \"POST /api/v1/conversations/x/messages HTTP/1.1\"..., 8192) = 300 <0.000010>
2 10:00:00.000200 fdatasync(7</d/ward.db-wal> <unfinished ...>
1 10:00:00.000300 writev(9<TCP:[1->2]>, [{iov_base=\"HTTP/1.1 201 Created\"...}], 2) = 90 <0.000010>
2 10:00:00.000400 <... fdatasync resumed>) = 0 <0.000200>
1 10:00:00.000500 recvfrom(9<TCP:[1->2]>, \"POST /api/v1/conversations/x/messages HTTP/1.1\"..., 8192) = 300 <0.000010>
2 10:00:00.000600 fdatasync(7</d/ward.db-wal>) = 0 <0.000100>
1 10:00:00.000800 writev(9<TCP:[1->2]>, [{iov_base=\"HTTP/1.1 201 Created\"...}], 2) = 90 <0.000010>
";
    let (bad, pairs) = unsynced_acks(&calls(log));
    assert_eq!(pairs, 2);
    assert_eq!(
        bad.len(),
        1,
        "the first ack came before its fsync returned: {bad:?}"
    );
}

fn strace_attached(pid: u32, out: &std::path::Path) -> Child {
    Command::new("strace")
        .args(["-f", "-qq", "-tt", "-T", "-y", "-s", "120", "-e"])
        .arg("trace=fsync,fdatasync,read,recvfrom,write,writev,sendto")
        .arg("-o")
        .arg(out)
        .args(["-p", &pid.to_string()])
        .stderr(Stdio::null())
        .spawn()
        .expect("strace")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledgement_is_written_before_its_fsync_returns() {
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
        .sign_in("nurse.reyes", PASSWORD, "durability")
        .await
        .expect("sign in");
    let conversation = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some("durability".into()),
            member_ids: Vec::new(),
            patient_id: None,
        })
        .await
        .expect("conversation")
        .id;

    let trace = dir.path().join("strace.log");
    let mut strace = strace_attached(server.pid(), &trace);
    // strace has attached once a traced call shows up in its log.
    let mut attached = false;
    for _ in 0..100 {
        nurse.me().await.expect("me");
        if std::fs::metadata(&trace).is_ok_and(|m| m.len() > 0) {
            attached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(attached, "strace never attached");

    let mut senders = Vec::new();
    for sender in 0..SENDERS {
        // A client of its own: its own connection, so requests and answers pair up.
        let client = nurse.authed(nurse.token().expect("token"));
        senders.push(tokio::spawn(async move {
            for i in 0..PER_SENDER {
                let req = SendMessageRequest {
                    client_id: Uuid::new_v4(),
                    body: format!("sender {sender} message {i}"),
                    priority: None,
                    confirm_findings: false,
                    attachments: Vec::new(),
                    send_at: None,
                    lifespan_secs: None,
                };
                client.send_message(conversation, &req).await.expect("send");
            }
        }));
    }
    for task in senders {
        task.await.expect("sender");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &strace.id().to_string()])
        .status();
    let _ = strace.wait();
    assert!(server.stop(), "clean shutdown");

    let log = std::fs::read_to_string(&trace).expect("trace");
    let (bad, pairs) = unsynced_acks(&calls(&log));
    let sample: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("POST /api/v1/conversations/") || l.contains("HTTP/1.1 201"))
        .take(4)
        .collect();
    // A few requests may be read by a thread strace had not attached to yet.
    assert!(
        pairs >= SENDERS * PER_SENDER * 9 / 10,
        "only {pairs} acknowledged sends found in the trace: {sample:#?}"
    );
    assert!(bad.is_empty(), "{} of {pairs}: {bad:?}", bad.len());
}
