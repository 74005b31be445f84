//! T4, the authorization matrix (issue 16): every operation of the OpenAPI document, called by
//! every kind of principal, against the permission table and the membership rules.
//!
//! The principals: no credentials, a signed-out session, an admin who has not set up the second
//! factor their role needs, one user of each built-in role, a user of a custom role, the patient
//! of the fixture's records, another patient, and a nurse who is in none of the fixture's
//! conversations or care teams. The fixture: a patient with an account, a care team and a
//! patient-facing thread (with staff members), a message with an attachment, a scheduled message,
//! another session of the physician, a clinical role with a holder, a legal hold, an alert, a
//! pending privileged change, and a spare patient account.
//!
//! [`table`] classifies each operation: the session and permission it needs ([`Gate`]) and
//! whose object it touches ([`Object`]). An operation of the document missing from the table
//! fails the test, so a new route must be classified. Each principal calls each operation once,
//! with the fixture's ids and a small, well-formed body that reaches the authorization decision
//! without undoing the fixture, and the test asserts:
//!
//! 1. no credentials and a signed-out session: 401 from every route that needs a session (the
//!    WebSocket without a token waits for an `auth` frame, so a plain GET is a 400);
//! 2. what the table denies is never 2xx, and is 403 or 404; what it allows is never 401 or 403;
//! 3. whoever may not see an object gets the same answer (status, problem type and detail) for
//!    it as for a random id: no existence oracle;
//! 4. no 5xx, for anyone.
//!
//! The issue's access items 2, 4 and 7 have their own tests in `hardening_access.rs` and item 1
//! in `history.rs`; here they are covered again by the table (a patient is refused role
//! messages for a real role and a random one alike, and a staff member off a patient's care
//! team cannot read the patient's account).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;
use ward_client::Client;
use ward_core::role::{Permission, builtin_roles};
use ward_proto::approvals::PrivilegedChangeView;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::compliance::{HoldScope, PlaceHoldRequest};
use ward_proto::messaging::{
    ConversationKind, CreateConversationRequest, CreatePatientRequest, PatientView,
    SendMessageRequest,
};
use ward_proto::oversight::BreakGlassRequest;
use ward_proto::users::CreateUserRequest;

use crate::audit::officer;
use crate::messaging::{id_of, text};
use crate::{PASSWORD, TestServer, api_test};

/// The custom role, which may only read the directory (`{name}` in `/roles/{name}`).
const CUSTOM_ROLE: &str = "unit_clerk";
const CUSTOM_PERMISSIONS: [&str; 1] = ["users_read"];
/// The report asked for in `/reports/{kind}`.
const REPORT_KIND: &str = "exports";
/// The MRN of the fixture's patient.
const PATIENT_MRN: &str = "MRN-5001";

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Role messages need all three: only staff who may start conversations and see the directory.
const SEND_TO_ROLE: &[Permission] = &[
    Permission::MessagesSend,
    Permission::ConversationsCreate,
    Permission::UsersRead,
];
/// Finding a patient by MRN.
const AUDIT_OR_COMPLIANCE: &[Permission] = &[Permission::AuditRead, Permission::ComplianceManage];
/// Listing privileged-change requests: every one to decide, or one's own requests.
const DECIDE_OR_REQUEST: &[Permission] = &[Permission::ComplianceManage, Permission::UsersManage];

/// Bodies. `$NAME` tokens are replaced with the fixture's values, `$UUID` with a fresh id.
const MESSAGE: &str =
    r#"{"client_id":"$UUID","body":"Matrix probe: please confirm the follow-up time"}"#;
const HOLD: &str = r#"{"scope":"conversation","subject_id":"$CONVERSATION","reason":"Records request under review"}"#;
/// Well formed, but with no care team: refused (422) after the permission check.
const NEW_PATIENT: &str = r#"{"mrn":"MRN-9999","family_name":"Probe","given_name":"Matrix","birth_date":"1960-05-06","care_team":[]}"#;
/// Ends before it starts: refused (422) after the permission check and the role lookup.
const BACKWARD_SHIFT: &str = r#"{"user_id":"$PHYSICIAN","starts_at":"2031-01-02T08:00:00Z","ends_at":"2031-01-01T08:00:00Z"}"#;

