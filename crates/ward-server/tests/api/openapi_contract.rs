//! The OpenAPI document against the server that serves it: every `$ref` resolves, operation ids
//! are unique, path parameters are declared in the path and nothing else is, every error is
//! documented as problem+json, the limits the server enforces are in the schema, and every
//! status the server answers an operation with here is one the document lists for it.
//!
//! Each test collects every mismatch before failing, so one run shows them all.

use std::collections::BTreeSet;

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;
use ward_client::Client;
use ward_crypto::totp::TotpSecret;
use ward_server::services::{MAX_AUDIT_PAGE, MAX_PAGE, MAX_SYNC_PAGE};

use crate::messaging::{group, id_of};
use crate::{TestServer, api_test, code};

const PROBLEM_JSON: &str = "application/problem+json";
const JSON: &str = "application/json";

/// The operations that need no session; every other one declares a security requirement.
const PUBLIC: [(&str, &str); 4] = [
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/web-session"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
];

/// The WebSocket: without a token it upgrades and waits for an `auth` frame, so its 401 is for
/// a token that is not valid.
const WEBSOCKET: &str = "/api/v1/ws";

/// The operations that end or change the caller's own session, called last.
const SESSION_ENDING: [&str; 3] = [
    "/api/v1/me/totp",
    "/api/v1/auth/wipe-confirmation",
    "/api/v1/auth/logout",
];

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// What a `$ref` that does not resolve points at.
static NULL: Value = Value::Null;

/// One operation of the document.
#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    /// The path template, e.g. `/api/v1/users/{id}`.
    template: String,
    spec: Value,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    fn is(&self, method: &Method, template: &str) -> bool {
        self.method == *method && self.template == template
    }

    fn is_public(&self) -> bool {
        PUBLIC
            .iter()
            .any(|(method, template)| self.method.as_str() == *method && self.template == *template)
    }

    /// The path with a random UUID for each id parameter (and a real report for `{kind}`).
    fn path(&self) -> String {
        self.template
            .split('/')
            .map(|segment| match segment {
                "{kind}" => "exports".to_owned(),
                s if s.starts_with('{') && s.ends_with('}') => Uuid::new_v4().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The names in the template's `{...}` segments.
    fn template_parameters(&self) -> BTreeSet<String> {
        self.template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect()
    }

    fn documents(&self, status: u16) -> bool {
        self.spec["responses"].get(status.to_string()).is_some()
    }

    fn takes_json(&self) -> bool {
        self.spec["requestBody"]["content"].get(JSON).is_some()
    }

    /// A declared parameter's schema.
    fn parameter<'a>(&'a self, doc: &'a Value, name: &str) -> Option<&'a Value> {
        self.spec["parameters"]
            .as_array()?
            .iter()
            .map(|p| deref(doc, p))
            .find(|p| p["name"] == name)
            .map(|p| deref(doc, &p["schema"]))
    }
}

/// Every operation of the document.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut all = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, spec) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            all.push(Operation {
                method,
                template: template.clone(),
                spec: spec.clone(),
            });
        }
    }
    all
}

/// The value a `$ref` points at, following references; the value itself if it is none.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..8 {
        let Some(reference) = value["$ref"].as_str() else {
            return value;
        };
        match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => value = target,
            None => return &NULL,
        }
    }
    value
}

/// Every `$ref` in `value`.
fn references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(reference)) => out.push(reference),
                    _ => references(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
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

    #[track_caller]
    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatches between the server and its OpenAPI document:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

/// What the server answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    retry_after: bool,
    body: String,
}

async fn answer(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("send");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let retry_after = header("retry-after").is_some();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        retry_after,
        body,
    }
}

impl Findings {
    /// The answer's status is one `op` documents (and `expected`, if given), and an error is
    /// problem+json.
    fn answered(&mut self, op: &Operation, answer: &Answer, expected: Option<u16>) {
        let status = answer.status;
        if let Some(expected) = expected {
            self.check(status == expected, || {
                format!(
                    "{}: expected {expected}, got {status}: {}",
                    op.name(),
                    answer.body
                )
            });
        }
        self.check(op.documents(status), || {
            format!(
                "{}: answered {status}, which its responses do not list: {}",
                op.name(),
                answer.body
            )
        });
        if status >= 400 {
            self.check(answer.content_type == PROBLEM_JSON, || {
                format!(
                    "{}: {status} came as {:?}, not {PROBLEM_JSON}",
                    op.name(),
                    answer.content_type
                )
            });
        }
    }
}

