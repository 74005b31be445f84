//! Retention, legal holds, reports and e-discovery exports.

use reqwest::Method;
use uuid::Uuid;
use ward_proto::compliance::{
    ConversationExport, LegalHoldList, LegalHoldView, PatientExport, PlaceHoldRequest, Report,
    ReportQuery, RetentionRequest,
};

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

    /// A report as JSON (`kind`: `user-activity`, `failed-logins`, `exports`).
    pub async fn report(&self, kind: &str, query: &ReportQuery) -> ClientResult<Report> {
        Self::json(
            self.request(Method::GET, &format!("/reports/{kind}"))
                .query(query),
        )
        .await
    }

    /// A report or the accounting of disclosures (`path` from `/reports/...` or
    /// `/patients/{id}/disclosures`) as CSV text; `format` in `query` is set to CSV.
    pub async fn csv(&self, path: &str, query: &ReportQuery) -> ClientResult<String> {
        let query = ReportQuery {
            format: Some(ward_proto::compliance::ReportFormat::Csv),
            ..query.clone()
        };
        let response = checked(self.request(Method::GET, path).query(&query).send().await?).await?;
        Ok(response.text().await?)
    }

    pub async fn export_conversation(&self, id: Uuid) -> ClientResult<ConversationExport> {
        Self::json(self.request(Method::GET, &format!("/conversations/{id}/export"))).await
    }

    pub async fn export_patient(&self, id: Uuid) -> ClientResult<PatientExport> {
        Self::json(self.request(Method::GET, &format!("/patients/{id}/export"))).await
    }
}
