//! A typed async client for Ward's `/api/v1`, used by the CLI, the benchmark and the tests.
//!
//! Architecture invariant: this crate depends on `ward-proto` only, never on the server, so it
//! sees the API exactly as any other client does.

mod compliance;
mod evidence;
mod notify;
pub mod realtime;
mod workflow;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;
use ward_proto::Problem;
use ward_proto::audit::{AuditCheckpointView, AuditPage, AuditQuery, AuditVerifyReport};
use ward_proto::auth::{
    LoginRequest, LoginResponse, SessionList, TotpConfirmRequest, TotpEnrollment,
};
use ward_proto::clinical::{
    ClinicalRoleList, ClinicalRoleView, CreateClinicalRoleRequest, EscalationGrantList,
    EscalationRoleRequest, ShiftRequest, ShiftView,
};
use ward_proto::messaging::{
    AckView, AttachmentView, ConversationList, ConversationView, CreateConversationRequest,
    CreatePatientRequest, FILE_NAME_HEADER, MemberRequest, MessageList, MessageReceipts,
    MessageView, PatientView, ReadRequest, SafetyCheckRequest, SafetyCheckResult,
    SendMessageRequest,
};
use ward_proto::policy::PolicyDocument;
use ward_proto::realtime::SyncPage;
use ward_proto::users::{CreateUserRequest, Me, RoleList, UpdateUserRequest, UserList, UserView};

/// A request that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with a problem document.
    #[error("{status}: {}", problem.kind)]
    Problem {
        status: StatusCode,
        problem: Box<Problem>,
    },
    /// The server answered with something that is not a problem document.
    #[error("unexpected {status} response")]
    Unexpected { status: StatusCode },
}

impl ClientError {
    /// The problem document, if the server sent one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Problem { problem, .. } => Some(problem),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Problem { status, .. } | Self::Unexpected { status } => Some(*status),
            Self::Http(e) => e.status(),
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// A downloaded file with the headers it came with.
#[derive(Debug, Clone)]
pub struct Download {
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

/// A connection to one Ward server, optionally signed in.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8443`).
    pub fn new(base_url: &str) -> ClientResult<Self> {
        Ok(Self::with_http(
            reqwest::Client::builder().build()?,
            base_url,
        ))
    }

    /// A client using a prepared HTTP client (e.g. one trusting a test CA).
    pub fn with_http(http: reqwest::Client, base_url: &str) -> Self {
        Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// The same server, using this bearer token.
    pub fn authed(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// A request to `/api/v1{path}` with the bearer token, if any.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn json<T: DeserializeOwned>(request: RequestBuilder) -> ClientResult<T> {
        let response = checked(request.send().await?).await?;
        Ok(response.json().await?)
    }

    async fn empty(request: RequestBuilder) -> ClientResult<()> {
        checked(request.send().await?).await.map(drop)
    }

    fn with_body(&self, method: Method, path: &str, body: &impl Serialize) -> RequestBuilder {
        self.request(method, path).json(body)
    }

    /// Signs in; use [`Client::authed`] with the returned token afterwards.
    pub async fn login(&self, req: &LoginRequest) -> ClientResult<LoginResponse> {
        Self::json(self.with_body(Method::POST, "/auth/login", req)).await
    }

    /// Signs in with a password and returns a client using the new session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        device: &str,
    ) -> ClientResult<Self> {
        let req = LoginRequest {
            username: username.into(),
            password: password.into(),
            device_name: device.into(),
            totp_code: None,
        };
        Ok(self.authed(&self.login(&req).await?.token))
    }

    pub async fn logout(&self) -> ClientResult<()> {
        Self::empty(self.request(Method::POST, "/auth/logout")).await
    }

    pub async fn confirm_wipe(&self) -> ClientResult<()> {
        Self::empty(self.request(Method::POST, "/auth/wipe-confirmation")).await
    }

    pub async fn me(&self) -> ClientResult<Me> {
        Self::json(self.request(Method::GET, "/me")).await
    }

    pub async fn begin_totp(&self) -> ClientResult<TotpEnrollment> {
        Self::json(self.request(Method::POST, "/me/totp")).await
    }

    pub async fn confirm_totp(&self, code: &str) -> ClientResult<()> {
        let body = TotpConfirmRequest { code: code.into() };
        Self::empty(self.with_body(Method::POST, "/me/totp/confirm", &body)).await
    }

    pub async fn create_user(&self, req: &CreateUserRequest) -> ClientResult<UserView> {
        Self::json(self.with_body(Method::POST, "/users", req)).await
    }

    pub async fn list_users(&self) -> ClientResult<UserList> {
        Self::json(self.request(Method::GET, "/users")).await
    }

    pub async fn get_user(&self, id: Uuid) -> ClientResult<UserView> {
        Self::json(self.request(Method::GET, &format!("/users/{id}"))).await
    }

    pub async fn update_user(&self, id: Uuid, req: &UpdateUserRequest) -> ClientResult<UserView> {
        Self::json(self.with_body(Method::PATCH, &format!("/users/{id}"), req)).await
    }

