//! The Joint Commission's official "Do Not Use" list, each with the wording to use instead.

use std::sync::LazyLock;

use regex::Regex;

use super::{CheckKind, Finding};

/// Units a dose is written in, for the zero rules (a lab value such as "pH 7.0" is not a dose).
const DOSE_UNIT: &str = r"(?:mg|mcg|µg|g|kg|mL|ml|L|units?|mEq|mmol|meq)\b";

struct Rule {
    code: &'static str,
    pattern: Regex,
    /// The capture group that is the finding (0: the whole match).
    group: usize,
    advice: &'static str,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |code, source: &str, group, advice| Rule {
        code,
        pattern: Regex::new(source)
            .unwrap_or_else(|e| unreachable!("a built-in pattern is valid: {e}")),
        group,
        advice,
    };
    vec![
        // "U" right after a number: "10 U", "10U". Not "U/S" (ultrasound), not "Unit 4".
        rule("u", r"\d\s?([Uu])\b(?:[^/]|$)", 1, "Write \"unit\"."),
        rule(
            "iu",
            r"\d\s?([Ii][Uu])\b",
            1,
            "Write \"international unit\".",
        ),
        rule("qd", r"(?i)\bq\.?d\b\.?", 0, "Write \"daily\"."),
        rule(
            "qod",
            r"(?i)\bq\.?o\.?d\b\.?",
            0,
            "Write \"every other day\".",
        ),
        rule(
            "trailing_zero",
            &format!(r"(?:^|[^\d.])(\d+\.0+)\s?{DOSE_UNIT}"),
            1,
            "Drop the trailing zero: write \"1 mg\", not \"1.0 mg\".",
        ),
        rule(
            "leading_zero",
            &format!(r"(?:^|[^\w.])(\.\d+)\s?{DOSE_UNIT}"),
            1,
            "Write a leading zero: \"0.5 mg\", not \".5 mg\".",
        ),
        rule(
            "ms",
            r"\bMS\b",
            0,
            "Write \"morphine sulfate\" or \"magnesium sulfate\".",
        ),
        rule("mso4", r"(?i)\bMSO4\b", 0, "Write \"morphine sulfate\"."),
        rule("mgso4", r"(?i)\bMgSO4\b", 0, "Write \"magnesium sulfate\"."),
    ]
});

pub(super) fn check(text: &str, findings: &mut Vec<Finding>) {
    for rule in RULES.iter() {
        for captures in rule.pattern.captures_iter(text) {
            if let Some(found) = captures.get(rule.group) {
                findings.push(Finding {
                    check: CheckKind::Abbreviation,
                    code: rule.code,
                    start: found.start(),
                    end: found.end(),
                    advice: rule.advice,
                });
            }
        }
    }
}