/// What an operation needs of the caller's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Nothing: health and sign-in.
    Public,
    /// Any live session, including one that may only set up a second factor.
    AnySession,
    /// Like [`Gate::AnySession`], from the web client's session cookie (sent as one).
    Cookie,
    /// A full session; without a token the socket waits for an `auth` frame instead.
    WebSocket,
    /// A full session, no permission: the answer depends on the caller's own objects.
    Session,
    /// A full session whose role holds the permission.
    Perm(Permission),
    /// A full session whose role holds one of the permissions.
    AnyOf(&'static [Permission]),
    /// A full session whose role holds all of the permissions.
    AllOf(&'static [Permission]),
}

impl Gate {
    /// Whether `who` gets past the gate.
    fn admits(self, who: &Principal) -> bool {
        let full = who.standing == Standing::Full;
        let holds = |p: &Permission| who.permissions.contains(p);
        match self {
            Self::Public => true,
            Self::AnySession | Self::Cookie => {
                matches!(who.standing, Standing::Enrolling | Standing::Full)
            }
            Self::WebSocket | Self::Session => full,
            Self::Perm(permission) => full && holds(&permission),
            Self::AnyOf(permissions) => full && permissions.iter().any(holds),
            Self::AllOf(permissions) => full && permissions.iter().all(holds),
        }
    }
}

/// Whose object an operation touches, beyond what its gate asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    /// No object, or only the caller's own: the gate alone decides.
    Unscoped,
    /// Any object, for whoever passes the gate (the directory, compliance, administration).
    Any,
    /// The patient-facing thread (or its message or file): its members.
    Member,
    /// The fixture's message, to change: its sender (other members see it and are refused).
    Sender,
    /// The scheduled message: its sender alone.
    Owner,
    /// The physician's other session: its owner, or whoever holds `sessions_manage`.
    OwnSession,
    /// The patient's record: the patient, and the care team with `patients_read`.
    Patient,
    /// The patient's care team: its members.
    CareTeam,
    /// A patient's account in the directory: account managers, compliance officers, and the
    /// patient's care team.
    PatientAccount,
}

/// The body of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    /// JSON, from a template with `$NAME` tokens.
    Json(&'static str),
    /// An empty `application/octet-stream` upload.
    Bytes,
}

/// When an operation is called: those that change the fixture for everyone after them, or end
/// the caller's session, come after the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Normal,
    Late,
    Last,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
struct Route {
    method: &'static str,
    /// The path template as the document writes it.
    path: &'static str,
    /// A query template, for an object that travels in the query.
    query: Option<&'static str>,
    gate: Gate,
    object: Object,
    body: Body,
    stage: Stage,
}

fn route(method: &'static str, path: &'static str, gate: Gate) -> Route {
    Route {
        method,
        path,
        query: None,
        gate,
        object: Object::Unscoped,
        body: Body::None,
        stage: Stage::Normal,
    }
}

impl Route {
    fn on(self, object: Object) -> Self {
        Self { object, ..self }
    }

    fn json(self, template: &'static str) -> Self {
        Self {
            body: Body::Json(template),
            ..self
        }
    }

    fn bytes(self) -> Self {
        Self {
            body: Body::Bytes,
            ..self
        }
    }

    fn query(self, query: &'static str) -> Self {
        Self {
            query: Some(query),
            ..self
        }
    }

    fn stage(self, stage: Stage) -> Self {
        Self { stage, ..self }
    }

    /// The path and query templates.
    fn template(&self) -> String {
        match self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.to_owned(),
        }
    }

    /// Whether an id in the path or query names an object (`{name}` and `{kind}` do not).
    fn has_object(&self) -> bool {
        parameters(&self.template())
            .iter()
            .any(|name| name != "name" && name != "kind")
    }

    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The permission table and membership rules, one row per operation of the document.