    pub async fn reset_totp(&self, id: Uuid) -> ClientResult<()> {
        Self::empty(self.request(Method::DELETE, &format!("/users/{id}/totp"))).await
    }

    pub async fn list_roles(&self) -> ClientResult<RoleList> {
        Self::json(self.request(Method::GET, "/roles")).await
    }

    pub async fn list_sessions(&self) -> ClientResult<SessionList> {
        Self::json(self.request(Method::GET, "/sessions")).await
    }

    pub async fn revoke_session(&self, id: Uuid) -> ClientResult<()> {
        Self::empty(self.request(Method::DELETE, &format!("/sessions/{id}"))).await
    }

    pub async fn wipe_session(&self, id: Uuid) -> ClientResult<()> {
        Self::empty(self.request(Method::POST, &format!("/sessions/{id}/wipe"))).await
    }

    pub async fn get_policy(&self) -> ClientResult<PolicyDocument> {
        Self::json(self.request(Method::GET, "/policy")).await
    }

    pub async fn put_policy(&self, policy: &PolicyDocument) -> ClientResult<PolicyDocument> {
        Self::json(self.with_body(Method::PUT, "/policy", policy)).await
    }

    pub async fn search_audit(&self, query: &AuditQuery) -> ClientResult<AuditPage> {
        Self::json(self.request(Method::GET, "/audit").query(query)).await
    }

    pub async fn verify_audit(&self) -> ClientResult<AuditVerifyReport> {
        Self::json(self.request(Method::GET, "/audit/verify")).await
    }

    /// Signs the audit chain's head and returns the latest checkpoint (compliance officers).
    pub async fn export_checkpoint(&self) -> ClientResult<AuditCheckpointView> {
        Self::json(self.request(Method::GET, "/audit/checkpoint")).await
    }

    pub async fn create_patient(&self, req: &CreatePatientRequest) -> ClientResult<PatientView> {
        Self::json(self.with_body(Method::POST, "/patients", req)).await
    }

    /// Finds any patient by MRN (compliance officers).
    pub async fn lookup_patient(&self, mrn: &str) -> ClientResult<PatientView> {
        let req = ward_proto::messaging::PatientLookupRequest { mrn: mrn.into() };
        Self::json(self.with_body(Method::POST, "/patients/lookup", &req)).await
    }

    /// Joins a channel.
    pub async fn join_channel(&self, id: Uuid) -> ClientResult<ConversationView> {
        Self::json(self.request(Method::POST, &format!("/conversations/{id}/join"))).await
    }

    /// Creates or changes a custom role.
    pub async fn put_role(
        &self,
        name: &str,
        permissions: &[&str],
    ) -> ClientResult<ward_proto::users::RoleView> {
        let req = ward_proto::users::PutRoleRequest {
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        };
        Self::json(self.with_body(Method::PUT, &format!("/roles/{name}"), &req)).await
    }

    /// The channel directory.
    pub async fn list_channels(&self) -> ClientResult<ward_proto::messaging::ChannelList> {
        Self::json(self.request(Method::GET, "/channels")).await
    }

    pub async fn get_patient(&self, id: Uuid) -> ClientResult<PatientView> {
        Self::json(self.request(Method::GET, &format!("/patients/{id}"))).await
    }

    pub async fn create_conversation(
        &self,
        req: &CreateConversationRequest,
    ) -> ClientResult<ConversationView> {
        Self::json(self.with_body(Method::POST, "/conversations", req)).await
    }

    pub async fn list_conversations(&self) -> ClientResult<ConversationList> {
        Self::json(self.request(Method::GET, "/conversations")).await
    }

    pub async fn get_conversation(&self, id: Uuid) -> ClientResult<ConversationView> {
        Self::json(self.request(Method::GET, &format!("/conversations/{id}"))).await
    }

    pub async fn add_member(&self, id: Uuid, user: Uuid) -> ClientResult<ConversationView> {
        let body = MemberRequest { user_id: user };
        Self::json(self.with_body(Method::POST, &format!("/conversations/{id}/members"), &body))
            .await
    }

    pub async fn remove_member(&self, id: Uuid, user: Uuid) -> ClientResult<()> {
        Self::empty(self.request(
            Method::DELETE,
            &format!("/conversations/{id}/members/{user}"),
        ))
        .await
    }

    /// Sends a message; `(message, created)` where `created` is false for a retried client id.
    pub async fn send_message(
        &self,
        conversation: Uuid,
        req: &SendMessageRequest,
    ) -> ClientResult<(MessageView, bool)> {
        let path = format!("/conversations/{conversation}/messages");
        self.send_to(&path, req).await
    }

    /// Sends a message to whoever holds a clinical role now.
    pub async fn send_to_role(
        &self,
        role: Uuid,
        req: &SendMessageRequest,
    ) -> ClientResult<(MessageView, bool)> {
        self.send_to(&format!("/clinical-roles/{role}/messages"), req)
            .await
    }

