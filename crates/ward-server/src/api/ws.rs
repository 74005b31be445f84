//! `GET /api/v1/ws`: one device's real-time connection.
//!
//! The bearer token comes in the `Authorization` header of the upgrade, or in a first `auth`
//! frame (never in the URL). With a cursor, everything after it is sent first, then live events,
//! each once and in order. The device acknowledges with `ack` frames (delivery receipts). The
//! server pings every [`HEARTBEAT`], re-checks the session (revocation, idle timeout, wipe
//! orders close the socket with a final frame), and tells a device that fell behind to resync.

mod origin;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use futures::SinkExt;
use uuid::Uuid;
use ward_core::id::ConversationId;
use ward_proto::messaging::SendMessageRequest;
use ward_proto::realtime::{ClientFrame, ServerFrame};
use ward_proto::{Problem, ProblemType};

use super::AppState;
use super::conversations::outgoing;
use super::doc::{BadRequest, SessionErrors};
use super::error::ApiError;
use super::extract::{bearer_token, session_cookie};
use crate::realtime::{CloseReason, Outbound};
use crate::services::{Caller, ClientAddress, ServiceError, Services};
use crate::wire::frames::{self, parse_cursor};

const HEARTBEAT: Duration = Duration::from_secs(20);
/// A device silent for this long (no frame, no pong) is disconnected.
const SILENCE_LIMIT: Duration = Duration::from_secs(60);
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Acknowledgements (delivery receipts) are written at most this often per device. Each
/// device's writes start at a random point of the period, so a ward full of devices does not
/// flush in one burst that the message writes queue behind.
const ACK_FLUSH: Duration = Duration::from_secs(1);
const BACKLOG_PAGE: u32 = 1000;

/// Bytes read from a socket at a time. The WebSocket library zero-fills this much on every
/// read poll, and a connection is polled on each frame it is sent, so it is kept small: the
/// client's frames (auth, resume, acks, pings) are tiny.
const READ_BUFFER_SIZE: usize = 8 * 1024;
/// The largest frame a client may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// Most queued frames written to a device at once.
const COALESCE_FRAMES: usize = 64;

/// Opens the real-time connection (WebSocket upgrade). The token comes in the `Authorization`
/// header, the web client's session cookie (from this server's own pages only), or else in a
/// first `auth` frame; a token in a header or cookie is checked before the upgrade (401, 403).
/// A request that is not a WebSocket upgrade is 400.
#[utoipa::path(get, path = "/ws", tag = "realtime", security(("bearer" = [])),
    responses((status = 101, description = "Switching to the WebSocket protocol"),
        SessionErrors, BadRequest))]
pub async fn connect(
    State(state): State<AppState>,
    address: ClientAddress,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, super::error::ApiError> {
    // With a header token or the web client's cookie, refuse before upgrading; otherwise
    // expect an `auth` frame.
    let token = match bearer_token(&headers) {
        Ok(token) => Some(token),
        Err(_) => {
            let peer = peer.map(|Extension(ConnectInfo(peer))| peer.ip());
            let scheme =
                origin::page_scheme(&headers, peer, state.secure_cookies, &state.trusted_proxies);
            same_origin_cookie(&headers, uri.authority().map(Authority::as_str), scheme)?
        }
    };
    let caller = match token {
        Some(token) => Some(full(
            state
                .services
                .identity()
                .authenticate(token, address.clone())
                .await?,
        )?),
        None => None,
    };
    let upgrade = upgrade.map_err(|_| {
        ApiError::new(
            ProblemType::BadRequest,
            "this endpoint takes a WebSocket upgrade (GET with Upgrade: websocket)",
        )
    })?;
    let services = state.services.clone();
    let upgrade = upgrade
        .read_buffer_size(READ_BUFFER_SIZE)
        .max_message_size(MAX_CLIENT_FRAME);
    Ok(upgrade.on_upgrade(move |socket| async move {
        run(socket, services, caller, address).await;
    }))
}

/// The session cookie of a browser's upgrade request. Browsers send cookies on WebSocket
/// upgrades from any page, so one from another origin is refused (cross-site WebSocket
/// hijacking), whatever the cookie's SameSite attribute. The origin must match this server's
/// in scheme, host and port (see [`origin`]); `authority` is the request target's, if any.
fn same_origin_cookie<'a>(
    headers: &'a HeaderMap,
    authority: Option<&str>,
    scheme: Option<origin::Scheme>,
) -> Result<Option<&'a str>, ApiError> {
    let Some(token) = session_cookie(headers) else {
        return Ok(None);
    };
    if origin::is_own_origin(headers, authority, scheme) {
        Ok(Some(token))
    } else {
        Err(ApiError::new(
            ProblemType::Forbidden,
            "a browser may open the WebSocket only from this server's own pages",
        ))
    }
}