/// Raw requests to the server, with a bearer token or none.
#[derive(Debug, Clone)]
struct Caller {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Caller {
    fn anonymous(server: &TestServer) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: server.url.clone(),
            token: None,
        }
    }

    fn of(server: &TestServer, client: &Client) -> Self {
        Self {
            token: client.token().map(str::to_owned),
            ..Self::anonymous(server)
        }
    }

    fn request(&self, method: &Method, path: &str) -> RequestBuilder {
        let request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `op` with random ids and a JSON body (raw text).
    fn with_body(&self, op: &Operation, body: &str) -> RequestBuilder {
        self.request(&op.method, &op.path())
            .header("content-type", JSON)
            .body(body.to_owned())
    }
}

async fn document(server: &TestServer) -> Value {
    reqwest::get(format!("{}/api/v1/openapi.json", server.url))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json")
}

fn find<'a>(ops: &'a [Operation], method: &Method, template: &str) -> &'a Operation {
    ops.iter()
        .find(|op| op.is(method, template))
        .unwrap_or_else(|| panic!("{method} {template} is not in the OpenAPI document"))
}

/// An admin with a full session of its own, for calls that may end it.
async fn full_admin(server: &TestServer, admin: &Client, username: &str) -> Client {
    let client = server.user(admin, username, "admin").await;
    let enrollment = client.begin_totp().await.expect("begin totp");
    let secret = TotpSecret::from_base32(&enrollment.secret).expect("base32");
    client
        .confirm_totp(&code(&secret))
        .await
        .expect("confirm totp");
    client
}

