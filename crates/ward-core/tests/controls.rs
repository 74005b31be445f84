//! The control catalogue is complete and every test it names exists: a renamed or deleted
//! test fails here rather than leaving a control without its proof.

use std::path::{Path, PathBuf};

use ward_core::controls::{CONTROLS, Obligation};

/// The specifications the catalogue must cover, in order (the compliance report's issue).
const EXPECTED: [(&str, Obligation); 22] = [
    ("164.312(a)(1)", Obligation::Required),
    ("164.312(a)(2)(i)", Obligation::Required),
    ("164.312(a)(2)(ii)", Obligation::Required),
    ("164.312(a)(2)(iii)", Obligation::Addressable),
    ("164.312(a)(2)(iv)", Obligation::Addressable),
    ("164.312(b)", Obligation::Required),
    ("164.312(c)(1)", Obligation::Required),
    ("164.312(c)(2)", Obligation::Addressable),
    ("164.312(d)", Obligation::Required),
    ("164.312(e)(1)", Obligation::Required),
    ("164.312(e)(2)(i)", Obligation::Addressable),
    ("164.312(e)(2)(ii)", Obligation::Addressable),
    ("164.308(a)(1)(ii)(D)", Obligation::Required),
    ("164.308(a)(3)(ii)(C)", Obligation::Addressable),
    ("164.308(a)(4)(ii)(B)", Obligation::Addressable),
    ("164.308(a)(4)(ii)(C)", Obligation::Addressable),
    ("164.308(a)(5)(ii)(C)", Obligation::Addressable),
    ("164.308(a)(5)(ii)(D)", Obligation::Addressable),
    ("164.308(a)(6)(ii)", Obligation::Required),
    ("164.308(a)(7)(ii)(A)", Obligation::Required),
    ("164.310(d)(2)(iv)", Obligation::Addressable),
    ("164.528", Obligation::Required),
];

#[test]
fn the_catalogue_covers_every_specification_once_with_features_and_tests() {
    let listed: Vec<_> = CONTROLS
        .iter()
        .map(|c| (c.citation, c.obligation))
        .collect();
    assert_eq!(listed, EXPECTED);
    for control in CONTROLS {
        assert!(!control.title.is_empty(), "{}", control.citation);
        assert!(
            !control.features.is_empty(),
            "{} names no feature",
            control.citation
        );
        assert!(
            !control.tests.is_empty(),
            "{} names no test",
            control.citation
        );
    }
}

#[test]
fn every_test_the_catalogue_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut missing = Vec::new();
    for control in CONTROLS {
        for test in control.tests {
            if !defined(&root, test) {
                missing.push(format!("{}: {test}", control.citation));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "tests named but not found:\n{}",
        missing.join("\n")
    );
}

/// Whether `name` (`crate[::binary] module::path::test`, as `cargo nextest list` prints it)
/// is defined where that name says: a `fn`, or the first argument of a test-defining macro.
fn defined(root: &Path, name: &str) -> bool {
    let Some((binary, path)) = name.split_once(' ') else {
        return false;
    };
    let (krate, dir) = match binary.split_once("::") {
        Some((krate, test_binary)) => (krate, PathBuf::from("tests").join(test_binary)),
        None => (binary, PathBuf::from("src")),
    };
    let mut segments: Vec<&str> = path.split("::").collect();
    let Some(test) = segments.pop() else {
        return false;
    };
    // Unit tests live in a `tests` module inside the file they test.
    if segments.last() == Some(&"tests") {
        segments.pop();
    }
    let base = root.join("crates").join(krate).join(dir);
    let module = segments.iter().fold(base.clone(), |p, s| p.join(s));
    let candidates = if segments.is_empty() {
        vec![base.join("main.rs"), base.join("lib.rs")]
    } else {
        vec![module.with_extension("rs"), module.join("mod.rs")]
    };
    candidates.iter().any(|file| {
        std::fs::read_to_string(file).is_ok_and(|text| {
            text.contains(&format!("fn {test}("))
                || text.contains(&format!("({test},"))
                || text.lines().any(|line| line.trim() == format!("{test},"))
        })
    })
}

#[test]
fn the_checker_finds_real_tests_and_refuses_made_up_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(defined(
        &root,
        "ward-core role::tests::builtin_roles_separate_duties"
    ));
    assert!(defined(
        &root,
        "ward-server::api sessions::idle_sessions_expire_after_the_policy_timeout"
    ));
    assert!(!defined(&root, "ward-core role::tests::no_such_test"));
    assert!(!defined(
        &root,
        "ward-server::api nowhere::idle_sessions_expire_after_the_policy_timeout"
    ));
}