async fn run(
    mut socket: WebSocket,
    services: Services,
    caller: Option<Caller>,
    address: ClientAddress,
) {
    let (caller, resume) = match caller {
        Some(caller) => (caller, None),
        None => match authenticate_by_frame(&mut socket, &services, address).await {
            Ok(pair) => pair,
            Err(problem) => {
                let _ = send(&mut socket, &ServerFrame::Error { problem }).await;
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        },
    };
    let mut connection = Connection {
        socket,
        services,
        caller,
        last_sent: 0,
    };
    connection.serve(resume).await;
}

async fn authenticate_by_frame(
    socket: &mut WebSocket,
    services: &Services,
    address: ClientAddress,
) -> Result<(Caller, Option<i64>), Problem> {
    let unauthenticated = || {
        Problem::new(
            ProblemType::Unauthenticated,
            Some("send an auth frame first".into()),
        )
    };
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else {
        return Err(unauthenticated());
    };
    let Ok(ClientFrame::Auth { token, cursor }) = serde_json::from_str::<ClientFrame>(&text) else {
        return Err(unauthenticated());
    };
    let caller = services
        .identity()
        .authenticate(&token.0, address)
        .await
        .and_then(full)
        .map_err(|e| problem(&e))?;
    let resume = match cursor {
        Some(text) => Some(checked_cursor(services, &text).await?),
        None => None,
    };
    Ok((caller, resume))
}

async fn checked_cursor(services: &Services, text: &str) -> Result<i64, Problem> {
    let bad = || {
        Problem::new(
            ProblemType::Validation,
            Some("cursor is not a valid cursor".into()),
        )
    };
    let cursor = parse_cursor(text).ok_or_else(bad)?;
    services
        .messaging()
        .check_cursor(cursor)
        .await
        .map_err(|e| problem(&e))
}

/// Only a full session may receive events (not one that may only enrol a second factor).
fn full(caller: Caller) -> Result<Caller, ServiceError> {
    if caller.is_full() {
        Ok(caller)
    } else {
        Err(ServiceError::MfaEnrollmentRequired)
    }
}

fn problem(e: &ServiceError) -> Problem {
    let kind = match e {
        ServiceError::SessionEnded(_) => ProblemType::SessionEnded,
        ServiceError::WipeRequired => ProblemType::WipeRequired,
        ServiceError::Invalid(_) => ProblemType::Validation,
        ServiceError::MfaEnrollmentRequired => ProblemType::MfaEnrollmentRequired,
        _ => ProblemType::Unauthenticated,
    };
    Problem::new(kind, None)
}

async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> Result<(), axum::Error> {
    socket.send(frame_message(frame)).await
}

fn frame_message(frame: &ServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(frames::encode(frame).as_ref()))
}

struct Connection {
    socket: WebSocket,
    services: Services,
    caller: Caller,
    /// The position of the last event sent; nothing at or before it is sent again.
    last_sent: i64,
}

/// How a connection ended.
enum End {
    Closed,
    Lagged,
    Session(CloseReason),
}

