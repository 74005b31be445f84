//! File upload, download and thumbnails. Uploads stream in (no JSON body limit applies); a
//! download streams out chunk by chunk, always as an attachment and never sniffed.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use uuid::Uuid;
use ward_core::id::ConversationId;
use ward_proto::messaging::{AttachmentView, FILE_NAME_HEADER, UploadQuery};

use super::AppState;
use super::doc::{
    BadRequest, Gone, NotFound, PayloadTooLarge, SessionErrors, UnsupportedMediaType, Validation,
};
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, FullSession};
use crate::wire::frames::attachment_view;

/// Uploads a file into a conversation (201). The type is sniffed from the bytes and checked
/// against the allow-list; images lose their metadata. Attach the returned id to a message.
#[utoipa::path(post, path = "/attachments", tag = "attachments",
    security(("bearer" = [])), params(UploadQuery,
        ("ward-file-name" = Option<String>, Header, description = "The file name, percent-encoded UTF-8")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView), SessionErrors, BadRequest, NotFound,
        PayloadTooLarge, UnsupportedMediaType, Validation))]
pub async fn upload(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<UploadQuery>,
    request: Request,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let name = file_name(request.headers())?;
    let body = request.into_body().into_data_stream();
    let info = state
        .services
        .attachments()
        .upload(
            &caller,
            ConversationId::from_uuid(query.conversation_id),
            name,
            body,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(attachment_view(&info))))
}

/// The file name header, decoded.
fn file_name(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(FILE_NAME_HEADER) else {
        return Ok(None);
    };
    let invalid = || ApiError::validation("name", "must be percent-encoded UTF-8");
    let encoded = value.to_str().map_err(|_| invalid())?;
    let name = percent_decode_str(encoded)
        .decode_utf8()
        .map_err(|_| invalid())?;
    Ok(Some(name.into_owned()))
}

/// Downloads a file: streamed, as an attachment, with `nosniff`. Audited.
#[utoipa::path(get, path = "/attachments/{id}", tag = "attachments",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        SessionErrors, BadRequest, NotFound, Gone))]
pub async fn download(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let download = state.services.attachments().download(&caller, id).await?;
    let headers = file_headers(
        &download.info.media_type,
        download.info.name.as_deref(),
        download.info.size,
    );
    let chunks = futures::stream::unfold(download, |mut download| async move {
        let chunk = download.next_chunk().await?;
        let chunk = chunk.map_err(|e| {
            tracing::error!(error = %e, "an attachment chunk could not be read");
            std::io::Error::other("attachment chunk unavailable")
        });
        Some((chunk, download))
    });
    Ok((headers, Body::from_stream(chunks)).into_response())
}

/// An image's thumbnail (JPEG). Audited like a download.
#[utoipa::path(get, path = "/attachments/{id}/thumbnail", tag = "attachments",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>),
        SessionErrors, BadRequest, NotFound, Gone))]
pub async fn thumbnail(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let thumbnail = state.services.attachments().thumbnail(&caller, id).await?;
    let headers = file_headers("image/jpeg", None, thumbnail.len() as u64);
    Ok((headers, thumbnail).into_response())
}

/// Type, length, `Content-Disposition: attachment` with the name (ASCII fallback and the
/// UTF-8 form), and `nosniff`.
fn file_headers(media_type: &str, name: Option<&str>, size: u64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let disposition = match name {
        Some(name) => {
            let fallback: String = name
                .chars()
                .map(|c| match c {
                    ' '..='~' if c != '"' && c != '\\' => c,
                    _ => '_',
                })
                .collect();
            format!(
                "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
                utf8_percent_encode(name, NON_ALPHANUMERIC)
            )
        }
        None => "attachment".to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
}
