//! `/patients`: the registry and care teams.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;
use ward_core::id::{PatientId, UserId};
use ward_proto::messaging::{
    CreatePatientRequest, MemberRequest, PatientList, PatientLookupRequest, PatientView,
};

use super::AppState;
use super::doc::{
    BadRequest, BodyErrors, Conflict, NotFound, SessionErrors, TooManyRequests, Validation,
};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, FullSession, Permitted};
use super::requirements::{ChangeCareTeams, CreatePatients};
use crate::services::{NewPatient, PlainPatient};

fn patient_view(p: &PlainPatient) -> PatientView {
    PatientView {
        id: *p.record.id.as_uuid(),
        mrn: p.demographics.mrn.as_str().to_owned(),
        family_name: p.demographics.family_name.clone(),
        given_name: p.demographics.given_name.clone(),
        birth_date: p.demographics.birth_date,
        user_id: p.record.user_id.map(|u| *u.as_uuid()),
        care_team: p.care_team.iter().map(|u| *u.as_uuid()).collect(),
        care_team_conversation_id: p.care_team_conversation.map(|c| *c.as_uuid()),
    }
}

/// Registers a patient with a care team and its care-team conversation.
#[utoipa::path(post, path = "/patients", tag = "patients", security(("bearer" = [])),
    request_body = CreatePatientRequest,
    responses((status = 201, body = PatientView), SessionErrors, BodyErrors, NotFound, Conflict,
        TooManyRequests))]
pub async fn create_patient(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<CreatePatients>,
    ApiJson(req): ApiJson<CreatePatientRequest>,
) -> Result<(StatusCode, Json<PatientView>), ApiError> {
    let new = NewPatient {
        mrn: req.mrn,
        family_name: req.family_name,
        given_name: req.given_name,
        birth_date: req.birth_date,
        user_id: req.user_id.map(UserId::from_uuid),
        care_team: req.care_team.into_iter().map(UserId::from_uuid).collect(),
    };
    let patient = state
        .services
        .patients()
        .create_patient(&caller, new)
        .await?;
    Ok((StatusCode::CREATED, Json(patient_view(&patient))))
}

/// The patients on whose care team the caller is.
#[utoipa::path(get, path = "/patients", tag = "patients", security(("bearer" = [])),
    responses((status = 200, body = PatientList), SessionErrors))]
pub async fn list_patients(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<PatientList>, ApiError> {
    let patients = state.services.patients().list_patients(&caller).await?;
    Ok(Json(PatientList {
        patients: patients.iter().map(patient_view).collect(),
    }))
}

/// Finds any patient by MRN, for compliance officers (audit or compliance permission);
/// audited. The MRN travels in the body, so it stays out of URLs and access logs.
#[utoipa::path(post, path = "/patients/lookup", tag = "patients", security(("bearer" = [])),
    request_body = PatientLookupRequest,
    responses((status = 200, body = PatientView), SessionErrors, BodyErrors, NotFound))]
pub async fn lookup_patient(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiJson(req): ApiJson<PatientLookupRequest>,
) -> Result<Json<PatientView>, ApiError> {
    let patient = state
        .services
        .patients()
        .lookup_patient(&caller, &req.mrn)
        .await?;
    Ok(Json(patient_view(&patient)))
}

/// A patient, for their care team and themselves; not found for anyone else.
#[utoipa::path(get, path = "/patients/{id}", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PatientView), SessionErrors, BadRequest, NotFound))]
pub async fn get_patient(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PatientView>, ApiError> {
    let patient = state
        .services
        .patients()
        .get_patient(&caller, PatientId::from_uuid(id))
        .await?;
    Ok(Json(patient_view(&patient)))
}

/// Adds a member to the care team (and its conversation).
#[utoipa::path(post, path = "/patients/{id}/care-team", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = MemberRequest,
    responses((status = 200, body = PatientView), SessionErrors, BodyErrors, NotFound))]
pub async fn add_care_team_member(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ChangeCareTeams>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<MemberRequest>,
) -> Result<Json<PatientView>, ApiError> {
    let (patient, user) = (PatientId::from_uuid(id), UserId::from_uuid(req.user_id));
    let patient = state
        .services
        .patients()
        .set_care_team_member(&caller, patient, user, true)
        .await?;
    Ok(Json(patient_view(&patient)))
}

/// Removes a member from the care team (and its conversation).
#[utoipa::path(delete, path = "/patients/{id}/care-team/{user_id}", tag = "patients",
    security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 200, body = PatientView), SessionErrors, BadRequest, NotFound,
        Validation))]
pub async fn remove_care_team_member(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath((id, user)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<PatientView>, ApiError> {
    let (patient, user) = (PatientId::from_uuid(id), UserId::from_uuid(user));
    let patient = state
        .services
        .patients()
        .set_care_team_member(&caller, patient, user, false)
        .await?;
    Ok(Json(patient_view(&patient)))
}
