//! Text that reads like a medication order: a drug, a dose, and a route or a frequency. The Joint
//! Commission requires orders to go through order entry (CPOE), not secure messaging.

use std::sync::LazyLock;

use regex::Regex;

use super::{CheckKind, Finding};

const USE_CPOE: &str = "This reads like a medication order. Orders must be entered in order \
     entry (CPOE); a message cannot carry them.";

/// Common inpatient drugs, generic and brand names, lower case.
const DRUGS: &[&str] = &[
    "acetaminophen",
    "paracetamol",
    "tylenol",
    "ibuprofen",
    "ketorolac",
    "toradol",
    "morphine",
    "hydromorphone",
    "dilaudid",
    "oxycodone",
    "fentanyl",
    "tramadol",
    "methadone",
    "naloxone",
    "heparin",
    "enoxaparin",
    "lovenox",
    "warfarin",
    "coumadin",
    "apixaban",
    "rivaroxaban",
    "insulin",
    "glargine",
    "lispro",
    "metformin",
    "metoprolol",
    "labetalol",
    "lisinopril",
    "amlodipine",
    "hydralazine",
    "diltiazem",
    "amiodarone",
    "digoxin",
    "nitroglycerin",
    "furosemide",
    "lasix",
    "potassium",
    "kcl",
    "magnesium",
    "calcium",
    "ondansetron",
    "zofran",
    "prochlorperazine",
    "metoclopramide",
    "ceftriaxone",
    "cefazolin",
    "cefepime",
    "vancomycin",
    "piperacillin",
    "zosyn",
    "meropenem",
    "azithromycin",
    "levofloxacin",
    "ciprofloxacin",
    "metronidazole",
    "fluconazole",
    "acyclovir",
    "prednisone",
    "methylprednisolone",
    "dexamethasone",
    "hydrocortisone",
    "lorazepam",
    "ativan",
    "midazolam",
    "diazepam",
    "haloperidol",
    "quetiapine",
    "olanzapine",
    "propofol",
    "ketamine",
    "aspirin",
    "clopidogrel",
    "atorvastatin",
    "pantoprazole",
    "famotidine",
    "albuterol",
    "ipratropium",
    "epinephrine",
    "norepinephrine",
    "vasopressin",
    "dopamine",
    "levothyroxine",
    "gabapentin",
    "diphenhydramine",
    "benadryl",
    "docusate",
    "senna",
    "dextrose",
    "saline",
    "lactated",
];

/// Endings of drug classes (a word of at least seven letters ending so is taken as a drug).
const DRUG_ENDINGS: &[&str] = &[
    "pril", "olol", "sartan", "statin", "cillin", "mycin", "floxacin", "azole", "parin", "dipine",
    "azepam", "zolam", "tidine", "cycline", "navir", "ciclovir", "oxacin",
];

static WORD: LazyLock<Regex> = LazyLock::new(|| pattern(r"[A-Za-z]+"));
static DOSE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|mL|L|units?|u|iu|meq|mmol)(?:/(?:kg|hr|h|min))*\b",
    )
});
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(?:PO|IV|IVP|IVPB|IM|SC|SQ|subcut|subq|SL|PR|NG|PEG|inhaled|neb|by mouth|intravenous(?:ly)?|intramuscular(?:ly)?)\b",
    )
});
static FREQUENCY: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(?:daily|bid|tid|qid|qhs|qam|qpm|prn|nightly|stat|once|twice|q\s?\d{1,2}\s?(?:h|hr|hrs|hours)?|every\s+\d+\s*(?:h|hr|hrs|hours|min|minutes))\b",
    )
});

fn pattern(source: &str) -> Regex {
    Regex::new(source).unwrap_or_else(|e| unreachable!("a built-in pattern is valid: {e}"))
}

fn is_drug(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    DRUGS.contains(&word.as_str())
        || (word.len() >= 7 && DRUG_ENDINGS.iter().any(|e| word.ends_with(e)))
}

/// One finding per line that names a drug with a dose and a route or a frequency.
pub(super) fn check(text: &str, findings: &mut Vec<Finding>) {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some((start, end)) = order_in(line) {
            findings.push(Finding {
                check: CheckKind::OrderText,
                code: "order",
                start: line_start + start,
                end: line_start + end,
                advice: USE_CPOE,
            });
        }
        line_start += line.len();
    }
}

/// The span from the drug to the last of its dose, route and frequency, if all are there.
fn order_in(line: &str) -> Option<(usize, usize)> {
    let drug = WORD.find_iter(line).find(|w| is_drug(w.as_str()))?;
    let dose = DOSE.find(line)?;
    let route = ROUTE.find(line);
    let frequency = FREQUENCY.find(line);
    if route.is_none() && frequency.is_none() {
        return None;
    }
    let parts = [Some(drug), Some(dose), route, frequency];
    let start = parts.iter().flatten().map(|m| m.start()).min()?;
    let end = parts.iter().flatten().map(|m| m.end()).max()?;
    Some((start, end))
}
