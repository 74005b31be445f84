//! Text that reads like an order. The Joint Commission forbids orders by text message: they go
//! through order entry (CPOE). Orders are recognised by their clinical shape, not by a drug list
//! alone. A sentence is cut into phrases at commas and colons, and a phrase is an order when
//! - it starts (after "please", "can you", "ok to" and the like) with an order verb that acts on
//!   something orderable a few words on: "hold metoprolol", "please order a CBC", "d/c foley",
//!   "transfuse 2 units PRBC", "consult cards", "make him DNR"; or
//! - it is nothing but an order phrase: orderables with their qualifiers, timing, dose, route
//!   and frequency ("NPO after midnight", "CBC and BMP in am", "tylenol 650 mg PO q6h prn pain").
//!   A medication alone needs a dose, route, frequency or time, and a bare number makes the
//!   phrase a result ("potassium 3.1 this am").
//!
//! A question about what happened ("did you give the lasix?") is not an order; a request put as
//! a question ("can you give 10 units insulin now?") is. Reporting what was done ("lasix was
//! held", "gave 2 mg morphine") never matches, because neither shape allows a past form. A word
//! one edit away from a known drug or verb counts (typos), unless it is a longer form of it.

mod orderables;
mod typos;
mod vocabulary;

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{CheckKind, Finding};
use orderables::{Kind, ORDERABLES};
use typos::{is_drug_like, order_verb};
use vocabulary::{
    CALL_VERBS, CAPITALS_ONLY, DISPOSITION_VERBS, LOOK_WORDS, ORDERABLE_HEADS, PREFIXES,
    QUALIFIERS, QUESTION_STARTS, REASON_WORDS, REPORT_WORDS, RESULT_WORDS, SUBJECTS, TIMING_WORDS,
};

const USE_CPOE: &str = "This reads like an order. Orders must be entered in order entry \
     (CPOE); a message cannot carry them.";

/// How many words after an order verb may stand before what it orders.
const VERB_REACH: usize = 8;

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"[A-Za-z0-9][A-Za-z0-9/&.%:'’+-]*[A-Za-z0-9%]|[A-Za-z0-9&+<>]"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| pattern(r"^\d+(?:[.,/-]\d+)*s?$"));
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:mg|mcg|µg|g|gm|grams?|ml|cc|l|units?|u|iu|meq|mmol|amps?|tabs?|packs?|bags?|puffs?|%|degrees|lpm)(?:/(?:kg|hr|h|min|day|24h|hour))*$",
    )
});
static GLUED_DOSE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^\d+(?:\.\d+)?(?:mg|mcg|g|gm|ml|cc|l|units?|u|iu|meq|mmol|%)?(?:/(?:kg|hr|h|min|day))+$|^\d+(?:\.\d+)?(?:mg|mcg|g|gm|ml|cc|l|units?|u|iu|meq|mmol|%)$",
    )
});
/// "another liter", "a bag", "one amp": a quantity without a number.
const COUNTED: &[&str] = &["another", "a", "an", "one", "extra", "second"];
const MEASURES: &[&str] = &["liter", "litre", "bag", "amp", "dose", "unit", "vial"];
static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:po|iv|ivp|ivpb|im|sc|sq|subcut|subq|sl|pr|peg|inhaled|neb|nebs|intravenous(?:ly)?|intramuscular(?:ly)?|topical)$",
    )
});
static FREQUENCY: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:daily|bid|tid|qid|qhs|qam|qpm|qd|qod|nightly|once|twice|q\d{1,2}(?:h|hr|hrs|min)?|q\d{1,2}-\d{1,2}h?|x\d+|\d+x)$",
    )
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:(?:[01]\d|2[0-3])[0-5]\d|\d{1,2}(?:am|pm)|\d{1,2}:\d{2}|\d+(?:st|nd|rd|th)|\d+:\d+)$",
    )
});
fn pattern(source: &str) -> Regex {
    Regex::new(source).unwrap_or_else(|e| unreachable!("a built-in pattern is valid: {e}"))
}

/// An orderable's words and its kind.
type Phrase = (Vec<&'static str>, Kind);

/// The orderables keyed by their first word, longest phrase first.
static ORDERABLE_INDEX: LazyLock<HashMap<&'static str, Vec<Phrase>>> = LazyLock::new(|| {
    let mut index: HashMap<&str, Vec<Phrase>> = HashMap::new();
    for (phrase, kind) in ORDERABLES {
        let words: Vec<&str> = phrase.split(' ').collect();
        index.entry(words[0]).or_default().push((words, *kind));
    }
    for phrases in index.values_mut() {
        phrases.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
    }
    index
});

