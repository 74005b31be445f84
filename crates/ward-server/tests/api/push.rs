//! Web Push against a real push service of the test's own (a Python script on a loopback port,
//! `push/push_service.py`): it verifies each VAPID token and decrypts each body with the
//! subscription's private key (PyPI http-ece). Urgent messages notify at once, normal ones
//! after the delay unless read first, nothing carries PHI, a revoked device gets nothing more,
//! a gone subscription is deleted and a failing push service is retried, then given up;
//! quiet hours hold normal messages; an escalation step notifies the person it brings in.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use serde_json::Value;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::{ConversationKind, CreateConversationRequest, Priority};
use ward_proto::notify::{NotificationPreferences, PushKeys, PushSubscriptionRequest, QuietHours};

use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

const PYTHON_VAR: &str = "WARD_PUSH_PYTHON";
/// Strings that must never reach a push service.
const CANARIES: [&str; 3] = ["CANARY-BODY-4417", "CANARY-TITLE-8803", "Test nurse.kim"];

/// The push service, stopped when dropped.
struct PushService {
    child: Child,
    port: u16,
    keys: Vec<Value>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PushService {
    /// Starts it, or `None` where http-ece is not installed (never in CI).
    fn start() -> Option<Self> {
        let Some(python) = std::env::var_os(PYTHON_VAR) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{PYTHON_VAR} is required in CI (cargo xtask test installs http-ece)"
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("dir");
        let (keys, log, port_file) = (
            dir.path().join("keys.json"),
            dir.path().join("log.jsonl"),
            dir.path().join("port"),
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/push/push_service.py");
        let child = Command::new(python)
            .arg(script)
            .arg("--keys")
            .arg(&keys)
            .arg("--log")
            .arg(&log)
            .arg("--port-file")
            .arg(&port_file)
            .spawn()
            .expect("start the push service");
        let mut port = None;
        for _ in 0..200 {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                port = text.trim().parse().ok();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let keys = serde_json::from_slice(&std::fs::read(&keys).expect("keys")).expect("json");
        Some(Self {
            child,
            port: port.expect("the push service did not start"),
            keys,
            log,
            _dir: dir,
        })
    }

    fn subscription(&self, outcome: &str, device: usize) -> PushSubscriptionRequest {
        let keys = &self.keys[device];
        PushSubscriptionRequest {
            endpoint: format!("http://127.0.0.1:{}/{outcome}/{device}", self.port),
            expiration_time: None,
            keys: PushKeys {
                p256dh: keys["p256dh"].as_str().expect("p256dh").into(),
                auth: keys["auth"].as_str().expect("auth").into(),
            },
        }
    }

    /// Everything received so far.
    fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("log line"))
            .collect()
    }

    /// Waits (bounded) until `count` pushes have arrived; all received.
    async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..100 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} pushes, got {:?}", self.received());
    }
}

/// The admin, a nurse and a physician; no escalation step within a test's minutes, so every
/// push is a message's own.
async fn staff(server: &TestServer) -> (Client, Client, Client) {
    let (admin, _) = server.admin().await;
    let mut policy = admin.get_policy().await.expect("policy");
    policy.escalation.urgent_after_secs = 86_400;
    admin.put_policy(&policy).await.expect("policy");
    let nurse = server.user(&admin, "nurse.kim", "nurse").await;
    let doctor = server.user(&admin, "dr.ade", "physician").await;
    (admin, nurse, doctor)
}

