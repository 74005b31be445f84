use std::path::Path;

use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::users::{CreateUserRequest, UserList};
use ward_store::StoreConfig;

use crate::messaging::id_of;
use crate::{PASSWORD, TestServer, api_test, assert_problem};

fn new_user(username: &str, role: &str, password: &str) -> CreateUserRequest {
    CreateUserRequest {
        username: username.into(),
        display_name: format!("Test {username}"),
        role: role.into(),
        password: password.into(),
    }
}

api_test!(
    admins_create_users_who_then_sign_in,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let created = admin
            .create_user(&new_user("Pharm.Patel", "pharmacist", PASSWORD))
            .await;
        let created = created.expect("create");
        assert_eq!(created.username, "pharm.patel");
        assert_eq!(
            admin.get_user(created.id).await.expect("get").role,
            "pharmacist"
        );
        let names: Vec<_> = admin
            .list_users()
            .await
            .expect("list")
            .users
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["pharm.patel", "root"]);
        server
            .anon()
            .sign_in("pharm.patel", PASSWORD, "phone")
            .await
            .expect("new user signs in");

        assert_problem(
            admin
                .create_user(&new_user("pharm.patel", "nurse", PASSWORD))
                .await,
            ProblemType::Conflict,
        );
        assert_problem(
            admin.create_user(&new_user("weak", "nurse", "short")).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.create_user(&new_user("x", "nurse", PASSWORD)).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin
                .create_user(&new_user("ghost", "janitor", PASSWORD))
                .await,
            ProblemType::NotFound,
        );
        assert_problem(
            admin.get_user(uuid::Uuid::now_v7()).await,
            ProblemType::NotFound,
        );
        assert_eq!(
            admin.list_users().await.expect("list").users.len(),
            2,
            "nothing else was stored"
        );
        let roles = admin.list_roles().await.expect("roles").roles;
        assert_eq!(roles.len(), 7);
        server
    }
);

api_test!(
    clinicians_cannot_administer_and_are_audited,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = nurse.me().await.expect("me").user.id;
        assert_problem(
            nurse
                .create_user(&new_user("sneaky", "admin", PASSWORD))
                .await,
            ProblemType::Forbidden,
        );
        assert_problem(nurse.get_policy().await, ProblemType::Forbidden);
        assert_problem(
            nurse.search_audit(&AuditQuery::default()).await,
            ProblemType::Forbidden,
        );
        assert_eq!(admin.list_users().await.expect("list").users.len(), 2);
        // Admins manage accounts but do not read the audit log (separation of duties).
        assert_problem(
            admin.search_audit(&AuditQuery::default()).await,
            ProblemType::Forbidden,
        );

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let query = AuditQuery {
            actor: Some(nurse_id),
            action: Some("access.denied".into()),
            ..Default::default()
        };
        let denied = compliance
            .search_audit(&query)
            .await
            .expect("search")
            .events;
        assert_eq!(denied.len(), 3);
        assert!(
            denied
                .iter()
                .all(|e| e.outcome == "denied" && e.address.as_deref() == Some("127.0.0.1"))
        );
        server
    }
);

