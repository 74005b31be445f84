//! The real-time connection: a WebSocket carrying [`ServerFrame`]s, authenticated with the
//! bearer token in the `Authorization` header.

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use ward_proto::realtime::{ClientFrame, ServerFrame};

/// Bytes read from the socket at a time (the WebSocket library zero-fills them per read poll).
const READ_BUFFER_SIZE: usize = 8 * 1024;

/// Why the real-time connection failed.
#[derive(Debug, thiserror::Error)]
pub enum RealtimeError {
    #[error("websocket: {0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the server sent a frame that is not valid: {0}")]
    Frame(#[from] serde_json::Error),
    #[error("no bearer token")]
    NoToken,
}

/// A frame's JSON text as the server sent it.
#[derive(Debug)]
pub struct FrameText(Utf8Bytes);

impl FrameText {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// An open real-time connection.
#[derive(Debug)]
pub struct Realtime {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Realtime {
    /// Connects to `/api/v1/ws` of `base_url` (http or https) with the token in the header;
    /// with `cursor`, the server first sends everything after it (via an `auth` frame).
    pub async fn connect(
        base_url: &str,
        token: &str,
        cursor: Option<&str>,
    ) -> Result<Self, RealtimeError> {
        let url = format!("{}/api/v1/ws", base_url.replacen("http", "ws", 1));
        let mut request = url.into_client_request()?;
        if cursor.is_none() {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| RealtimeError::NoToken)?;
            request.headers_mut().insert("authorization", value);
        }
        // A small read buffer: the library zero-fills it on every read poll.
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_SIZE);
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
        let mut realtime = Self { socket };
        if let Some(cursor) = cursor {
            let auth = ClientFrame::Auth {
                token: ward_proto::realtime::BearerToken(token.into()),
                cursor: Some(cursor.into()),
            };
            realtime.send(&auth).await?;
        }
        Ok(realtime)
    }

    pub async fn send(&mut self, frame: &ClientFrame) -> Result<(), RealtimeError> {
        let text = serde_json::to_string(frame)?;
        self.socket.send(Message::text(text)).await?;
        Ok(())
    }

    /// Acknowledges every event up to `cursor`.
    pub async fn ack(&mut self, cursor: &str) -> Result<(), RealtimeError> {
        self.send(&ClientFrame::Ack {
            cursor: cursor.into(),
        })
        .await
    }

    /// The next frame; `None` when the server closed the connection.
    pub async fn next(&mut self) -> Option<Result<ServerFrame, RealtimeError>> {
        let text = match self.next_text().await? {
            Ok(text) => text,
            Err(e) => return Some(Err(e)),
        };
        Some(serde_json::from_str(text.as_str()).map_err(RealtimeError::from))
    }

    /// The next frame's JSON text, not decoded (for load generators that only look for a few
    /// fields); `None` when the server closed the connection.
    pub async fn next_text(&mut self) -> Option<Result<FrameText, RealtimeError>> {
        loop {
            match self.socket.next().await? {
                Ok(Message::Text(text)) => return Some(Ok(FrameText(text))),
                Ok(Message::Close(_)) => return None,
                Ok(_) => continue,
                Err(e) => return Some(Err(e.into())),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
