//! Edits, recalls and lifespans, scheduled sends, break-glass, alerts and disclosures.

use reqwest::{Method, StatusCode};
use uuid::Uuid;
use ward_proto::messaging::{ConversationView, MessageView, SendMessageRequest};
use ward_proto::oversight::{
    AlertList, AlertView, BreakGlassRequest, BreakGlassView, DisclosureList,
};
use ward_proto::workflow::{
    EditMessageRequest, LifespanRequest, MessageVersions, ScheduledList, ScheduledMessageView,
};

use crate::{Client, ClientResult, checked};

impl Client {
    /// Schedules a message (`req.send_at` set); `(scheduled, created)` where `created` is
    /// false for a retried client id.
    pub async fn schedule_message(
        &self,
        conversation: Uuid,
        req: &SendMessageRequest,
    ) -> ClientResult<(ScheduledMessageView, bool)> {
        let path = format!("/conversations/{conversation}/messages");
        let response = checked(self.with_body(Method::POST, &path, req).send().await?).await?;
        let created = response.status() == StatusCode::ACCEPTED;
        Ok((response.json().await?, created))
    }

    pub async fn list_scheduled(&self) -> ClientResult<ScheduledList> {
        Self::json(self.request(Method::GET, "/scheduled-messages")).await
    }

    pub async fn cancel_scheduled(&self, id: Uuid) -> ClientResult<ScheduledMessageView> {
        Self::json(self.request(Method::DELETE, &format!("/scheduled-messages/{id}"))).await
    }

    pub async fn edit_message(
        &self,
        message: Uuid,
        req: &EditMessageRequest,
    ) -> ClientResult<MessageView> {
        Self::json(self.with_body(Method::PATCH, &format!("/messages/{message}"), req)).await
    }

    pub async fn recall_message(&self, message: Uuid) -> ClientResult<MessageView> {
        Self::json(self.request(Method::POST, &format!("/messages/{message}/recall"))).await
    }

    /// Every body a message has had (compliance officers).
    pub async fn message_versions(&self, message: Uuid) -> ClientResult<MessageVersions> {
        Self::json(self.request(Method::GET, &format!("/messages/{message}/versions"))).await
    }

    pub async fn set_lifespan(
        &self,
        conversation: Uuid,
        lifespan_secs: Option<i64>,
    ) -> ClientResult<ConversationView> {
        let path = format!("/conversations/{conversation}/lifespan");
        let req = LifespanRequest { lifespan_secs };
        Self::json(self.with_body(Method::PUT, &path, &req)).await
    }

    /// Opens a patient's care-team thread by break-glass.
    pub async fn break_glass(
        &self,
        patient: Uuid,
        req: &BreakGlassRequest,
    ) -> ClientResult<BreakGlassView> {
        let path = format!("/patients/{patient}/break-glass");
        Self::json(self.with_body(Method::POST, &path, req)).await
    }

    pub async fn list_alerts(&self, open_only: bool) -> ClientResult<AlertList> {
        let path = format!("/alerts?open={open_only}");
        Self::json(self.request(Method::GET, &path)).await
    }

    pub async fn acknowledge_alert(&self, id: Uuid) -> ClientResult<AlertView> {
        Self::json(self.request(Method::POST, &format!("/alerts/{id}/ack"))).await
    }

    /// A patient's accounting of disclosures (compliance officers).
    pub async fn disclosures(&self, patient: Uuid) -> ClientResult<DisclosureList> {
        let path = format!("/patients/{patient}/disclosures");
        Self::json(self.request(Method::GET, &path)).await
    }
}
