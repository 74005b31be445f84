//! The JSON decoders: every request body the API takes (`ApiJson<T>` decodes them with
//! serde_json), the audit checkpoint `ward audit verify --checkpoint FILE` reads, and the
//! problem details clients decode (`ward_proto::Problem`, `ProblemType::from_uri`). The first
//! byte picks the type, the rest is the body.
//!
//! Holds: what is accepted encodes, and decoding that encoding again gives the same value (the
//! wire form is stable); a request body that is an object and is accepted has no member the
//! type does not know (`deny_unknown_fields`), except members that are `null`; a problem type
//! URI read back names itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use ward_proto::{
    audit, auth, clinical, compliance, messaging, oversight, policy, users, workflow, Problem,
    ProblemType,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 23 {
        0 => request::<auth::LoginRequest>(body),
        1 => request::<auth::TotpConfirmRequest>(body),
        2 => request::<users::CreateUserRequest>(body),
        3 => request::<users::UpdateUserRequest>(body),
        4 => request::<users::PutRoleRequest>(body),
        5 => request::<messaging::CreatePatientRequest>(body),
        6 => request::<messaging::PatientLookupRequest>(body),
        7 => request::<messaging::MemberRequest>(body),
        8 => request::<messaging::CreateConversationRequest>(body),
        9 => request::<messaging::SendMessageRequest>(body),
        10 => request::<messaging::SafetyCheckRequest>(body),
        11 => request::<messaging::ReadRequest>(body),
        12 => request::<workflow::EditMessageRequest>(body),
        13 => request::<workflow::LifespanRequest>(body),
        14 => request::<clinical::CreateClinicalRoleRequest>(body),
        15 => request::<clinical::ShiftRequest>(body),
        16 => request::<clinical::EscalationRoleRequest>(body),
        17 => request::<compliance::RetentionRequest>(body),
        18 => request::<compliance::PlaceHoldRequest>(body),
        19 => request::<oversight::BreakGlassRequest>(body),
        20 => request::<policy::PolicyDocument>(body),
        21 => request::<audit::AuditCheckpointView>(body),
        _ => problem(body),
    }
});

fn request<T: Serialize + DeserializeOwned>(body: &[u8]) {
    let Ok(decoded) = serde_json::from_slice::<T>(body) else {
        return;
    };
    let encoded = serde_json::to_value(&decoded).expect("an accepted body encodes");
    let again: T = serde_json::from_value(encoded.clone())
        .unwrap_or_else(|e| panic!("an accepted body, encoded, is refused: {e}: {encoded}"));
    let reencoded = serde_json::to_value(&again).expect("an accepted body encodes");
    assert_eq!(reencoded, encoded, "decoding is not stable");
    if let Ok(Value::Object(sent)) = serde_json::from_slice::<Value>(body) {
        let Value::Object(known) = &encoded else {
            panic!("a request body encodes as something other than an object: {encoded}");
        };
        for (name, value) in &sent {
            assert!(
                known.contains_key(name) || value.is_null(),
                "a body with the unknown member {name:?} was accepted"
            );
        }
    }
}

fn problem(body: &[u8]) {
    if let Ok(uri) = std::str::from_utf8(body) {
        if let Some(kind) = ProblemType::from_uri(uri) {
            assert_eq!(kind.uri(), uri);
        }
    }
    let Ok(problem) = serde_json::from_slice::<Problem>(body) else {
        return;
    };
    let encoded = serde_json::to_vec(&problem).expect("a problem encodes");
    let again: Problem = serde_json::from_slice(&encoded).expect("an encoded problem decodes");
    assert_eq!(again, problem);
    if let Some(kind) = problem.problem_type() {
        assert_eq!(kind.uri(), problem.kind);
        assert!((400..600).contains(&kind.status()));
    }
}