impl Connection {
    async fn serve(&mut self, resume: Option<i64>) {
        let hub = self.services.hub().clone();
        // Register first, so nothing committed while the backlog is read is missed.
        let mut device = hub.connect(self.caller.user.id, self.caller.session.id);
        let end = self.talk(&mut device, resume).await;
        hub.disconnect(&device);
        let mut close = CloseFrame {
            code: 1000,
            reason: Utf8Bytes::from_static("bye"),
        };
        let _ = match end {
            Ok(End::Lagged) => {
                let cursor = frames::cursor(self.last_sent);
                send(&mut self.socket, &ServerFrame::Resync { cursor }).await
            }
            Ok(End::Session(CloseReason::Wipe)) => {
                send(&mut self.socket, &ServerFrame::DeviceWipe).await
            }
            Ok(End::Session(CloseReason::SessionEnded(reason))) => {
                let frame = ServerFrame::SessionRevoked {
                    reason: reason.into(),
                };
                send(&mut self.socket, &frame).await
            }
            Ok(End::Session(CloseReason::Shutdown)) => {
                close = CloseFrame {
                    code: 1001,
                    reason: Utf8Bytes::from_static("server stopping"),
                };
                Ok(())
            }
            Ok(End::Closed) | Err(_) => Ok(()),
        };
        let _ = self.socket.send(Message::Close(Some(close))).await;
    }

    /// Sends `first` and whatever else is already queued (up to a bound) in one write.
    async fn deliver(
        &mut self,
        first: Outbound,
        queue: &mut tokio::sync::mpsc::Receiver<Outbound>,
    ) -> Result<(), axum::Error> {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(outbound) = next.take() {
            match outbound {
                Outbound::Event { seq, frame } if seq > self.last_sent => {
                    let text = Message::Text(Utf8Bytes::from(frame.as_ref()));
                    self.socket.feed(text).await?;
                    self.last_sent = seq;
                }
                Outbound::Event { .. } => {}
                Outbound::Notice { frame } => {
                    let text = Message::Text(Utf8Bytes::from(frame.as_ref()));
                    self.socket.feed(text).await?;
                }
            }
            taken += 1;
            if taken < COALESCE_FRAMES {
                next = queue.try_recv().ok();
            }
        }
        self.socket.flush().await
    }