async fn metric(server: &TestServer, name: &str) -> u64 {
    let text = reqwest::get(format!("{}/metrics", server.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("ward_{name}_total ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no ward_{name}_total in {text}"))
}

fn urgent(body: &str) -> ward_proto::messaging::SendMessageRequest {
    ward_proto::messaging::SendMessageRequest {
        priority: Some(Priority::Urgent),
        ..text(body)
    }
}

/// Runs the job once, now, as the server would within a second.
async fn deliver(server: &TestServer) {
    let services = &server.services;
    services
        .notifier()
        .run_due(services.now())
        .await
        .expect("deliver");
}

api_test!(
    pushes_carry_no_phi_and_follow_priority_reads_and_sessions,
    |server: TestServer| async move {
        let Some(push) = PushService::start() else {
            return server;
        };
        let (admin, nurse, doctor) = staff(&server).await;
        let thread = nurse
            .create_conversation(&CreateConversationRequest {
                kind: ConversationKind::Group,
                title: Some(CANARIES[1].into()),
                member_ids: vec![id_of(&doctor).await],
                patient_id: None,
            })
            .await
            .expect("conversation")
            .id;

        // Bad subscriptions are refused and keep nothing.
        let mut plain = push.subscription("ok", 0);
        plain.endpoint = "http://push.example.org/ok/0".into();
        let mut bad_key = push.subscription("ok", 0);
        bad_key.keys.p256dh = "BAAA".into();
        let mut bad_auth = push.subscription("ok", 0);
        bad_auth.keys.auth = "AAAA".into();
        let mut long = push.subscription("ok", 0);
        long.endpoint = format!("https://push.example.org/{}", "x".repeat(2100));
        for bad in [plain, bad_key, bad_auth, long] {
            assert_problem(doctor.subscribe_push(&bad).await, ProblemType::Validation);
        }
        assert_problem(doctor.unsubscribe_push().await, ProblemType::NotFound);

        doctor
            .subscribe_push(&push.subscription("ok", 0))
            .await
            .expect("subscribe");
        let key = doctor.push_key().await.expect("key").public_key;

        // Urgent: at once; what arrives verifies, decrypts and says priority and count only.
        nurse
            .send_message(thread, &urgent(&format!("{} bed 4 BP 80/40", CANARIES[0])))
            .await
            .expect("send");
        deliver(&server).await;
        let received = push.wait_for(1).await;
        let first = &received[0];
        assert_eq!(first["path"], "/ok/0");
        assert_eq!(
            first["key"],
            Value::String(key.clone()),
            "signed with the server's key"
        );
        let vapid = &first["vapid"];
        assert_eq!(
            vapid["aud"],
            format!("http://127.0.0.1:{}", push.port),
            "{first}"
        );
        let payload: Value = serde_json::from_str(first["payload"].as_str().expect("decrypted"))
            .expect("payload JSON");
        assert_eq!(payload["body"], "Ward: 1 new urgent message");
        assert_eq!(first["headers"]["content-encoding"], "aes128gcm");
        assert_eq!(first["headers"]["urgency"], "high");
        let raw = first.to_string();
        for canary in CANARIES {
            assert!(
                !raw.contains(canary),
                "{canary} reached the push service: {raw}"
            );
        }

        // Normal: only after the delay, and not at all when read first.
        let sent = nurse
            .send_message(thread, &text("Lunch order is in"))
            .await
            .expect("send");
        deliver(&server).await;
        assert_eq!(push.received().len(), 1, "a normal message waits");
        server.advance(121);
        deliver(&server).await;
        let received = push.wait_for(2).await;
        let payload: Value =
            serde_json::from_str(received[1]["payload"].as_str().expect("decrypted"))
                .expect("json");
        assert_eq!(payload["body"], "Ward: 1 new message");
        assert_eq!(received[1]["headers"]["urgency"], "normal");
        let read_first = nurse
            .send_message(thread, &text("Never mind"))
            .await
            .expect("send");
        let seq = read_first.0.seq.max(sent.0.seq);
        doctor.mark_read(thread, seq).await.expect("read");
        server.advance(121);
        deliver(&server).await;
        assert_eq!(
            push.received().len(),
            2,
            "a message read first does not notify"
        );
        assert_eq!(metric(&server, "notifications_suppressed").await, 1);
        assert_eq!(metric(&server, "notifications_sent").await, 2);

        // A gone subscription is deleted; a failing push service is retried, then given up.
        let gone = server
            .anon()
            .sign_in("dr.ade", crate::PASSWORD, "second phone")
            .await
            .expect("second device");
        gone.subscribe_push(&push.subscription("gone", 1))
            .await
            .expect("subscribe");
        let failing = server
            .anon()
            .sign_in("dr.ade", crate::PASSWORD, "third phone")
            .await
            .expect("third device");
        failing
            .subscribe_push(&push.subscription("fail", 2))
            .await
            .expect("subscribe");
        doctor
            .unsubscribe_push()
            .await
            .expect("the first device stops");
        nurse
            .send_message(thread, &urgent("Call me"))
            .await
            .expect("send");
        deliver(&server).await;
        assert_problem(gone.unsubscribe_push().await, ProblemType::NotFound);
        assert_eq!(metric(&server, "push_subscriptions_gone").await, 1);
        for _ in 0..5 {
            server.advance(90);
            // Sessions outlive the retries.
            failing.me().await.expect("alive");
            deliver(&server).await;
        }
        let attempts = push
            .received()
            .iter()
            .filter(|r| r["path"] == "/fail/2")
            .count();
        assert_eq!(attempts, 5, "{:?}", push.received());
        assert_eq!(metric(&server, "notifications_failed").await, 1);
        assert_eq!(metric(&server, "notifications_retried").await, 4);

        // Revoked: the device's subscription dies with its session; nothing more reaches it.
        let sessions = failing.list_sessions().await.expect("sessions").sessions;
        let third = sessions
            .iter()
            .find(|s| s.device_name == "third phone")
            .expect("third phone")
            .id;
        admin.revoke_session(third).await.expect("revoke");
        let before = push.received().len();
        nurse
            .send_message(thread, &urgent("Still there?"))
            .await
            .expect("send");
        deliver(&server).await;
        server.advance(90);
        deliver(&server).await;
        assert_eq!(
            push.received().len(),
            before,
            "a revoked device gets nothing"
        );
        server
    }
);

api_test!(
    quiet_hours_hold_normal_messages_and_preferences_are_kept,
    |server: TestServer| async move {
        let Some(push) = PushService::start() else {
            return server;
        };
        let (_admin, nurse, doctor) = staff(&server).await;
        let thread = nurse
            .create_conversation(&CreateConversationRequest {
                kind: ConversationKind::Direct,
                title: None,
                member_ids: vec![id_of(&doctor).await],
                patient_id: None,
            })
            .await
            .expect("conversation")
            .id;
        doctor
            .subscribe_push(&push.subscription("ok", 0))
            .await
            .expect("subscribe");
        let defaults = doctor.notification_preferences().await.expect("prefs");
        assert!(defaults.normal && defaults.urgent && defaults.quiet_hours.is_none());

        // Quiet from an hour ago to an hour from now (UTC), by the server's clock.
        let minute = (server.now().as_micros() / 60_000_000).rem_euclid(24 * 60);
        let quiet = QuietHours {
            start_minute: (minute - 60).rem_euclid(24 * 60),
            end_minute: (minute + 60).rem_euclid(24 * 60),
            utc_offset_minutes: 0,
        };
        let mut prefs = NotificationPreferences {
            normal: true,
            urgent: true,
            quiet_hours: Some(QuietHours {
                start_minute: 1440,
                ..quiet
            }),
        };
        assert_problem(
            doctor.set_notification_preferences(&prefs).await,
            ProblemType::Validation,
        );
        prefs.quiet_hours = Some(quiet);
        doctor
            .set_notification_preferences(&prefs)
            .await
            .expect("quiet hours");

        // A normal message waits through the quiet hours; an urgent one does not.
        nurse
            .send_message(thread, &text("Discharge summary is ready"))
            .await
            .expect("send");
        server.advance(121);
        deliver(&server).await;
        assert!(push.received().is_empty(), "held in quiet hours");
        nurse
            .send_message(thread, &urgent("Patient in bed 2 is desaturating"))
            .await
            .expect("send");
        deliver(&server).await;
        let received = push.wait_for(1).await;
        assert_eq!(payload_body(&received[0]), "Ward: 1 new urgent message");
        for _ in 0..7 {
            server.advance(600);
            doctor.me().await.expect("the device stays signed in");
            nurse.me().await.expect("so does the sender");
        }
        deliver(&server).await;
        let received = push.wait_for(2).await;
        assert_eq!(payload_body(&received[1]), "Ward: 1 new message");

        // Normal messages turned off: suppressed, counted, never sent.
        prefs.normal = false;
        prefs.quiet_hours = None;
        doctor
            .set_notification_preferences(&prefs)
            .await
            .expect("no normal notifications");
        let suppressed = metric(&server, "notifications_suppressed").await;
        nurse
            .send_message(thread, &text("FYI the lab called"))
            .await
            .expect("send");
        server.advance(121);
        deliver(&server).await;
        assert_eq!(push.received().len(), 2);
        assert_eq!(
            metric(&server, "notifications_suppressed").await,
            suppressed + 1
        );
        server
    }
);

fn payload_body(received: &Value) -> String {
    let payload: Value =
        serde_json::from_str(received["payload"].as_str().expect("decrypted")).expect("json");
    payload["body"].as_str().expect("body").to_owned()
}

api_test!(
    an_escalation_step_notifies_the_person_it_brings_in,
    |server: TestServer| async move {
        let Some(push) = PushService::start() else {
            return server;
        };
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.kim", "nurse").await;
        let doctor = server.user(&admin, "dr.ade", "physician").await;
        let on_call = server.user(&admin, "dr.oncall", "physician").await;
        let role = admin
            .create_clinical_role(&CreateClinicalRoleRequest {
                name: "Medicine on-call".into(),
                supervisor_id: None,
            })
            .await
            .expect("role");
        let now = time::OffsetDateTime::now_utc();
        admin
            .add_shift(
                role.id,
                &ShiftRequest {
                    user_id: id_of(&on_call).await,
                    starts_at: now - time::Duration::minutes(5),
                    ends_at: now + time::Duration::hours(8),
                },
            )
            .await
            .expect("shift");
        let mut policy = admin.get_policy().await.expect("policy");
        policy.escalation.urgent_after_secs = 1;
        admin.put_policy(&policy).await.expect("policy");
        let thread = group(&nurse, &[id_of(&doctor).await]).await;
        nurse
            .set_escalation_role(thread, Some(role.id))
            .await
            .expect("escalation role");
        on_call
            .subscribe_push(&push.subscription("ok", 0))
            .await
            .expect("the on-call physician's phone");
        nurse
            .send_message(thread, &urgent("Potassium 6.8 in bed 9"))
            .await
            .expect("send");
        deliver(&server).await;
        assert!(push.received().is_empty(), "not a member: nothing yet");
        // Unacknowledged: the repeat step, then the on-call holder is brought in.
        for _ in 0..2 {
            server.advance(2);
            let services = &server.services;
            services
                .clinical()
                .run_due_escalations(services.now())
                .await
                .expect("escalate");
        }
        deliver(&server).await;
        let received = push.wait_for(1).await;
        assert_eq!(received[0]["path"], "/ok/0");
        assert_eq!(payload_body(&received[0]), "Ward: 1 new urgent message");
        server
    }
);
