//! Patient identifiers in free text: SSN-like numbers, MRNs, phone numbers, dates of birth and
//! the names and MRNs of registered patients.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::{CheckKind, Finding, SafetyContext, is_boundary};

const USE_PATIENT_THREAD: &str = "Patient identifiers belong in the patient's care-team thread; \
     send this there, or refer to the patient with a structured patient reference.";

static SSN: LazyLock<Regex> = LazyLock::new(|| pattern(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b"));
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?:\+1[ .-]?)?(?:\(\d{3}\)\s?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b"));
static MRN: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?i)\b(?:MRN|medical record (?:number|no\.?))\s*[:#]?\s*[A-Z0-9][A-Z0-9-]{3,}\b")
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:(\d{4})-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2}))\b"));
static BIRTH_WORD: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?i)(?:\bDOB|\bD\.O\.B\.?|\bdate of birth|\bborn(?: on)?)\s*[:-]?\s*$")
});

fn pattern(source: &str) -> Regex {
    Regex::new(source).unwrap_or_else(|e| unreachable!("a built-in pattern is valid: {e}"))
}

/// One registered patient as the identifier check knows them.
#[derive(Debug, Clone, Copy)]
pub struct RegisteredPatient<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub mrn: &'a str,
}

/// MRNs shorter than this are not searched for by value: "12" is a bed, not a patient.
const MIN_MRN_LEN: usize = 5;

/// Registered patients' names and MRNs, searchable at once (built once, then reused).
#[derive(Debug, Clone, Default)]
pub struct RegisteredPatients {
    matcher: Option<AhoCorasick>,
    /// The finding code of each pattern, by pattern index.
    codes: Vec<&'static str>,
}

impl RegisteredPatients {
    /// Indexes "Given Family", "Family, Given" and the MRN of each patient.
    pub fn new<'a>(patients: impl IntoIterator<Item = RegisteredPatient<'a>>) -> Self {
        let (mut patterns, mut codes) = (Vec::new(), Vec::new());
        for patient in patients {
            let (given, family) = (patient.given_name.trim(), patient.family_name.trim());
            if !given.is_empty() && !family.is_empty() {
                patterns.push(format!("{given} {family}"));
                patterns.push(format!("{family}, {given}"));
                codes.extend(["patient_name", "patient_name"]);
            }
            let mrn = patient.mrn.trim();
            if mrn.len() >= MIN_MRN_LEN {
                patterns.push(mrn.to_owned());
                codes.push("mrn");
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok()
            .filter(|_| !patterns.is_empty());
        Self { matcher, codes }
    }

    /// How many patterns are indexed (two names and an MRN per patient).
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn find(&self, text: &str, findings: &mut Vec<Finding>) {
        let Some(matcher) = &self.matcher else { return };
        for found in matcher.find_iter(text) {
            if is_boundary(text, found.start()) && is_boundary(text, found.end()) {
                let code = self.codes.get(found.pattern().as_usize()).copied();
                findings.push(finding(
                    code.unwrap_or("patient_name"),
                    found.start(),
                    found.end(),
                ));
            }
        }
    }
}

pub(super) fn check(text: &str, context: &SafetyContext<'_>, findings: &mut Vec<Finding>) {
    for (re, code) in [(&*SSN, "ssn"), (&*PHONE, "phone"), (&*MRN, "mrn")] {
        for found in re.find_iter(text) {
            findings.push(finding(code, found.start(), found.end()));
        }
    }
    for date in DATE.captures_iter(text) {
        let Some(whole) = date.get(0) else { continue };
        let after_birth_word = BIRTH_WORD.is_match(&text[..whole.start()]);
        let year = date
            .get(1)
            .or_else(|| date.get(2))
            .and_then(|y| y.as_str().parse::<i32>().ok())
            .filter(|y| *y >= 1000);
        // A full date two or more years back is rarely anything but a birth date in a message
        // about care; a recent or coming date is an appointment or an event.
        let long_ago = year.is_some_and(|y| y <= context.current_year - 2);
        if after_birth_word || long_ago {
            findings.push(finding("date_of_birth", whole.start(), whole.end()));
        }
    }
    context.patients.find(text, findings);
}

fn finding(code: &'static str, start: usize, end: usize) -> Finding {
    Finding {
        check: CheckKind::Identifier,
        code,
        start,
        end,
        advice: USE_PATIENT_THREAD,
    }
}
