//! The WebSocket frame parsers. The server reads every text frame a device sends with
//! `serde_json::from_str::<ClientFrame>` (crates/ward-server/src/api/ws.rs, inline in the
//! connection loop and in `authenticate_by_frame`); the client and the sync pages read
//! `ServerFrame`. An even first byte fuzzes the client frame, an odd one the server frame; the
//! rest must be UTF-8, as a text frame is.
//!
//! Holds: a decoded frame encodes and decodes back to itself; a client frame with members its
//! kind does not have is refused (all but `ping`, see below), the nested message of a `send`
//! included; an `auth` frame's token never shows in `Debug` output.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use ward_proto::realtime::{ClientFrame, ServerFrame};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector % 2 == 0 {
        client_frame(text);
    } else {
        server_frame(text);
    }
});

fn client_frame(text: &str) {
    let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
        return;
    };
    let encoded = serde_json::to_string(&frame).expect("a client frame encodes");
    let again: ClientFrame = serde_json::from_str(&encoded)
        .unwrap_or_else(|e| panic!("an encoded client frame is refused: {e}: {encoded}"));
    assert_eq!(again, frame);

    if let ClientFrame::Auth { token, .. } = &frame {
        let shown = format!(
            "{:?}",
            ClientFrame::Auth {
                token: token.clone(),
                cursor: None
            }
        );
        assert_eq!(
            shown, "Auth { token: BearerToken([redacted]), cursor: None }",
            "a token shows in Debug output"
        );
    }

    // serde lets a unit variant of an internally tagged enum ignore every other member, so
    // `{"type":"ping","anything":1}` is a ping despite `deny_unknown_fields` (harmless: a ping
    // carries nothing). Every other frame must refuse members it does not have.
    if matches!(frame, ClientFrame::Ping) {
        return;
    }
    let (Ok(Value::Object(sent)), Ok(Value::Object(known))) = (
        serde_json::from_str::<Value>(text),
        serde_json::from_str::<Value>(&encoded),
    ) else {
        // An internally tagged enum also decodes from an array (`["ack","5"]`).
        return;
    };
    no_unknown_members(&sent, &known, "the frame");
    if let (Some(Value::Object(sent)), Some(Value::Object(known))) =
        (sent.get("message"), known.get("message"))
    {
        no_unknown_members(sent, known, "the message of a send frame");
    }
}

fn no_unknown_members(sent: &Map<String, Value>, known: &Map<String, Value>, what: &str) {
    for (name, value) in sent {
        assert!(
            known.contains_key(name) || value.is_null(),
            "{what} was accepted with the unknown member {name:?}"
        );
    }
}

fn server_frame(text: &str) {
    let Ok(frame) = serde_json::from_str::<ServerFrame>(text) else {
        return;
    };
    let encoded = serde_json::to_string(&frame).expect("a server frame encodes");
    let again: ServerFrame = serde_json::from_str(&encoded)
        .unwrap_or_else(|e| panic!("an encoded server frame is refused: {e}: {encoded}"));
    assert_eq!(again, frame);
}
