//! The clinical safety checks (`ward_core::safety::check_message`) on arbitrary text: patient
//! identifiers (with registered patients' names and MRNs), "Do Not Use" abbreviations and
//! order-like text. An input of the form `given|family|mrn|body` also registers that patient,
//! which fuzzes the registered-patient matcher with arbitrary names.
//!
//! Holds: every finding lies inside the text on character boundaries, findings come in order
//! of position, and none copies the text (they carry only static codes and advice); in a
//! conversation about a patient there is no identifier finding and the others are exactly those
//! found outside one; and an MRN written after any text is still found.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_core::safety::{
    check_message, CheckKind, Finding, RegisteredPatient, RegisteredPatients, SafetyContext,
};

const YEAR: i32 = 2026;

/// Appended to every text: whatever comes before it, it must be found as an MRN.
const CANARY: &str = "\nMRN: 00123456\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '|');
    let (extra, body) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(given_name), Some(family_name), Some(mrn), Some(body)) => (
            Some(RegisteredPatient {
                given_name,
                family_name,
                mrn,
            }),
            body,
        ),
        _ => (None, &*text),
    };
    let registered = [
        RegisteredPatient {
            given_name: "Jane",
            family_name: "Doe",
            mrn: "A-100234",
        },
        RegisteredPatient {
            given_name: "Amir",
            family_name: "Haddad",
            mrn: "77",
        },
    ];
    let patients = RegisteredPatients::new(registered.into_iter().chain(extra));

    let outside = check_message(body, &context(&patients, false));
    let inside = check_message(body, &context(&patients, true));
    well_formed(body, &outside);
    well_formed(body, &inside);
    assert!(
        inside.iter().all(|f| f.check != CheckKind::Identifier),
        "an identifier finding in a conversation about a patient"
    );
    let not_identifiers: Vec<&Finding> = outside
        .iter()
        .filter(|f| f.check != CheckKind::Identifier)
        .collect();
    assert_eq!(
        not_identifiers,
        inside.iter().collect::<Vec<_>>(),
        "the abbreviation and order findings depend on the kind of conversation"
    );

    let marked = format!("{body}{CANARY}");
    let (start, end) = (body.len() + 1, marked.len() - 1);
    let found = check_message(&marked, &context(&patients, false));
    well_formed(&marked, &found);
    assert!(
        found.iter().any(|f| f.check == CheckKind::Identifier
            && f.code == "mrn"
            && f.start <= start
            && end <= f.end),
        "an MRN after the text was not found: {found:?}"
    );
});

fn context(patients: &RegisteredPatients, about_patient: bool) -> SafetyContext<'_> {
    SafetyContext {
        about_patient,
        patients,
        current_year: YEAR,
    }
}

/// Spans inside the text, on character boundaries, in order (outer spans first).
fn well_formed(text: &str, findings: &[Finding]) {
    let mut previous: Option<(usize, usize)> = None;
    for f in findings {
        assert!(
            f.start <= f.end && f.end <= text.len(),
            "{f:?} lies outside the text ({} bytes)",
            text.len()
        );
        assert!(
            text.is_char_boundary(f.start) && text.is_char_boundary(f.end),
            "{f:?} splits a character"
        );
        assert!(
            !f.code.is_empty() && !f.advice.is_empty(),
            "{f:?} says nothing"
        );
        if let Some((start, end)) = previous {
            assert!(
                start < f.start || (start == f.start && end >= f.end),
                "{f:?} comes after a finding at {start}..{end}"
            );
        }
        previous = Some((f.start, f.end));
    }
}
