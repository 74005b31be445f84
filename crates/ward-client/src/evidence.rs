//! The HIPAA compliance report, alert sign-offs and the access review.

use reqwest::Method;
use uuid::Uuid;
use ward_proto::evidence::{
    AccessDecisionKind, AccessDecisionRequest, AccessDecisionView, AccessReviewList,
    ComplianceFormat, ComplianceReportQuery, ComplianceReportView, SignOffRequest,
};
use ward_proto::oversight::AlertView;

use crate::{Client, ClientResult, checked};

impl Client {
    /// The compliance report as JSON.
    pub async fn compliance_report(
        &self,
        query: &ComplianceReportQuery,
    ) -> ClientResult<ComplianceReportView> {
        Self::json(self.request(Method::GET, "/compliance/report").query(query)).await
    }

    /// The compliance report as its printable HTML page.
    pub async fn compliance_report_html(
        &self,
        query: &ComplianceReportQuery,
    ) -> ClientResult<String> {
        let query = ComplianceReportQuery {
            format: Some(ComplianceFormat::Html),
            ..query.clone()
        };
        let request = self
            .request(Method::GET, "/compliance/report")
            .query(&query);
        Ok(checked(request.send().await?).await?.text().await?)
    }

    /// Signs off an alert or break-glass use with a note.
    pub async fn sign_off_alert(&self, alert: Uuid, note: &str) -> ClientResult<AlertView> {
        let req = SignOffRequest {
            note: note.to_owned(),
        };
        let path = format!("/alerts/{alert}/sign-off");
        Self::json(self.with_body(Method::POST, &path, &req)).await
    }

    pub async fn access_review(&self) -> ClientResult<AccessReviewList> {
        Self::json(self.request(Method::GET, "/compliance/access-review")).await
    }

    pub async fn decide_access(
        &self,
        user: Uuid,
        decision: AccessDecisionKind,
    ) -> ClientResult<AccessDecisionView> {
        let req = AccessDecisionRequest {
            user_id: user,
            decision,
        };
        Self::json(self.with_body(Method::POST, "/compliance/access-review", &req)).await
    }
}