    /// Posts a message; the stored message and whether it is new (201) or a retry (200).
    async fn send_to(
        &self,
        path: &str,
        req: &SendMessageRequest,
    ) -> ClientResult<(MessageView, bool)> {
        let response = checked(self.with_body(Method::POST, path, req).send().await?).await?;
        let created = response.status() == StatusCode::CREATED;
        Ok((response.json().await?, created))
    }

    /// The clinical safety findings a draft would meet, without sending it.
    pub async fn check_message(
        &self,
        conversation: Uuid,
        body: &str,
    ) -> ClientResult<SafetyCheckResult> {
        let path = format!("/conversations/{conversation}/messages/check");
        let req = SafetyCheckRequest { body: body.into() };
        Self::json(self.with_body(Method::POST, &path, &req)).await
    }

    /// Uploads a file into a conversation; `name` travels percent-encoded in a header.
    pub async fn upload_attachment(
        &self,
        conversation: Uuid,
        name: Option<&str>,
        bytes: Vec<u8>,
    ) -> ClientResult<AttachmentView> {
        let mut request = self
            .request(Method::POST, "/attachments")
            .query(&[("conversation_id", conversation.to_string())])
            .header("content-type", "application/octet-stream")
            .body(bytes);
        if let Some(name) = name {
            let encoded =
                percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
            request = request.header(FILE_NAME_HEADER, encoded.to_string());
        }
        Self::json(request).await
    }

    /// Downloads a file: the bytes with the headers they came with.
    pub async fn download_attachment(&self, id: Uuid) -> ClientResult<Download> {
        self.download(&format!("/attachments/{id}")).await
    }

    /// Downloads an image attachment's thumbnail.
    pub async fn attachment_thumbnail(&self, id: Uuid) -> ClientResult<Download> {
        self.download(&format!("/attachments/{id}/thumbnail")).await
    }

    async fn download(&self, path: &str) -> ClientResult<Download> {
        let response = checked(self.request(Method::GET, path).send().await?).await?;
        let headers = response.headers().clone();
        let bytes = response.bytes().await?.to_vec();
        Ok(Download { headers, bytes })
    }

    pub async fn list_messages(
        &self,
        conversation: Uuid,
        after: i64,
        limit: u32,
    ) -> ClientResult<MessageList> {
        let path = format!("/conversations/{conversation}/messages");
        let query = [("after", after.to_string()), ("limit", limit.to_string())];
        Self::json(self.request(Method::GET, &path).query(&query)).await
    }

    pub async fn mark_read(&self, conversation: Uuid, up_to_seq: i64) -> ClientResult<()> {
        let path = format!("/conversations/{conversation}/read");
        Self::empty(self.with_body(Method::POST, &path, &ReadRequest { up_to_seq })).await
    }

    pub async fn message_receipts(&self, message: Uuid) -> ClientResult<MessageReceipts> {
        Self::json(self.request(Method::GET, &format!("/messages/{message}/receipts"))).await
    }

    /// Acknowledges an urgent or stat message; `created` is false if it was already.
    pub async fn acknowledge(&self, message: Uuid) -> ClientResult<(AckView, bool)> {
        let path = format!("/messages/{message}/ack");
        let response = checked(self.request(Method::POST, &path).send().await?).await?;
        let created = response.status() == StatusCode::CREATED;
        Ok((response.json().await?, created))
    }

    /// The messages escalations brought this user to, with their context.
    pub async fn escalation_grants(&self) -> ClientResult<EscalationGrantList> {
        Self::json(self.request(Method::GET, "/escalations")).await
    }

    pub async fn create_clinical_role(
        &self,
        req: &CreateClinicalRoleRequest,
    ) -> ClientResult<ClinicalRoleView> {
        Self::json(self.with_body(Method::POST, "/clinical-roles", req)).await
    }

    pub async fn list_clinical_roles(&self) -> ClientResult<ClinicalRoleList> {
        Self::json(self.request(Method::GET, "/clinical-roles")).await
    }

    pub async fn add_shift(&self, role: Uuid, req: &ShiftRequest) -> ClientResult<ShiftView> {
        let path = format!("/clinical-roles/{role}/shifts");
        Self::json(self.with_body(Method::POST, &path, req)).await
    }

    /// Sets (or with `None` clears) where a conversation's urgent messages escalate.
    pub async fn set_escalation_role(
        &self,
        conversation: Uuid,
        role_id: Option<Uuid>,
    ) -> ClientResult<()> {
        let path = format!("/conversations/{conversation}/escalation-role");
        let req = EscalationRoleRequest { role_id };
        Self::empty(self.with_body(Method::PUT, &path, &req)).await
    }

    /// One page of events after `since` (from the start when `None`).
    pub async fn sync(&self, since: Option<&str>, limit: u32) -> ClientResult<SyncPage> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(since) = since {
            query.push(("since", since.to_owned()));
        }
        Self::json(self.request(Method::GET, "/sync").query(&query)).await
    }

    /// The bearer token, for the real-time connection.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

/// Turns a non-success response into a [`ClientError`].
pub async fn checked(response: reqwest::Response) -> ClientResult<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(ClientError::Problem {
            status,
            problem: Box::new(problem),
        }),
        Err(_) => Err(ClientError::Unexpected { status }),
    }
}