/// One word of a sentence: lower case, with its byte span in the message.
#[derive(Debug)]
struct Word<'a> {
    text: String,
    raw: &'a str,
    start: usize,
    end: usize,
}

/// What a word (or a run of words) is to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Orderable(Kind),
    Dose,
    Route,
    Frequency,
    Timing,
    Qualifier,
    /// "prn", "for", "if": what follows is the reason or the condition.
    Reason,
    /// A number that is not a dose, a time or a count: a result.
    Number,
    Comparator,
    Other,
}

/// One finding per sentence that holds an order, spanning its order phrases.
pub(super) fn check(text: &str, findings: &mut Vec<Finding>) {
    for (start, end, question) in sentences(text) {
        let phrases = phrases(text, start, end);
        let mut span: Option<(usize, usize)> = None;
        let mut phrases = phrases.as_slice();
        // "Sarah, please give ..." / "RN: give ...": a one-word first phrase is an addressee.
        if phrases.len() > 1 && phrases[0].len() == 1 {
            phrases = &phrases[1..];
        }
        let Some(first) = phrases.first() else {
            continue;
        };
        if is_question(first, question) {
            continue;
        }
        for phrase in phrases {
            let words = strip_prefixes(phrase);
            if words.is_empty() {
                continue;
            }
            if verb_order(words) || bare_order(words) {
                let (s, e) = (words[0].start, words[words.len() - 1].end);
                span = Some(span.map_or((s, e), |(s0, _)| (s0, e)));
            }
        }
        if let Some((start, end)) = span {
            findings.push(Finding {
                check: CheckKind::OrderText,
                code: "order",
                start,
                end,
                advice: USE_CPOE,
            });
        }
    }
}

/// The sentences of `text` as byte ranges, and whether each ends with a question mark.
fn sentences(text: &str) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        let ends = matches!(c, '\n' | '!' | '?' | ';') || (c == '.' && next_is_space);
        if ends {
            out.push((start, at, c == '?'));
            start = at + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push((start, text.len(), false));
    }
    out
}

/// The words of `text[start..end]`, cut into phrases at commas and colons.
fn phrases(text: &str, start: usize, end: usize) -> Vec<Vec<Word<'_>>> {
    let sentence = &text[start..end];
    let mut phrases = vec![Vec::new()];
    let mut last_end = 0;
    for m in TOKEN.find_iter(sentence) {
        let between = &sentence[last_end..m.start()];
        if between.contains([',', ':']) && phrases.last().is_some_and(|p| !p.is_empty()) {
            phrases.push(Vec::new());
        }
        last_end = m.end();
        let raw = m.as_str();
        let word = Word {
            text: raw.to_lowercase().replace('’', "'"),
            raw,
            start: start + m.start(),
            end: start + m.end(),
        };
        if let Some(phrase) = phrases.last_mut() {
            phrase.push(word);
        }
    }
    phrases.retain(|p| !p.is_empty());
    phrases
}

/// A question about what happened; a request ("can you ...") is not one.
fn is_question(first: &[Word<'_>], ends_with_question_mark: bool) -> bool {
    let word = |i: usize| first.get(i).map(|w| w.text.as_str());
    let request = matches!(word(0), Some("can" | "could" | "would" | "will"))
        && matches!(word(1), Some("you" | "u"));
    if request {
        return false;
    }
    ends_with_question_mark || word(0).is_some_and(|w| QUESTION_STARTS.contains(&w))
}

/// The phrase without its leading "please", "can you", "ok to" and the like.
fn strip_prefixes<'p, 'a>(mut words: &'p [Word<'a>]) -> &'p [Word<'a>] {
    'strip: loop {
        for prefix in PREFIXES_LONGEST_FIRST.iter() {
            if starts_with(words, prefix) {
                words = &words[prefix.len()..];
                continue 'strip;
            }
        }
        return words;
    }
}

static PREFIXES_LONGEST_FIRST: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
    let mut prefixes: Vec<Vec<&str>> = PREFIXES.iter().map(|p| p.split(' ').collect()).collect();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    prefixes
});