fn table() -> Vec<Route> {
    use Gate::{AllOf, AnyOf, AnySession, Cookie, Perm, Public, Session, WebSocket};
    use Object::{Any, CareTeam, Member, OwnSession, Owner, Patient, PatientAccount, Sender};
    use Permission as P;
    vec![
        // Health and sign-in need no session.
        route("GET", "/healthz", Public),
        route("GET", "/readyz", Public),
        route("POST", "/api/v1/auth/login", Public).json("{}"),
        route("POST", "/api/v1/auth/web-session", Public).json("{}"),
        // The caller's own session, devices and events.
        route("GET", "/api/v1/auth/web-session", Cookie),
        route("GET", "/api/v1/me", AnySession),
        route("POST", "/api/v1/me/totp", AnySession),
        route("POST", "/api/v1/me/totp/confirm", AnySession).json("{}"),
        route("POST", "/api/v1/auth/wipe-confirmation", AnySession).stage(Stage::Late),
        route("POST", "/api/v1/auth/logout", AnySession).stage(Stage::Last),
        route("GET", "/api/v1/ws", WebSocket),
        route("GET", "/api/v1/sync", Session),
        route("GET", "/api/v1/push/key", Session),
        route("POST", "/api/v1/me/push-subscriptions", Session)
            .json(r#"{"endpoint":"http://127.0.0.1:9/push","keys":{"p256dh":"AA","auth":"AA"}}"#),
        route("DELETE", "/api/v1/me/push-subscriptions", Session),
        route("GET", "/api/v1/me/notification-preferences", Session),
        route("PUT", "/api/v1/me/notification-preferences", Session)
            .json(r#"{"normal":true,"urgent":true}"#),
        route("GET", "/api/v1/sessions", Session),
        route("DELETE", "/api/v1/sessions/{id}", Session).on(OwnSession),
        route("POST", "/api/v1/sessions/{id}/wipe", Session).on(OwnSession),
        // Users, roles and policy.
        route("POST", "/api/v1/users", Perm(P::UsersManage)).json("{}"),
        route("GET", "/api/v1/users", Perm(P::UsersRead)),
        route("GET", "/api/v1/users/{id}", Perm(P::UsersRead)).on(PatientAccount),
        route("PATCH", "/api/v1/users/{id}", Perm(P::UsersManage))
            .on(Any)
            .json(r#"{"status":"active"}"#),
        route("DELETE", "/api/v1/users/{id}/totp", Perm(P::UsersManage)).on(Any),
        route(
            "GET",
            "/api/v1/privileged-changes",
            AnyOf(DECIDE_OR_REQUEST),
        ),
        route(
            "POST",
            "/api/v1/privileged-changes/{id}/approve",
            Perm(P::ComplianceManage),
        )
        .on(Any),
        route(
            "POST",
            "/api/v1/privileged-changes/{id}/reject",
            Perm(P::ComplianceManage),
        )
        .on(Any),
        route("GET", "/api/v1/roles", Perm(P::UsersRead)),
        route("PUT", "/api/v1/roles/{name}", Perm(P::PolicyManage))
            .json(r#"{"permissions":["users_read"]}"#),
        route("GET", "/api/v1/policy", Perm(P::PolicyManage)),
        route("PUT", "/api/v1/policy", Perm(P::PolicyManage)).json("{}"),
        // Audit and compliance.
        route("GET", "/api/v1/audit", Perm(P::AuditRead)),
        route("GET", "/api/v1/audit/verify", Perm(P::AuditRead)),
        route("GET", "/api/v1/audit/checkpoint", Perm(P::AuditRead)),
        route("GET", "/api/v1/alerts", Perm(P::AuditRead)),
        route("POST", "/api/v1/alerts/{id}/ack", Perm(P::AuditRead)).on(Any),
        route("POST", "/api/v1/alerts/{id}/sign-off", Perm(P::AuditRead))
            .on(Any)
            .json(r#"{"note":"Reviewed with the unit lead: justified"}"#),
        route("GET", "/api/v1/compliance/report", Perm(P::AuditRead)),
        route(
            "GET",
            "/api/v1/compliance/access-review",
            Perm(P::AuditRead),
        ),
        route(
            "POST",
            "/api/v1/compliance/access-review",
            Perm(P::ComplianceManage),
        )
        .json(r#"{"user_id":"$NURSE","decision":"keep"}"#),
        route("GET", "/api/v1/reports/{kind}", Perm(P::AuditRead)),
        route("GET", "/api/v1/messages/{id}/versions", Perm(P::AuditRead)).on(Any),
        route(
            "GET",
            "/api/v1/patients/{id}/disclosures",
            Perm(P::AuditRead),
        )
        .on(Any),
        route("POST", "/api/v1/legal-holds", Perm(P::ComplianceManage)).json(HOLD),
        route("GET", "/api/v1/legal-holds", Perm(P::ComplianceManage)),
        route(
            "POST",
            "/api/v1/legal-holds/{id}/release",
            Perm(P::ComplianceManage),
        )
        .on(Any),
        route(
            "GET",
            "/api/v1/conversations/{id}/export",
            Perm(P::ComplianceManage),
        )
        .on(Any),
        route(
            "GET",
            "/api/v1/patients/{id}/export",
            Perm(P::ComplianceManage),
        )
        .on(Any),
        route(
            "PUT",
            "/api/v1/conversations/{id}/retention",
            Perm(P::PolicyManage),
        )
        .on(Any)
        .json(r#"{"retention_secs":null}"#),
        // Patients.
        route("POST", "/api/v1/patients", Perm(P::PatientsManage)).json(NEW_PATIENT),
        route("GET", "/api/v1/patients", Perm(P::PatientsRead)),
        route(
            "POST",
            "/api/v1/patients/lookup",
            AnyOf(AUDIT_OR_COMPLIANCE),
        )
        .json(r#"{"mrn":"$MRN"}"#),
        route("GET", "/api/v1/patients/{id}", Session).on(Patient),
        route(
            "POST",
            "/api/v1/patients/{id}/care-team",
            Perm(P::PatientsManage),
        )
        .on(CareTeam)
        .json(r#"{"user_id":"$NURSE"}"#),
        route(
            "DELETE",
            "/api/v1/patients/{id}/care-team/{user_id}",
            Perm(P::PatientsManage),
        )
        .on(CareTeam),
        // A reason too short to open anything: refused (422) after the permission check.
        route(
            "POST",
            "/api/v1/patients/{id}/break-glass",
            Perm(P::BreakGlass),
        )
        .on(Any)
        .json(r#"{"reason":"too short"}"#),
        // Conversations, messages and files. A care-team kind is refused (422) after the
        // permission check: care-team threads come with a patient's registration.
        route(
            "POST",
            "/api/v1/conversations",
            Perm(P::ConversationsCreate),
        )
        .json(r#"{"kind":"care_team","member_ids":[]}"#),
        route("GET", "/api/v1/conversations", Session),
        route("GET", "/api/v1/channels", Perm(P::ChannelsJoin)),
        route("GET", "/api/v1/conversations/{id}", Session).on(Member),
        route(
            "POST",
            "/api/v1/conversations/{id}/members",
            Perm(P::ConversationsCreate),
        )
        .on(Member)
        .json(r#"{"user_id":"$NURSE"}"#),
        route(
            "DELETE",
            "/api/v1/conversations/{id}/members/{user_id}",
            Perm(P::ConversationsCreate),
        )
        .on(Member),
        // The thread is not a channel: 404 to all, which must not tell non-members it exists.
        route(
            "POST",
            "/api/v1/conversations/{id}/join",
            Perm(P::ChannelsJoin),
        )
        .on(Member),
        route(
            "POST",
            "/api/v1/conversations/{id}/messages",
            Perm(P::MessagesSend),
        )
        .on(Member)
        .json(MESSAGE),
        route("GET", "/api/v1/conversations/{id}/messages", Session).on(Member),
        route("POST", "/api/v1/conversations/{id}/messages/check", Session)
            .on(Member)
            .json(r#"{"body":"Follow-up visit is booked for next week"}"#),
        route("POST", "/api/v1/conversations/{id}/read", Session)
            .on(Member)
            .json(r#"{"up_to_seq":1}"#),
        route(
            "PUT",
            "/api/v1/conversations/{id}/escalation-role",
            Perm(P::ConversationsCreate),
        )
        .on(Member)
        .json(r#"{"role_id":null}"#),
        route(
            "PUT",
            "/api/v1/conversations/{id}/lifespan",
            Perm(P::ConversationsCreate),
        )
        .on(Member)
        .json(r#"{"lifespan_secs":null}"#),
        route("GET", "/api/v1/messages/{id}/receipts", Session).on(Member),
        route("POST", "/api/v1/messages/{id}/ack", Session).on(Member),
        route("GET", "/api/v1/escalations", Session),
        route("PATCH", "/api/v1/messages/{id}", Session)
            .on(Sender)
            .json(r#"{"body":"Discharge summary attached; follow-up booked"}"#),
        // Recalling hides the message's file from its members: after the downloads.
        route("POST", "/api/v1/messages/{id}/recall", Session)
            .on(Sender)
            .stage(Stage::Late),
        route("GET", "/api/v1/scheduled-messages", Session),
        route("DELETE", "/api/v1/scheduled-messages/{id}", Session).on(Owner),
        // An empty upload: refused (415 or 422) after the permission and membership checks.
        route("POST", "/api/v1/attachments", Perm(P::MessagesSend))
            .on(Member)
            .query("conversation_id={conversation_id}")
            .bytes(),
        route("GET", "/api/v1/attachments/{id}", Session).on(Member),
        route("GET", "/api/v1/attachments/{id}/thumbnail", Session).on(Member),
        // Clinical roles. An empty name is refused (422) after the permission check.
        route("POST", "/api/v1/clinical-roles", Perm(P::UsersManage)).json(r#"{"name":""}"#),
        route("GET", "/api/v1/clinical-roles", Perm(P::UsersRead)),
        route(
            "POST",
            "/api/v1/clinical-roles/{id}/shifts",
            Perm(P::UsersManage),
        )
        .on(Any)
        .json(BACKWARD_SHIFT),
        route(
            "POST",
            "/api/v1/clinical-roles/{id}/messages",
            AllOf(SEND_TO_ROLE),
        )
        .on(Any)
        .json(MESSAGE),
    ]
}

/// How far a principal is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// No credentials at all.
    Anonymous,
    /// The token of a session that was signed out.
    Revoked,
    /// Signed in, but the second factor the role needs is not set up yet.
    Enrolling,
    /// A full session.
    Full,
}

/// Someone calling the API.
#[derive(Debug)]
struct Principal {
    name: &'static str,
    standing: Standing,
    token: Option<String>,
    user: Option<Uuid>,
    role: Option<String>,
    /// What the server says the role allows (`GET /me`).
    permissions: BTreeSet<Permission>,
}

impl Principal {
    fn anonymous() -> Self {
        Self {
            name: "anonymous",
            standing: Standing::Anonymous,
            token: None,
            user: None,
            role: None,
            permissions: BTreeSet::new(),
        }
    }

    fn revoked(token: Option<String>) -> Self {
        Self {
            name: "signed-out session",
            standing: Standing::Revoked,
            token,
            ..Self::anonymous()
        }
    }

    /// A signed-in client, with its user, role and permissions as the server reports them.
    async fn of(name: &'static str, standing: Standing, client: &Client) -> Self {
        let me = client.me().await.expect("me");
        let permissions = me
            .permissions
            .iter()
            .map(|code| Permission::parse(code).expect("a permission the server names"))
            .collect();
        Self {
            name,
            standing,
            token: client.token().map(str::to_owned),
            user: Some(me.user.id),
            role: Some(me.user.role),
            permissions,
        }
    }

    fn signed_in(&self) -> bool {
        matches!(self.standing, Standing::Enrolling | Standing::Full)
    }
}

/// What a principal may do with an object, apart from the gate.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// May learn that it exists.
    sees: bool,
    /// May be answered with success.
    may: bool,
}

impl Reach {
    const NONE: Self = Self {
        sees: false,
        may: false,
    };

    fn both(yes: bool) -> Self {
        Self {
            sees: yes,
            may: yes,
        }
    }
}

/// The objects the matrix calls about, and who stands where to them.
#[derive(Debug)]
struct Fixture {
    conversation: Uuid,
    message: Uuid,
    attachment: Uuid,
    scheduled: Uuid,
    patient: Uuid,
    spare_account: Uuid,
    session: Uuid,
    clinical_role: Uuid,
    hold: Uuid,
    alert: Uuid,
    change: Uuid,
    /// Members of the patient-facing thread.
    members: BTreeSet<Uuid>,
    /// The patient's care team.
    care_team: BTreeSet<Uuid>,
    /// The care team of the spare account's record.
    spare_team: BTreeSet<Uuid>,
    patient_account: Uuid,
    /// The nurse: sender of the message and the scheduled message, uploader of the file.
    nurse: Uuid,
    /// The physician: owner of the other session and holder of the clinical role.
    physician: Uuid,
    /// The non-member nurse, named by `{user_id}` (on no care team, in no thread).
    outsider: Uuid,
}

impl Fixture {
    fn reach(&self, object: Object, who: &Principal) -> Reach {
        let full_user = who.user.filter(|_| who.standing == Standing::Full);
        let user = match (object, full_user) {
            (Object::Unscoped | Object::Any, _) => return Reach::both(true),
            (_, Some(user)) => user,
            // Only a full session reaches anyone's objects.
            (_, None) => return Reach::NONE,
        };
        let holds = |p: Permission| who.permissions.contains(&p);
        let member = self.members.contains(&user);
        match object {
            Object::Unscoped | Object::Any => Reach::both(true),
            Object::Member => Reach::both(member),
            Object::Sender => Reach {
                sees: member,
                may: user == self.nurse,
            },
            Object::Owner => Reach::both(user == self.nurse),
            Object::OwnSession => {
                Reach::both(user == self.physician || holds(Permission::SessionsManage))
            }
            Object::Patient => Reach::both(
                user == self.patient_account
                    || (holds(Permission::PatientsRead) && self.care_team.contains(&user)),
            ),
            Object::CareTeam => Reach::both(self.care_team.contains(&user)),
            Object::PatientAccount => Reach::both(
                holds(Permission::UsersManage)
                    || holds(Permission::ComplianceManage)
                    || self.spare_team.contains(&user),
            ),
        }
    }

    /// Whether the table lets `who` succeed at `route` with the fixture's objects.
    fn may(&self, route: &Route, who: &Principal) -> bool {
        route.gate.admits(who) && self.reach(route.object, who).may
    }

    /// Whether `who` may learn that the route's object exists.
    fn sees(&self, route: &Route, who: &Principal) -> bool {
        match route.object {
            Object::Unscoped => true,
            Object::Any => route.gate.admits(who),
            object => self.reach(object, who).sees,
        }
    }

    /// The fixture's value for the parameter `name` of `path`.
    fn real(&self, path: &str, name: &str) -> String {
        let resource = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or_default();
        let id = match (name, resource) {
            ("name", _) => return CUSTOM_ROLE.to_owned(),
            ("kind", _) => return REPORT_KIND.to_owned(),
            ("user_id", _) => self.outsider,
            ("conversation_id", _) | (_, "conversations") => self.conversation,
            (_, "messages") => self.message,
            (_, "attachments") => self.attachment,
            (_, "scheduled-messages") => self.scheduled,
            (_, "patients") => self.patient,
            (_, "users") => self.spare_account,
            (_, "sessions") => self.session,
            (_, "clinical-roles") => self.clinical_role,
            (_, "legal-holds") => self.hold,
            (_, "alerts") => self.alert,
            (_, "privileged-changes") => self.change,
            _ => panic!("no fixture for {{{name}}} in {path}: add one"),
        };
        id.to_string()
    }

    /// A JSON body from its template.
    fn body(&self, template: &str) -> String {
        template
            .replace("$CONVERSATION", &self.conversation.to_string())
            .replace("$NURSE", &self.nurse.to_string())
            .replace("$PHYSICIAN", &self.physician.to_string())
            .replace("$MRN", PATIENT_MRN)
            .replace("$UUID", &Uuid::new_v4().to_string())
    }
}

/// A random value for the parameter `name` (the same for those that name no object).
fn random(name: &str) -> String {
    match name {
        "name" => CUSTOM_ROLE.to_owned(),
        "kind" => REPORT_KIND.to_owned(),
        _ => Uuid::new_v4().to_string(),
    }
}

/// `template` with each `{name}` replaced by `value(name)`.
fn fill(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&value(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The names of a template's `{...}` parameters.
fn parameters(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    fill(template, |name| {
        names.push(name.to_owned());
        String::new()
    });
    names
}

/// What the server answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// The problem details of an error (`null` otherwise).
    problem: Value,
}

impl Answer {
    fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The same status, problem type and detail: nothing tells the two apart.
    fn same_as(&self, other: &Self) -> bool {
        self.status == other.status
            && self.problem["type"] == other.problem["type"]
            && self.problem["detail"] == other.problem["detail"]
    }

    fn describe(&self) -> String {
        match self.problem["type"].as_str() {
            Some(kind) => format!(
                "{} {kind} ({})",
                self.status,
                self.problem["detail"].as_str().unwrap_or("no detail")
            ),
            None => self.status.to_string(),
        }
    }
}

/// Raw HTTP to the server under test.
#[derive(Debug)]
struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    /// Calls `route` at `url` (path and query, filled in) as `who`.
    async fn call(&self, route: &Route, who: &Principal, url: &str, fixture: &Fixture) -> Answer {
        let method = Method::from_bytes(route.method.as_bytes()).expect("an HTTP method");
        let mut request = self.client.request(method, format!("{}{url}", self.base));
        if let Some(token) = &who.token {
            request = match route.gate {
                Gate::Cookie => request.header("cookie", format!("ward_session={token}")),
                _ => request.bearer_auth(token),
            };
        }
        request = match route.body {
            Body::None => request,
            Body::Json(template) => request
                .header("content-type", "application/json")
                .body(fixture.body(template)),
            Body::Bytes => request
                .header("content-type", "application/octet-stream")
                .body(Vec::<u8>::new()),
        };
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let problem = if status >= 400 {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        Answer { status, problem }
    }
}

/// Mismatches found so far; the test fails at the end with all of them.
#[derive(Debug, Default)]
struct Findings(Vec<String>);

impl Findings {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
}

/// The figures of a run.
#[derive(Debug, Default)]
struct Tally {
    /// One per operation and principal.
    calls: usize,
    /// Extra calls with random ids, each compared with the real object's answer.
    pairs: usize,
    unauthorized: usize,
    server_errors: usize,
}

async fn document(server: &TestServer) -> Value {
    reqwest::get(format!("{}/api/v1/openapi.json", server.url))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json")
}

/// Every operation of the document: method, path template, and whether it declares no
/// security requirement (needs no session).
fn documented(doc: &Value) -> Vec<(String, String, bool)> {
    let mut all = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, spec) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let public = spec
                .get("security")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            all.push((method.to_ascii_uppercase(), template.clone(), public));
        }
    }
    all
}

/// The table's routes that the document has, in the order they are called; every operation of
/// the document must be in the table, and be public in both or in neither.
fn classify(doc: &Value, routes: &[Route], findings: &mut Findings) -> Vec<Route> {
    let documented = documented(doc);
    for (method, path, public) in &documented {
        let row = routes
            .iter()
            .find(|r| r.method == method.as_str() && r.path == path.as_str());
        match row {
            None => findings.check(false, || {
                format!("{method} {path} is not in the authorization table: classify it")
            }),
            Some(row) => findings.check((row.gate == Gate::Public) == *public, || {
                format!(
                    "{method} {path}: the table and the document disagree on whether it \
                     needs a session"
                )
            }),
        }
    }
    let mut exercised = Vec::new();
    for row in routes {
        let found = documented
            .iter()
            .any(|(method, path, _)| method.as_str() == row.method && path.as_str() == row.path);
        findings.check(found, || {
            format!("{}: in the table but not in the document", row.name())
        });
        if found {
            exercised.push(*row);
        }
    }
    exercised.sort_by_key(|r| r.stage);
    exercised
}

/// Checks one answer against the table, counting what is counted.
fn judge(
    route: &Route,
    who: &Principal,
    fixture: &Fixture,
    got: &Answer,
    tally: &mut Tally,
    findings: &mut Findings,
) {
    let call = || format!("{} as {}", route.name(), who.name);
    if got.status >= 500 {
        tally.server_errors += 1;
        findings.check(false, || {
            format!("{}: server error {}", call(), got.describe())
        });
        return;
    }
    let may = fixture.may(route, who);
    if got.success() && !may {
        tally.unauthorized += 1;
    }
    let status = got.status;
    let signed_out = matches!(who.standing, Standing::Anonymous | Standing::Revoked);
    if signed_out && route.gate != Gate::Public {
        // Without a token the WebSocket waits for an `auth` frame; a plain GET is no upgrade.
        let expected = if route.gate == Gate::WebSocket && who.standing == Standing::Anonymous {
            400
        } else {
            401
        };
        findings.check(status == expected, || {
            format!("{}: expected {expected}, got {}", call(), got.describe())
        });
    } else if may {
        findings.check(status != 401 && status != 403, || {
            format!(
                "{}: allowed by the table, refused {}",
                call(),
                got.describe()
            )
        });
    } else {
        findings.check(status == 403 || status == 404, || {
            format!(
                "{}: denied by the table, expected 403 or 404, got {}",
                call(),
                got.describe()
            )
        });
    }
}

/// Each principal's permissions are those of the permission table (`ward_core::role`), and the
/// custom role's those it was given.
fn check_roles(principals: &[Principal], findings: &mut Findings) {
    let builtin = builtin_roles();
    for who in principals {
        let Some(role) = &who.role else {
            continue;
        };
        let expected: BTreeSet<Permission> =
            match builtin.iter().find(|r| r.name.as_str() == role.as_str()) {
                Some(table_role) => table_role.permissions.clone(),
                None => CUSTOM_PERMISSIONS
                    .iter()
                    .map(|code| Permission::parse(code).expect("a permission"))
                    .collect(),
            };
        findings.check(who.permissions == expected, || {
            format!(
                "{} ({role}): the server grants {:?}, the table {expected:?}",
                who.name, who.permissions
            )
        });
    }
}

/// Registers a patient with an account and a care team.
async fn register(
    by: &Client,
    mrn: &str,
    names: (&str, &str),
    account: Uuid,
    care_team: Vec<Uuid>,
) -> PatientView {
    let (family_name, given_name) = names;
    by.create_patient(&CreatePatientRequest {
        mrn: mrn.into(),
        family_name: family_name.into(),
        given_name: given_name.into(),
        birth_date: time::macros::date!(1950 - 01 - 02),
        user_id: Some(account),
        care_team,
    })
    .await
    .expect("register a patient")
}

/// A minimal PDF: on the allow-list, streamed through unchanged.
fn tiny_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec()
}

/// Makes the principals and the fixture.
async fn setup(server: &TestServer) -> (Vec<Principal>, Fixture) {
    let (admin, _) = server.admin().await;
    admin
        .put_role(CUSTOM_ROLE, &CUSTOM_PERMISSIONS)
        .await
        .expect("custom role");
    let compliance = officer(server, "compliance").await;
    let physician = server.user(&admin, "dr.okafor", "physician").await;
    let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
    let pharmacist = server.user(&admin, "rx.chen", "pharmacist").await;
    let staff = server.user(&admin, "desk.diaz", "staff").await;
    let clerk = server.user(&admin, "unit.clerk", CUSTOM_ROLE).await;
    let patient = server.user(&admin, "pat.jones", "patient").await;
    let other_patient = server.user(&admin, "pat.smith", "patient").await;
    let outsider = server.user(&admin, "nurse.lee", "nurse").await;
    // An admin must set up a second factor: signed in, this session may do nothing else yet.
    let enrolling = server.user(&admin, "admin.pending", "admin").await;
    let emergency = server.user(&admin, "dr.er", "physician").await;
    let spare_account = server.create(&admin, "pat.spare", "patient").await;

    let physician_id = id_of(&physician).await;
    let nurse_id = id_of(&nurse).await;
    let patient_id = id_of(&patient).await;
    let outsider_id = id_of(&outsider).await;

    let signed_out = server
        .anon()
        .sign_in("nurse.reyes", PASSWORD, "old tablet")
        .await
        .expect("sign in");
    let revoked_token = signed_out.token().map(str::to_owned);
    signed_out.logout().await.expect("sign out");
    let phone = server
        .anon()
        .sign_in("dr.okafor", PASSWORD, "phone")
        .await
        .expect("sign in");
    let session = phone.me().await.expect("me").session.id;

    // The patient, with a patient-facing thread the staff members are in.
    let record = register(
        &nurse,
        PATIENT_MRN,
        ("Jones", "Avery"),
        patient_id,
        vec![nurse_id, physician_id],
    )
    .await;
    let other_id = id_of(&other_patient).await;
    let other_record = register(
        &physician,
        "MRN-5002",
        ("Smith", "Blake"),
        other_id,
        vec![physician_id],
    )
    .await;
    let spare_record = register(
        &nurse,
        "MRN-5003",
        ("Quinn", "Rowan"),
        spare_account,
        vec![nurse_id],
    )
    .await;
    let thread = nurse
        .create_conversation(&CreateConversationRequest {
            kind: ConversationKind::Patient,
            title: None,
            member_ids: Vec::new(),
            patient_id: Some(record.id),
        })
        .await
        .expect("patient thread")
        .id;
    for member in [physician_id, id_of(&pharmacist).await, id_of(&staff).await] {
        nurse
            .add_member(thread, member)
            .await
            .expect("add a member");
    }
    let upload = nurse
        .upload_attachment(thread, Some("summary.pdf"), tiny_pdf())
        .await
        .expect("upload");
    let (message, _) = nurse
        .send_message(
            thread,
            &SendMessageRequest {
                attachments: vec![upload.id],
                ..text("Discharge summary attached")
            },
        )
        .await
        .expect("send");
    let (scheduled, _) = nurse
        .schedule_message(
            thread,
            &SendMessageRequest {
                send_at: Some(OffsetDateTime::now_utc() + time::Duration::hours(2)),
                ..text("Reminder: the follow-up visit is tomorrow")
            },
        )
        .await
        .expect("schedule");

    // A clinical role the physician holds now.
    let clinical_role = admin
        .create_clinical_role(&CreateClinicalRoleRequest {
            name: "Cardiology on-call".into(),
            supervisor_id: None,
        })
        .await
        .expect("clinical role")
        .id;
    let now = OffsetDateTime::now_utc();
    admin
        .add_shift(
            clinical_role,
            &ShiftRequest {
                user_id: physician_id,
                starts_at: now - time::Duration::hours(1),
                ends_at: now + time::Duration::hours(8),
            },
        )
        .await
        .expect("shift");

    // Compliance objects: a hold, an alert (from break-glass), a request awaiting approval.
    let hold = compliance
        .place_hold(&PlaceHoldRequest {
            scope: HoldScope::Conversation,
            subject_id: thread,
            reason: "Litigation hold for a records request".into(),
        })
        .await
        .expect("hold")
        .id;
    emergency
        .break_glass(
            other_record.id,
            &BreakGlassRequest {
                reason: "Unresponsive on arrival in the emergency department".into(),
                minutes: None,
            },
        )
        .await
        .expect("break glass");
    let alert = compliance
        .list_alerts(true)
        .await
        .expect("alerts")
        .alerts
        .first()
        .map(|a| a.id)
        .expect("an alert");
    let response = admin
        .request(Method::POST, "/users")
        .json(&CreateUserRequest {
            username: "auditor.two".into(),
            display_name: "Test auditor".into(),
            role: "compliance_officer".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 202, "a request for approval");
    let change: PrivilegedChangeView = response.json().await.expect("the request");

    let members: BTreeSet<Uuid> = nurse
        .get_conversation(thread)
        .await
        .expect("thread")
        .members
        .into_iter()
        .collect();
    assert_eq!(
        members.len(),
        5,
        "nurse, physician, pharmacist, staff, patient"
    );
    let fixture = Fixture {
        conversation: thread,
        message: message.id,
        attachment: upload.id,
        scheduled: scheduled.id,
        patient: record.id,
        spare_account,
        session,
        clinical_role,
        hold,
        alert,
        change: change.id,
        members,
        care_team: record.care_team.into_iter().collect(),
        spare_team: spare_record.care_team.into_iter().collect(),
        patient_account: patient_id,
        nurse: nurse_id,
        physician: physician_id,
        outsider: outsider_id,
    };

    use Standing::{Enrolling, Full};
    let principals = vec![
        Principal::anonymous(),
        Principal::revoked(revoked_token),
        Principal::of("admin without a second factor", Enrolling, &enrolling).await,
        Principal::of("admin", Full, &admin).await,
        Principal::of("compliance officer", Full, &compliance).await,
        Principal::of("physician", Full, &physician).await,
        Principal::of("nurse", Full, &nurse).await,
        Principal::of("pharmacist", Full, &pharmacist).await,
        Principal::of("staff", Full, &staff).await,
        Principal::of("custom role", Full, &clerk).await,
        Principal::of("patient", Full, &patient).await,
        Principal::of("another patient", Full, &other_patient).await,
        Principal::of("non-member nurse", Full, &outsider).await,
    ];
    (principals, fixture)
}

/// Runs the matrix on one server and fails with every mismatch.
async fn matrix(server: TestServer) -> TestServer {
    let backend = if server.config.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let doc = document(&server).await;
    let mut findings = Findings::default();
    let routes = classify(&doc, &table(), &mut findings);
    let (principals, fixture) = setup(&server).await;
    check_roles(&principals, &mut findings);
    let http = Http {
        client: reqwest::Client::new(),
        base: server.url.clone(),
    };
    let mut tally = Tally::default();
    for route in &routes {
        let template = route.template();
        for who in &principals {
            let url = fill(&template, |name| fixture.real(route.path, name));
            let got = http.call(route, who, &url, &fixture).await;
            tally.calls += 1;
            judge(route, who, &fixture, &got, &mut tally, &mut findings);

            if !(route.has_object() && who.signed_in() && !fixture.sees(route, who)) {
                continue;
            }
            let elsewhere = http
                .call(route, who, &fill(&template, random), &fixture)
                .await;
            tally.pairs += 1;
            if elsewhere.status >= 500 {
                tally.server_errors += 1;
                findings.check(false, || {
                    format!(
                        "{} as {} with a random id: server error {}",
                        route.name(),
                        who.name,
                        elsewhere.describe()
                    )
                });
            }
            findings.check(got.same_as(&elsewhere), || {
                format!(
                    "{} as {}: {} for the real object but {} for a random id",
                    route.name(),
                    who.name,
                    got.describe(),
                    elsewhere.describe()
                )
            });
        }
    }
    println!(
        "authz matrix ({backend}): {} operations x {} principals = {} calls, {} real-vs-random \
         id pairs, {} unauthorized 2xx, {} 5xx",
        routes.len(),
        principals.len(),
        tally.calls,
        tally.pairs,
        tally.unauthorized,
        tally.server_errors
    );
    assert!(
        findings.0.is_empty(),
        "{} authorization mismatches:\n{}",
        findings.0.len(),
        findings.0.join("\n")
    );
    server
}

api_test!(
    every_operation_answers_every_principal_as_the_table_says,
    matrix
);
