//! The web client (`web/`, built by Vite into `web/dist`) served at `/`, embedded in the binary.
//!
//! Every page answer carries a strict Content-Security-Policy: scripts and styles only from this
//! origin (no inline code), connections only back to this origin, and no framing. It also denies
//! the browser features the client never uses (`Permissions-Policy`) and keeps other sites'
//! windows from holding a reference to a page (`Cross-Origin-Opener-Policy`). Unknown paths
//! outside `/api/` get the single page, which routes on the client; hashed assets are cacheable.

use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::error;

#[derive(rust_embed::Embed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

/// The policy of every page of the web client.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The browser features denied to every page of the web client, and to anything it might
/// embed. The client picks files through an input element or by drag and drop, so it needs no
/// camera, microphone or screen capture, and it takes no payments.
pub const PAGE_PERMISSIONS: &str = "accelerometer=(), autoplay=(), bluetooth=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), \
    hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), \
    picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), \
    usb=(), xr-spatial-tracking=()";

/// A page opened from another site gets no handle on it, nor it on that site's windows.
pub const PAGE_OPENER_POLICY: &str = "same-origin";

/// The router's fallback: a web client file, the page itself, or the API's 404.
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || !(method == Method::GET || method == Method::HEAD) {
        return error::not_found().await.into_response();
    }
    let file = path.trim_start_matches('/');
    if let Some(asset) = Assets::get(file).filter(|_| !file.is_empty()) {
        let cache = if file.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return page_response(asset.data.into_owned(), content_type(file), cache);
    }
    match Assets::get("index.html") {
        Some(index) => page_response(
            index.data.into_owned(),
            "text/html; charset=utf-8",
            "no-store",
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            page_headers(),
            "This ward binary was built without its web client: run `cargo xtask web` and rebuild.",
        )
            .into_response(),
    }
}

fn page_response(body: Vec<u8>, content_type: &'static str, cache: &'static str) -> Response {
    (
        page_headers(),
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        body,
    )
        .into_response()
}

/// The security headers of every page answer.
fn page_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PAGE_PERMISSIONS),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static(PAGE_OPENER_POLICY),
        ),
    ]
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}
