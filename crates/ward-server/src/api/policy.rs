//! `/policy`: session lengths, second-factor roles, sign-in throttling.

use axum::Json;
use axum::extract::State;
use ward_core::policy::Policy;
use ward_core::role::RoleName;
use ward_proto::policy::PolicyDocument;

use super::AppState;
use super::doc::{BodyErrors, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiJson, FullSession, Permitted};
use super::requirements::ManagePolicy;
use crate::wire::views::policy_document;

/// The organisation policy (needs `policy_manage`).
#[utoipa::path(get, path = "/policy", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = PolicyDocument), SessionErrors))]
pub async fn get_policy(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<PolicyDocument>, ApiError> {
    let policy = state.services.identity().read_policy(&caller).await?;
    Ok(Json(policy_document(&policy)))
}

/// Replaces the organisation policy (needs `policy_manage`).
#[utoipa::path(put, path = "/policy", tag = "policy", security(("bearer" = [])),
    request_body = PolicyDocument,
    responses((status = 200, body = PolicyDocument), SessionErrors, BodyErrors, NotFound))]
pub async fn put_policy(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ManagePolicy>,
    ApiJson(doc): ApiJson<PolicyDocument>,
) -> Result<Json<PolicyDocument>, ApiError> {
    let policy = state
        .services
        .identity()
        .set_policy(&caller, policy_from_document(doc)?)
        .await?;
    Ok(Json(policy_document(&policy)))
}

/// The policy a document states; a role name that is not one is a validation problem.
fn policy_from_document(doc: PolicyDocument) -> Result<Policy, ApiError> {
    let mfa_required_roles = doc
        .mfa_required_roles
        .iter()
        .map(|name| RoleName::parse(name))
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::validation("mfa_required_roles", e.reason))?;
    Ok(Policy {
        session: ward_core::policy::SessionPolicy {
            idle_timeout_secs: doc.session.idle_timeout_secs,
            absolute_lifetime_secs: doc.session.absolute_lifetime_secs,
        },
        login: ward_core::policy::LoginPolicy {
            max_failures_per_account: doc.login.max_failures_per_account,
            max_failures_per_address: doc.login.max_failures_per_address,
            window_secs: doc.login.window_secs,
        },
        mfa_required_roles,
        safety: ward_core::policy::SafetyPolicy {
            block_identifiers: doc.safety.block_identifiers,
            block_order_text: doc.safety.block_order_text,
        },
        escalation: ward_core::policy::EscalationPolicy {
            urgent_after_secs: doc.escalation.urgent_after_secs,
            stat_after_secs: doc.escalation.stat_after_secs,
            grant_secs: doc.escalation.grant_secs,
            context_messages: doc.escalation.context_messages,
        },
        monitoring: ward_core::monitoring::MonitoringPolicy {
            window_secs: doc.monitoring.window_secs,
            distinct_patients: doc.monitoring.distinct_patients,
            downloads: doc.monitoring.downloads,
            failed_logins: doc.monitoring.failed_logins,
            new_address: doc.monitoring.new_address,
            unusual_hours: doc.monitoring.unusual_hours,
        },
        retention: ward_core::retention::RetentionPolicy {
            direct: doc.retention.direct,
            group: doc.retention.group,
            channel: doc.retention.channel,
            care_team: doc.retention.care_team,
            patient: doc.retention.patient,
            role: doc.retention.role,
        },
        review: ward_core::policy::ReviewPolicy {
            sign_off_days: doc.review.sign_off_days,
            access_review_days: doc.review.access_review_days,
            inactive_days: doc.review.inactive_days,
        },
        notify: ward_core::notify::NotifyPolicy {
            normal_delay_secs: doc.notify.normal_delay_secs,
            force_urgent: doc.notify.force_urgent,
        },
    })
}