fn starts_with(words: &[Word<'_>], phrase: &[&str]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(w, p)| w.text == *p)
}

/// An order verb at the start of the phrase, acting on something orderable within reach.
fn verb_order(words: &[Word<'_>]) -> bool {
    let mut at = 0;
    if words.len() > 1
        && SUBJECTS.contains(&words[0].text.as_str())
        && matches!(words[1].text.as_str(), "need" | "needs")
    {
        at = 1;
    }
    let Some(verb) = order_verb(&words[at].text) else {
        return false;
    };
    let reach = &words[at + 1..words.len().min(at + 1 + VERB_REACH)];
    if verb == "check"
        && reach
            .first()
            .is_some_and(|w| LOOK_WORDS.contains(&w.text.as_str()))
    {
        return false;
    }
    if reach
        .iter()
        .any(|w| RESULT_WORDS.contains(&w.text.as_str()))
    {
        return false;
    }
    let parts = parts(reach);
    if reads_as_result(reach, &parts) {
        return false;
    }
    if CALL_VERBS.contains(&verb) {
        let consult = parts.contains(&Part::Orderable(Kind::Consult));
        let condition = reach.iter().position(|w| w.text == "if").is_some_and(|i| {
            parts_after(reach, i)
                .iter()
                .any(|p| matches!(p, Part::Comparator | Part::Number))
        });
        return consult || condition;
    }
    if DISPOSITION_VERBS.contains(&verb)
        && reach.first().is_some_and(|w| {
            matches!(w.text.as_str(), "to" | "home" | "after" | "before")
                || TIMING_WORDS.contains(&w.text.as_str())
        })
    {
        return true;
    }
    let needs = matches!(verb, "need" | "needs");
    parts.iter().any(|part| match part {
        Part::Orderable(_) => true,
        Part::Dose | Part::Route => !needs,
        _ => false,
    })
}

/// "repeat lactate 1.4": the phrase ends in a bare number that is not a target ("to 150"), and
/// nothing in it says when or how much.
fn reads_as_result(reach: &[Word<'_>], parts: &[Part]) -> bool {
    let ends_in_number = parts.last() == Some(&Part::Number);
    let target = reach
        .iter()
        .rev()
        .skip(1)
        .take(2)
        .any(|w| matches!(w.text.as_str(), "to" | "at" | "<" | ">" | "="));
    let when_or_how_much = parts
        .iter()
        .any(|p| matches!(p, Part::Timing | Part::Frequency | Part::Dose | Part::Route));
    ends_in_number && !target && !when_or_how_much
}

/// The parts of `words`, every word classified as if each started a phrase after `i`.
fn parts_after(words: &[Word<'_>], i: usize) -> Vec<Part> {
    words.get(i + 1..).map(parts).unwrap_or_default()
}

/// The parts of a run of words, in order (a multi-word orderable or dose is one part).
fn parts(words: &[Word<'_>]) -> Vec<Part> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (part, len) = part_at(words, i);
        out.push(part);
        i += len.max(1);
    }
    out
}

/// A phrase that is nothing but an order: orderables, qualifiers, dose, route, frequency, time.
/// One unknown word may stand inside it ("CBC w/ diff in AM", "NPO except meds"), or first
/// before a dose (a drug by a name not listed: "metop 12.5 po bid"); a word of a report or a
/// result ("was", "negative", "on", any past form) makes it none.
fn bare_order(words: &[Word<'_>]) -> bool {
    let (mut kinds, mut has_dose, mut has_route, mut has_when, mut has_number) =
        (Vec::new(), false, false, false, false);
    let (mut consult_word, mut unknown, mut unknown_first) = (false, 0, false);
    let mut i = 0;
    while i < words.len() {
        let (part, len) = part_at(words, i);
        match part {
            Part::Orderable(Kind::AfterVerb) | Part::Comparator => return false,
            Part::Other => {
                let w = words[i].text.as_str();
                let interior = i > 0
                    && i + 1 < words.len()
                    && !matches!(part_at(words, i + 1).0, Part::Reason | Part::Other);
                let first = i == 0 && w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic());
                if REPORT_WORDS.contains(&w) || is_inflected(w) || !(interior || first) {
                    return false;
                }
                unknown += 1;
                unknown_first |= i == 0;
            }
            Part::Orderable(kind) => kinds.push(kind),
            Part::Dose => has_dose = true,
            Part::Route => has_route = true,
            Part::Frequency | Part::Timing => has_when = true,
            Part::Number => has_number = true,
            Part::Qualifier => {
                let w = words[i].text.as_str();
                consult_word |= matches!(w, "consult" | "eval" | "evaluation" | "referral");
            }
            Part::Reason => {
                has_when |= words[i].text == "prn";
                break;
            }
        }
        i += len.max(1);
    }
    if unknown > 1 || (has_number && !has_dose && !has_route) {
        return false;
    }
    if unknown_first {
        // A name not listed, followed by a dose: a medication line.
        return has_dose && (has_route || has_when || kinds.is_empty());
    }
    if kinds.is_empty() {
        return false;
    }
    if kinds
        .iter()
        .all(|k| matches!(k, Kind::Drug | Kind::Compound))
    {
        return has_dose || has_route || has_when;
    }
    if kinds.iter().all(|k| *k == Kind::Consult) {
        return consult_word;
    }
    true
}

/// What the word at `i` is, and how many words it spans.
fn part_at(words: &[Word<'_>], i: usize) -> (Part, usize) {
    let word = &words[i];
    let text = word.text.as_str();
    let next = words.get(i + 1).map(|w| w.text.as_str());
    if COUNTED.contains(&text) && next.is_some_and(|n| MEASURES.contains(&n)) {
        return (Part::Dose, 2);
    }
    if let Some((kind, len)) = orderable_at(words, i) {
        return (Part::Orderable(kind), len);
    }
    if next.is_some_and(|n| ORDERABLE_HEADS.contains(&n))
        && !REPORT_WORDS.contains(&text)
        && text.chars().all(|c| c.is_ascii_alphabetic())
    {
        return (Part::Orderable(Kind::Compound), 2);
    }
    if NUMBER.is_match(text) {
        if next.is_some_and(|n| UNIT.is_match(n)) {
            return (Part::Dose, 2);
        }
        let after_x = i > 0 && words[i - 1].text == "x";
        if after_x || TIME.is_match(text) {
            return (Part::Timing, 1);
        }
        return (Part::Number, 1);
    }
    if GLUED_DOSE.is_match(text) {
        return (Part::Dose, 1);
    }
    if ROUTE.is_match(text) {
        return (Part::Route, 1);
    }
    if FREQUENCY.is_match(text) {
        return (Part::Frequency, 1);
    }
    if TIME.is_match(text) || TIMING_WORDS.contains(&text) {
        return (Part::Timing, 1);
    }
    if text == "as" && words.get(i + 1).is_some_and(|w| w.text == "tolerated") {
        return (Part::Qualifier, 2);
    }
    if REASON_WORDS.contains(&text) {
        return (Part::Reason, 1);
    }
    if QUALIFIERS.contains(&text) {
        return (Part::Qualifier, 1);
    }
    if matches!(
        text,
        "<" | ">" | "=" | "greater" | "less" | "above" | "below"
    ) {
        return (Part::Comparator, 1);
    }
    (Part::Other, 1)
}

/// The orderable that starts at word `i` (the longest phrase), and how many words it spans.
fn orderable_at(words: &[Word<'_>], i: usize) -> Option<(Kind, usize)> {
    let word = &words[i];
    let text = word.text.as_str();
    let capitals = word.raw == word.raw.to_uppercase();
    let candidates = [
        Some(text),
        text.strip_suffix("'s"),
        text.strip_suffix('s').filter(|t| t.len() > 2),
    ];
    for candidate in candidates.into_iter().flatten() {
        if CAPITALS_ONLY.contains(&candidate) && !capitals {
            continue;
        }
        if let Some(phrases) = ORDERABLE_INDEX.get(candidate) {
            for (phrase, kind) in phrases {
                let rest = &phrase[1..];
                let following = &words[i + 1..];
                if following.len() >= rest.len()
                    && following.iter().zip(rest).all(|(w, p)| w.text == *p)
                {
                    return Some((*kind, phrase.len()));
                }
            }
        }
    }
    is_drug_like(text).then_some((Kind::Drug, 1))
}

/// Past and progressive forms ("titrated", "holding", "d/c'd"): reports, never typos of orders.
pub(super) fn is_inflected(word: &str) -> bool {
    word.ends_with("ed") || word.ends_with("ing") || word.ends_with("'d")
}