api_test!(
    the_openapi_document_is_consistent,
    |server: TestServer| async move {
        let doc = document(&server).await;
        let ops = operations(&doc);
        let mut findings = Findings::default();
        findings.check(ops.len() > 60, || format!("only {} operations", ops.len()));

        let mut refs = Vec::new();
        references(&doc, &mut refs);
        for reference in refs {
            let target = reference.strip_prefix('#').and_then(|p| doc.pointer(p));
            findings.check(target.is_some(), || format!("{reference} does not resolve"));
        }

        let mut ids = BTreeSet::new();
        for op in &ops {
            match op.spec["operationId"].as_str() {
                Some(id) => findings.check(ids.insert(id.to_owned()), || {
                    format!("{}: operationId {id} is not unique", op.name())
                }),
                None => findings.check(false, || format!("{}: no operationId", op.name())),
            }

            let parameters = op.spec["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut in_path = BTreeSet::new();
            for parameter in &parameters {
                let parameter = deref(&doc, parameter);
                let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                let location = parameter["in"].as_str().unwrap_or_default();
                findings.check(
                    ["path", "query", "header", "cookie"].contains(&location),
                    || format!("{}: parameter {name} is in {location:?}", op.name()),
                );
                if location == "path" {
                    findings.check(parameter["required"] == true, || {
                        format!("{}: path parameter {name} is not required", op.name())
                    });
                    in_path.insert(name);
                }
            }
            let template = op.template_parameters();
            findings.check(in_path == template, || {
                format!(
                    "{}: the path has {template:?} but declares {in_path:?} in: path",
                    op.name()
                )
            });

            let responses = op.spec["responses"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            findings.check(!responses.is_empty(), || {
                format!("{}: no responses", op.name())
            });
            for (status, response) in &responses {
                if status.parse::<u16>().unwrap_or(0) < 400 {
                    continue;
                }
                let content = deref(&doc, response)["content"].as_object();
                let types = content
                    .map(|c| c.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default();
                findings.check(types == [PROBLEM_JSON], || {
                    format!("{}: {status} is documented as {types:?}", op.name())
                });
                let schema = content
                    .and_then(|c| c.get(PROBLEM_JSON))
                    .map(|m| m["schema"]["$ref"].clone())
                    .unwrap_or_default();
                findings.check(schema == "#/components/schemas/Problem", || {
                    format!("{}: {status} is not a Problem but {schema}", op.name())
                });
            }

            let security = op.spec["security"].as_array().map(Vec::len).unwrap_or(0);
            if op.is_public() {
                findings.check(security == 0, || {
                    format!("{}: needs no session but declares security", op.name())
                });
            } else {
                findings.check(security > 0, || {
                    format!("{}: needs a session but declares no security", op.name())
                });
                findings.check(op.documents(401), || {
                    format!("{}: needs a session but does not list 401", op.name())
                });
            }
        }
        for (method, template) in PUBLIC {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            findings.check(ops.iter().any(|op| op.is(&method, template)), || {
                format!("{method} {template} is not in the document")
            });
        }
        let ws = find(&ops, &Method::GET, WEBSOCKET);
        findings.check(ws.documents(101), || {
            "the WebSocket does not list 101".into()
        });

        // The limits the server enforces.
        let bound = |op: &Operation, name: &str, key: &str| {
            op.parameter(&doc, name).and_then(|s| s[key].as_f64())
        };
        let messages = find(&ops, &Method::GET, "/api/v1/conversations/{id}/messages");
        let pages = [
            (messages, MAX_PAGE),
            (find(&ops, &Method::GET, "/api/v1/sync"), MAX_SYNC_PAGE),
            (find(&ops, &Method::GET, "/api/v1/audit"), MAX_AUDIT_PAGE),
        ];
        for (op, max) in pages {
            findings.check(bound(op, "limit", "minimum") == Some(1.0), || {
                format!("{}: limit has no minimum 1", op.name())
            });
            findings.check(
                bound(op, "limit", "maximum") == Some(f64::from(max)),
                || format!("{}: limit has no maximum {max}", op.name()),
            );
        }
        findings.check(bound(messages, "after", "minimum") == Some(0.0), || {
            "GET /api/v1/conversations/{id}/messages: after has no minimum 0".into()
        });
        let schemas = &doc["components"]["schemas"];
        for (schema, field, min) in [
            ("CreateUserRequest", "username", 3),
            ("CreateUserRequest", "password", 12),
            ("EditMessageRequest", "body", 1),
            ("SafetyCheckRequest", "body", 1),
            ("CreatePatientRequest", "mrn", 1),
            ("BreakGlassRequest", "reason", 10),
            ("PlaceHoldRequest", "reason", 10),
        ] {
            let declared = schemas[schema]["properties"][field]["minLength"].as_u64();
            findings.check(declared == Some(min), || {
                format!("{schema}.{field}: minLength {declared:?}, the server takes {min}")
            });
        }
        findings.assert_none();
        server
    }
);

api_test!(
    every_route_answers_only_what_it_documents,
    |server: TestServer| async move {
        let doc = document(&server).await;
        let ops = operations(&doc);
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let anonymous = Caller::anonymous(&server);
        let as_admin = Caller::of(&server, &admin);
        let as_nurse = Caller::of(&server, &nurse);
        let mut findings = Findings::default();

        // No token: 401 from every route that needs a session.
        for op in ops.iter().filter(|op| !op.is_public()) {
            let request = if op.template == WEBSOCKET {
                anonymous
                    .request(&op.method, &op.path())
                    .bearer_auth("ward_garbage")
            } else {
                anonymous.request(&op.method, &op.path())
            };
            findings.answered(op, &answer(request).await, Some(401));
        }

        // A nurse on routes for admins and compliance officers: 403, whatever the body.
        let denied = [
            (Method::GET, "/api/v1/policy", None),
            (Method::PUT, "/api/v1/policy", Some(json!({}))),
            (Method::POST, "/api/v1/users", Some(json!({}))),
            (
                Method::PATCH,
                "/api/v1/users/{id}",
                Some(json!({"status": "disabled"})),
            ),
            (
                Method::PUT,
                "/api/v1/roles/{name}",
                Some(json!({"permissions": []})),
            ),
            (
                Method::POST,
                "/api/v1/clinical-roles",
                Some(json!({"name": "Night on-call"})),
            ),
            (Method::GET, "/api/v1/audit", None),
            (Method::GET, "/api/v1/audit/verify", None),
            (Method::GET, "/api/v1/alerts", None),
            (Method::GET, "/api/v1/legal-holds", None),
            (Method::GET, "/api/v1/reports/{kind}", None),
        ];
        for (method, template, body) in denied {
            let op = find(&ops, &method, template);
            let path = if template.contains('{') {
                op.path()
            } else {
                template.to_owned()
            };
            let request = as_nurse.request(&method, &path);
            let request = match body {
                Some(body) => request.json(&body),
                None => request,
            };
            findings.answered(op, &answer(request).await, Some(403));
        }

        // A random id: 404, the same as for a record the caller may not see.
        let missing = [
            (Method::GET, "/api/v1/conversations/{id}"),
            (Method::GET, "/api/v1/conversations/{id}/messages"),
            (Method::GET, "/api/v1/messages/{id}/receipts"),
            (Method::GET, "/api/v1/attachments/{id}"),
            (Method::GET, "/api/v1/patients/{id}"),
            (Method::GET, "/api/v1/users/{id}"),
            (Method::DELETE, "/api/v1/sessions/{id}"),
        ];
        for (method, template) in missing {
            let op = find(&ops, &method, template);
            let request = as_nurse.request(&method, &op.path());
            findings.answered(op, &answer(request).await, Some(404));
        }

        // Malformed JSON bodies: 400 for what is not JSON, 422 for JSON of the wrong shape, from
        // a caller whose role holds the permission the route checks before the body (an admin,
        // but for patients' records, a clinician, and for legal holds, sign-offs and the access
        // review, a compliance officer).
        let officer = crate::audit::compliance_officer(&server, &admin).await;
        let as_officer = Caller::of(&server, &officer);
        for op in ops.iter().filter(|op| op.takes_json()) {
            let officers = [
                "/api/v1/legal-holds",
                "/api/v1/alerts/{id}/sign-off",
                "/api/v1/compliance/access-review",
            ];
            let caller = if officers.contains(&op.template.as_str()) {
                &as_officer
            } else if op.template.starts_with("/api/v1/patients") {
                &as_nurse
            } else {
                &as_admin
            };
            findings.answered(op, &answer(caller.with_body(op, "{")).await, Some(400));
            findings.answered(op, &answer(caller.with_body(op, "5")).await, Some(422));
        }

        // Page limits: what does not fit the declared bounds is refused, naming the parameter.
        let list = find(&ops, &Method::GET, "/api/v1/conversations/{id}/messages");
        let over = MAX_PAGE + 1;
        for (query, expected) in [
            ("limit=2147483648".to_owned(), 400),
            ("limit=4294967296".to_owned(), 400),
            ("limit=0".to_owned(), 400),
            (format!("limit={over}"), 400),
            ("after=-1".to_owned(), 422),
            (format!("limit={MAX_PAGE}"), 404),
        ] {
            let request = as_nurse.request(&Method::GET, &format!("{}?{query}", list.path()));
            let got = answer(request).await;
            findings.answered(list, &got, Some(expected));
            if expected == 400 {
                findings.check(got.body.contains("limit"), || {
                    format!(
                        "{query}: the problem does not name the parameter: {}",
                        got.body
                    )
                });
            }
        }
        let sync = find(&ops, &Method::GET, "/api/v1/sync");
        let over = MAX_SYNC_PAGE + 1;
        let request = as_nurse.request(&Method::GET, &format!("/api/v1/sync?limit={over}"));
        findings.answered(sync, &answer(request).await, Some(400));
        let request = as_nurse.request(&Method::GET, "/api/v1/sync?limit=1");
        findings.answered(sync, &answer(request).await, Some(200));
        let audit = find(&ops, &Method::GET, "/api/v1/audit");
        let over = MAX_AUDIT_PAGE + 1;
        let request = as_nurse.request(&Method::GET, &format!("/api/v1/audit?limit={over}"));
        findings.answered(audit, &answer(request).await, Some(400));

        // Sends and their retries answer with the documented bodies.
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;
        let send = find(&ops, &Method::POST, "/api/v1/conversations/{id}/messages");
        let path = format!("/api/v1/conversations/{conversation}/messages");
        let send_at = (OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&Rfc3339)
            .expect("time");
        let body = "Reminder: clinic visit tomorrow at 09:30, fasting from midnight";
        let scheduled = json!({"client_id": Uuid::new_v4(), "body": body, "send_at": send_at});
        let plain = json!({"client_id": Uuid::new_v4(), "body": body});
        for (request, first, schema) in [
            (&scheduled, 202, "ScheduledMessageView"),
            (&plain, 201, "MessageView"),
        ] {
            for expected in [first, 200] {
                let got = answer(as_nurse.request(&Method::POST, &path).json(request)).await;
                findings.answered(send, &got, Some(expected));
                let body: Value = serde_json::from_str(&got.body).unwrap_or_default();
                let matched = matching_schemas(&doc, send, expected, &body);
                findings.check(matched == [schema], || {
                    format!(
                        "{}: the {expected} body matches {matched:?}, not {schema}",
                        send.name()
                    )
                });
            }
        }

        // Every operation once more as an admin with random ids and no body: whatever the
        // answer, it is documented. The calls that end the session come last.
        let sweeper = full_admin(&server, &admin, "admin.sweep").await;
        let as_sweeper = Caller::of(&server, &sweeper);
        let mut order = ops.clone();
        order.sort_by_key(|op| SESSION_ENDING.iter().position(|t| *t == op.template));
        for op in &order {
            let got = answer(as_sweeper.request(&op.method, &op.path())).await;
            findings.answered(op, &got, None);
        }

        findings.assert_none();
        server
    }
);

/// The schemas of `op`'s `status` answer (one, or each of a `oneOf`) whose required fields
/// `body` has, by name.
fn matching_schemas(doc: &Value, op: &Operation, status: u16, body: &Value) -> Vec<String> {
    let schema = &op.spec["responses"][status.to_string()]["content"][JSON]["schema"];
    let branches = match deref(doc, schema)["oneOf"].as_array() {
        Some(branches) => branches.clone(),
        None => vec![schema.clone()],
    };
    branches
        .iter()
        .filter(|branch| {
            deref(doc, branch)["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .all(|field| body.get(field).is_some())
        })
        .map(|branch| {
            branch["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or("an inline schema")
                .to_owned()
        })
        .collect()
}

api_test!(throttling_is_documented, |server: TestServer| async move {
    let doc = document(&server).await;
    let ops = operations(&doc);
    let (admin, _) = server.admin().await;
    let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
    let anonymous = Caller::anonymous(&server);
    let mut findings = Findings::default();

    // Sign-in: locked after repeated failures, on both sign-in routes.
    let mut policy = admin.get_policy().await.expect("policy");
    policy.login.max_failures_per_account = 3;
    admin.put_policy(&policy).await.expect("set policy");
    let login = find(&ops, &Method::POST, "/api/v1/auth/login");
    let web = find(&ops, &Method::POST, "/api/v1/auth/web-session");
    let wrong = json!({"username": "dr.ghost", "password": "not the password", "device_name": "x"});
    for _ in 0..3 {
        let request = anonymous
            .request(&Method::POST, &login.template)
            .json(&wrong);
        findings.answered(login, &answer(request).await, Some(401));
    }
    for op in [login, web] {
        let got = answer(anonymous.request(&Method::POST, &op.template).json(&wrong)).await;
        findings.answered(op, &got, Some(429));
        findings.check(got.retry_after, || {
            format!("{}: 429 without Retry-After", op.name())
        });
    }

    // Registering a known MRN again and again: 409, then rate-limited.
    let register = find(&ops, &Method::POST, "/api/v1/patients");
    let care_team = [id_of(&nurse).await];
    let patient = json!({"mrn": "OA-1001", "family_name": "Doe", "given_name": "Jane",
            "birth_date": "1980-01-02", "care_team": care_team});
    let as_nurse = Caller::of(&server, &nurse);
    let first = answer(
        as_nurse
            .request(&Method::POST, &register.template)
            .json(&patient),
    )
    .await;
    findings.answered(register, &first, Some(201));
    let mut limited = None;
    for _ in 0..15 {
        let got = answer(
            as_nurse
                .request(&Method::POST, &register.template)
                .json(&patient),
        )
        .await;
        if got.status == 429 {
            limited = Some(got);
            break;
        }
        findings.answered(register, &got, Some(409));
    }
    match limited {
        Some(got) => {
            findings.answered(register, &got, Some(429));
            findings.check(got.retry_after, || {
                "POST /patients: 429 without Retry-After".into()
            });
        }
        None => findings.check(false, || "POST /patients: never rate-limited".into()),
    }

    findings.assert_none();
    server
});

/// The web client's types are generated from `web/openapi.json`; that copy must be the document
/// this build serves, or the client is typed against another API.
#[test]
fn the_web_clients_copy_of_the_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("web/openapi.json");
    let served = ward_server::openapi_document()
        .to_pretty_json()
        .expect("the document serializes");
    assert!(
        committed.trim_end() == served,
        "web/openapi.json is stale: run `cargo xtask openapi` (it rewrites the file and the \
         web client's generated types)"
    );
}
