//! Clinical safety checks run on a message's text before it is sent: pure functions, no I/O.
//!
//! Three checks, each a module of its own:
//! - [`identifiers`]: patient identifiers (SSN-like numbers, MRNs, phone numbers, dates of birth,
//!   names and MRNs of registered patients) in a conversation that is not about a patient;
//! - [`abbreviations`]: the Joint Commission "Do Not Use" list, with the safe wording;
//! - [`orders`]: text that reads like an order (an order verb on something orderable, or a bare
//!   order phrase such as "NPO after midnight"), which belongs in order entry (CPOE), not in a
//!   message.
//!
//! A finding names where it is (byte offsets into the text) and what to do instead; it never
//! copies the text, so findings can be returned, counted and audited without carrying PHI.

mod abbreviations;
mod identifiers;
mod orders;

use serde::Serialize;

pub use identifiers::{RegisteredPatient, RegisteredPatients};

/// Which check a finding comes from; policy can make identifier and order findings blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A patient identifier outside the patient's own conversations.
    Identifier,
    /// A "Do Not Use" abbreviation.
    Abbreviation,
    /// Text that reads like an order.
    OrderText,
}

/// One thing the sender should look at before the message goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: CheckKind,
    /// A stable code for what was found, such as `ssn`, `qd` or `order`.
    pub code: &'static str,
    /// Byte offset of the start of the finding in the text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// What to write or do instead.
    pub advice: &'static str,
}

/// What the checks need to know besides the text.
#[derive(Debug, Clone, Copy)]
pub struct SafetyContext<'a> {
    /// True in care-team and patient conversations, where identifiers belong.
    pub about_patient: bool,
    /// The registered patients' names and MRNs.
    pub patients: &'a RegisteredPatients,
    /// The current year, to tell a birth date from an appointment.
    pub current_year: i32,
}

/// Every finding in `text`, in order of position.
pub fn check_message(text: &str, context: &SafetyContext<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !context.about_patient {
        identifiers::check(text, context, &mut findings);
    }
    abbreviations::check(text, &mut findings);
    orders::check(text, &mut findings);
    // Outer spans first, so that an MRN found both after "MRN:" and by its registered value
    // is reported once, as the longer span.
    findings.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        let inside = |k: &Finding| {
            k.code == finding.code && k.start <= finding.start && finding.end <= k.end
        };
        if !kept.iter().any(inside) {
            kept.push(finding);
        }
    }
    kept
}

/// Whether byte `at` of `text` starts or ends a word (used where a pattern cannot say so).
fn is_boundary(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    word(before) != word(after)
}

#[cfg(test)]
mod tests;