api_test!(
    admins_define_custom_roles_that_take_effect_at_once,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;

        // Bad input changes nothing: a built-in role, audit or unknown permissions, a bad name,
        // and a caller without the policy permission.
        assert_problem(
            admin.put_role("nurse", &["messages_send"]).await,
            ProblemType::Conflict,
        );
        assert_problem(
            admin
                .put_role("unit_clerk", &["users_read", "audit_read"])
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.put_role("unit_clerk", &["superuser"]).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.put_role("Unit Clerk", &["users_read"]).await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse.put_role("unit_clerk", &["users_read"]).await,
            ProblemType::Forbidden,
        );
        let roles = admin.list_roles().await.expect("roles").roles;
        assert!(roles.iter().all(|r| r.name != "unit_clerk"));
        let built_in = roles.iter().find(|r| r.name == "nurse").expect("nurse");
        assert!(built_in.builtin && !built_in.permissions.is_empty());

        let created = admin
            .put_role("unit_clerk", &["users_read", "messages_send"])
            .await
            .expect("create role");
        assert!(!created.builtin);
        assert_eq!(created.permissions, ["users_read", "messages_send"]);
        let clerk = server.user(&admin, "clerk.ames", "unit_clerk").await;
        clerk
            .list_users()
            .await
            .expect("the role allows the directory");

        admin
            .put_role("unit_clerk", &["messages_send"])
            .await
            .expect("change role");
        assert_problem(clerk.list_users().await, ProblemType::Forbidden);

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let changes = compliance
            .search_audit(&AuditQuery {
                action: Some("role.change".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(
            changes[0].detail.as_ref().map(|d| d["permissions"].clone()),
            Some(serde_json::json!(["messages_send"]))
        );
        server
    }
);

/// A patient's name that appears nowhere else: the canary looked for at rest.
const PATIENT_NAME: &str = "Ottoline Quillfeather-Marsh";

/// Whether `needle` is stored where someone who reads the database (not the keys) finds it:
/// on SQLite in any file of the data directory (database, WAL, key vault), on PostgreSQL in
/// any row of the tables that name people, read as text.
async fn stored_in_plain(server: &TestServer, needle: &str) -> bool {
    match server.config.store() {
        StoreConfig::Sqlite { .. } => file_contains(&server.config.data_dir, needle.as_bytes()),
        StoreConfig::Postgres { url, .. } => {
            const SCANS: [&str; 3] = [
                "SELECT COUNT(*) FROM users AS t WHERE strpos(t::text, $1) > 0",
                "SELECT COUNT(*) FROM audit_events AS t WHERE strpos(t::text, $1) > 0",
                "SELECT COUNT(*) FROM privileged_changes AS t WHERE strpos(t::text, $1) > 0",
            ];
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            let mut found = false;
            for scan in SCANS {
                let n: (i64,) = sqlx::query_as(scan)
                    .bind(needle)
                    .fetch_one(&pool)
                    .await
                    .expect("scan");
                found |= n.0 > 0;
            }
            pool.close().await;
            found
        }
    }
}

/// Whether `needle` appears in any file under `dir`.
fn file_contains(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir)
        .expect("data dir")
        .flatten()
        .any(|entry| {
            let path = entry.path();
            if path.is_dir() {
                return file_contains(&path, needle);
            }
            std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
}

/// The display name of `account` in a directory listing, if it is listed.
fn listed_name(users: UserList, account: uuid::Uuid) -> Option<String> {
    users
        .users
        .into_iter()
        .find(|u| u.id == account)
        .map(|u| u.display_name)
}

api_test!(
    a_patient_accounts_name_is_sealed_at_rest,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let outsider = server.user(&admin, "nurse.lee", "nurse").await;
        let created = admin
            .create_user(&CreateUserRequest {
                username: "pat.quill".into(),
                display_name: PATIENT_NAME.into(),
                role: "patient".into(),
                password: PASSWORD.into(),
            })
            .await
            .expect("create the patient's account");
        assert_eq!(created.display_name, PATIENT_NAME);
        let account = created.id;
        nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-5120".into(),
                family_name: "Quill".into(),
                given_name: "Otto".into(),
                birth_date: time::macros::date!(1961 - 04 - 09),
                user_id: Some(account),
                care_team: vec![id_of(&nurse).await],
            })
            .await
            .expect("register");

        // Whoever may see the account reads the name as it was given; the patient too.
        let listed = nurse.list_users().await.expect("care team lists");
        assert_eq!(listed_name(listed, account).as_deref(), Some(PATIENT_NAME));
        let read = nurse.get_user(account).await.expect("care team reads");
        assert_eq!(read.display_name, PATIENT_NAME);
        let listed = admin.list_users().await.expect("admin lists");
        assert_eq!(listed_name(listed, account).as_deref(), Some(PATIENT_NAME));
        let listed = outsider.list_users().await.expect("outsider lists");
        assert_eq!(listed_name(listed, account), None);
        let patient = server
            .anon()
            .sign_in("pat.quill", PASSWORD, "phone")
            .await
            .expect("the patient signs in");
        let me = patient.me().await.expect("me");
        assert_eq!(me.user.display_name, PATIENT_NAME);

        // A clean restart checkpoints the WAL into the database file. At rest the patient's
        // name is nowhere in plain text, where a staff member's is (so the scan does read the
        // stored rows).
        let server = server.restart().await;
        assert!(
            stored_in_plain(&server, "Test nurse.reyes").await,
            "the scan reads the stored rows"
        );
        assert!(
            !stored_in_plain(&server, PATIENT_NAME).await,
            "a patient's name is stored in plain text"
        );
        // Sealed, it still opens for the care team after the restart.
        let nurse = server.anon().authed(nurse.token().expect("token"));
        let read = nurse.get_user(account).await.expect("care team reads");
        assert_eq!(read.display_name, PATIENT_NAME);
        server
    }
);

/// Writes a patient's account as a version before sealed names did: the name in plain text.
async fn plant_plain_patient(server: &TestServer, id: uuid::Uuid, username: &str, name: &str) {
    const PLANT: &str = "INSERT INTO users (id, username, display_name, role, status, \
         password_hash, created_at) VALUES ($1, $2, $3, 'patient', 'active', 'x', 0)";
    match server.config.store() {
        StoreConfig::Sqlite { path, .. } => {
            let url = format!("sqlite://{}", path.display());
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            sqlx::query(PLANT)
                .bind(id)
                .bind(username)
                .bind(name)
                .execute(&pool)
                .await
                .expect("plant");
            pool.close().await;
        }
        StoreConfig::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            sqlx::query(PLANT)
                .bind(id)
                .bind(username)
                .bind(name)
                .execute(&pool)
                .await
                .expect("plant");
            pool.close().await;
        }
    }
}

api_test!(
    names_stored_plain_before_are_sealed_at_start,
    |server: TestServer| async move {
        let account = uuid::Uuid::new_v4();
        plant_plain_patient(&server, account, "pat.quill", PATIENT_NAME).await;
        assert!(
            stored_in_plain(&server, PATIENT_NAME).await,
            "the scan finds the planted name"
        );
        // The start seals it; the next clean stop checkpoints the rewritten page over the
        // old one (SQLite zeroes the freed bytes inside the page).
        let server = server.restart().await;
        let server = server.restart().await;
        assert!(
            !stored_in_plain(&server, PATIENT_NAME).await,
            "a name stored plain before stays plain"
        );

        let (admin, _) = server.admin().await;
        let read = admin.get_user(account).await.expect("admin reads");
        assert_eq!(read.display_name, PATIENT_NAME);
        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let sealed = compliance
            .search_audit(&AuditQuery {
                target: Some(account),
                action: Some("user.name_sealed".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(
            sealed.len(),
            1,
            "sealed once, at the first start: {sealed:?}"
        );
        server
    }
);
