//! Words one typo away from a drug name or an order verb ("hepirin", "dicontinue"), and words
//! with a drug class's ending ("...olol", "...mycin").

use std::sync::LazyLock;

use super::is_inflected;
use super::orderables::{Kind, ORDERABLES};
use super::vocabulary::{DRUG_ENDINGS, VERBS};

/// A drug's name with a typo, or a word with a drug class's ending ("...olol", "...mycin").
pub(super) fn is_drug_like(word: &str) -> bool {
    if word.len() < 5 || !word.chars().all(|c| c.is_ascii_alphabetic()) || is_inflected(word) {
        return false;
    }
    let class = word.len() >= 7 && DRUG_ENDINGS.iter().any(|e| word.ends_with(e));
    class || one_typo_from_any(word, &TYPO_DRUGS).is_some()
}

/// The order verb `word` is (or is one typo from), in its listed form.
pub(super) fn order_verb(word: &str) -> Option<&'static str> {
    if let Some(verb) = VERBS.iter().find(|v| **v == word) {
        return Some(verb);
    }
    if word.len() < 5 || is_inflected(word) {
        return None;
    }
    one_typo_from_any(word, &TYPO_VERBS)
}

/// Names a typo may stand for: six letters or more (shorter ones are too near other words),
/// each with the set of its letters, so that most names are ruled out without comparing.
type TypoTargets = Vec<(&'static str, u32)>;

static TYPO_DRUGS: LazyLock<TypoTargets> = LazyLock::new(|| {
    typo_targets(
        ORDERABLES
            .iter()
            .filter(|(name, kind)| *kind == Kind::Drug && !name.contains(' '))
            .map(|(name, _)| *name),
    )
});
static TYPO_VERBS: LazyLock<TypoTargets> = LazyLock::new(|| typo_targets(VERBS.iter().copied()));

fn typo_targets(names: impl Iterator<Item = &'static str>) -> TypoTargets {
    names
        .filter(|name| name.len() >= 6)
        .map(|name| (name, letters(name)))
        .collect()
}

/// The letters a-z a word holds, one bit each.
fn letters(word: &str) -> u32 {
    word.bytes()
        .filter(u8::is_ascii_lowercase)
        .fold(0, |set, b| set | 1 << (b - b'a'))
}

/// The name `word` is one edit (insertion, deletion, substitution or swap) from, if any, and
/// not that name with letters added to its end. One edit changes at most two letters of the
/// set, which rules out most names before their distance is computed.
fn one_typo_from_any(word: &str, targets: &[(&'static str, u32)]) -> Option<&'static str> {
    let set = letters(word);
    targets
        .iter()
        .filter(|(name, name_set)| {
            word.len().abs_diff(name.len()) <= 1 && (set ^ name_set).count_ones() <= 2
        })
        .map(|(name, _)| *name)
        .find(|name| {
            !(word.len() > name.len() && word.starts_with(name))
                && strsim::osa_distance(word, name) == 1
        })
}