    async fn talk(
        &mut self,
        device: &mut crate::realtime::DeviceHandle,
        resume: Option<i64>,
    ) -> Result<End, axum::Error> {
        // The connection (and the backlog it is about to read) is audited before anything goes
        // out; a connection that cannot be audited is not served.
        if let Err(e) = self
            .services
            .identity()
            .audit_realtime_connect(&self.caller, resume)
            .await
        {
            tracing::warn!(error = %e, "auditing a real-time connection failed");
            return Ok(End::Closed);
        }
        let start = self.services.current_cursor().await.unwrap_or_default();
        let hello = ServerFrame::Hello {
            session_id: *self.caller.session.id.as_uuid(),
            cursor: frames::cursor(start),
        };
        send(&mut self.socket, &hello).await?;
        // The device stands where it asked to resume, or else where the hello put it: a resync
        // tells it to continue from there, never from the beginning.
        self.last_sent = resume.unwrap_or(start);
        if resume.is_some() {
            self.send_backlog().await?;
        }

        let mut heartbeat = tokio::time::interval(session_check_every(&self.services).await);
        let phase = Duration::from_millis(
            (uuid::Uuid::new_v4().as_u128() % ACK_FLUSH.as_millis().max(1)) as u64,
        );
        let mut ack_flush =
            tokio::time::interval_at(tokio::time::Instant::now() + phase, ACK_FLUSH);
        let mut heard = Instant::now();
        let (mut acked, mut recorded) = (0i64, 0i64);
        loop {
            tokio::select! {
                outbound = device.events.recv() => match outbound {
                    Some(first) => self.deliver(first, &mut device.events).await?,
                    None => {
                        if device.lagged.load(std::sync::atomic::Ordering::Relaxed) {
                            return Ok(End::Lagged);
                        }
                        return Ok(End::Closed);
                    }
                },
                changed = device.close.changed() => {
                    let reason = device.close.borrow().clone();
                    match (changed, reason) {
                        (Ok(()), Some(reason)) => return Ok(End::Session(reason)),
                        _ => return Ok(End::Closed),
                    }
                }
                incoming = self.socket.recv() => {
                    heard = Instant::now();
                    match incoming {
                        Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientFrame>(&text) {
                            Ok(ClientFrame::Ack { cursor }) => {
                                if let Some(cursor) = parse_cursor(&cursor) {
                                    acked = acked.max(cursor.min(self.last_sent));
                                }
                            }
                            Ok(ClientFrame::Ping) => send(&mut self.socket, &ServerFrame::Pong).await?,
                            Ok(ClientFrame::Send { conversation_id, message }) => {
                                let answer = send_message(&self.services, &self.caller, conversation_id, message).await;
                                send(&mut self.socket, &answer).await?;
                            }
                            Ok(ClientFrame::Auth { .. }) | Err(_) => {
                                let problem = Problem::new(ProblemType::BadRequest, Some("unexpected frame".into()));
                                send(&mut self.socket, &ServerFrame::Error { problem }).await?;
                            }
                        },
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(End::Closed),
                        Some(Ok(_)) => {}
                    }
                }
                _ = ack_flush.tick() => {
                    if acked > recorded {
                        recorded = acked;
                        if let Err(e) = self.services.messaging().record_delivery(&self.caller, acked).await {
                            tracing::warn!(error = %e, "recording delivery failed");
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    if heard.elapsed() > SILENCE_LIMIT {
                        return Ok(End::Closed);
                    }
                    if let Err(e) = self.services.identity().session_is_live(&self.caller).await {
                        return Ok(End::Session(match e {
                            ServiceError::WipeRequired => CloseReason::Wipe,
                            _ => CloseReason::SessionEnded("ended"),
                        }));
                    }
                    self.socket.send(Message::Ping(Default::default())).await?;
                }
            }
        }
    }

    /// Everything after `last_sent`, page by page.
    async fn send_backlog(&mut self) -> Result<(), axum::Error> {
        loop {
            let page = match self
                .services
                .messaging()
                .frames_after(self.caller.user.id, self.last_sent, BACKLOG_PAGE)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the backlog failed");
                    return Ok(());
                }
            };
            for (_, frame) in &page.frames {
                send(&mut self.socket, frame).await?;
            }
            self.last_sent = page.scanned_to;
            if !page.full {
                return Ok(());
            }
        }
    }
}

/// A `send` frame: the REST send, on this connection's session (checked live and counted
/// as activity first, as a request would be).
async fn send_message(
    services: &Services,
    caller: &Caller,
    conversation: Uuid,
    request: SendMessageRequest,
) -> ServerFrame {
    let client_id = request.client_id;
    if request.send_at.is_some() {
        let refusal = ServiceError::Invalid(ward_core::ValidationError::new(
            "send_at",
            "schedule messages with POST /conversations/{id}/messages",
        ));
        return ServerFrame::SendFailed {
            client_id,
            problem: ApiError::from(refusal).into_problem(),
        };
    }
    let outgoing = outgoing(request);
    let sent = match services.identity().realtime_activity(caller).await {
        Ok(()) => {
            services
                .messaging()
                .send_message(caller, ConversationId::from_uuid(conversation), outgoing)
                .await
        }
        Err(e) => Err(e),
    };
    match sent {
        Ok((message, created)) => ServerFrame::SendOk {
            client_id,
            created,
            message: frames::message_view(&message),
        },
        Err(e) => ServerFrame::SendFailed {
            client_id,
            problem: ApiError::from(e).into_problem(),
        },
    }
}

/// How often the session is re-checked: a quarter of the idle timeout, within bounds.
async fn session_check_every(services: &Services) -> Duration {
    let idle = services.identity().idle_timeout_secs().await.unwrap_or(900);
    Duration::from_millis(u64::try_from(idle * 250).unwrap_or(250))
        .clamp(Duration::from_millis(250), HEARTBEAT)
}
