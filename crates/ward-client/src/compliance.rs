//! Retention and legal holds.

use reqwest::Method;
use uuid::Uuid;
use ward_proto::compliance::{LegalHoldList, LegalHoldView, PlaceHoldRequest, RetentionRequest};

use crate::{Client, ClientResult, checked};

impl Client {
    /// Sets or clears one conversation's retention (admins).
    pub async fn set_retention(
        &self,
        conversation: Uuid,
        retention_secs: Option<i64>,
    ) -> ClientResult<()> {
        let path = format!("/conversations/{conversation}/retention");
        let req = RetentionRequest { retention_secs };
        checked(self.with_body(Method::PUT, &path, &req).send().await?).await?;
        Ok(())
    }

    pub async fn place_hold(&self, req: &PlaceHoldRequest) -> ClientResult<LegalHoldView> {
        Self::json(self.with_body(Method::POST, "/legal-holds", req)).await
    }

    pub async fn list_holds(&self, active_only: bool) -> ClientResult<LegalHoldList> {
        let path = format!("/legal-holds?active={active_only}");
        Self::json(self.request(Method::GET, &path)).await
    }

    pub async fn release_hold(&self, hold: Uuid) -> ClientResult<LegalHoldView> {
        Self::json(self.request(Method::POST, &format!("/legal-holds/{hold}/release"))).await
    }
}
