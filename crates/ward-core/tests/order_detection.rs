//! Order detection over a labelled corpus (`order_corpus/`): at least 200 orders of every kind
//! (medication, lab, imaging, diet, nursing, device, blood product, consult, code status and
//! disposition, with abbreviations and typos) and at least 200 non-orders in the same
//! vocabulary. Recall must be at least 95% and false positives at most 3%.

use ward_core::safety::{RegisteredPatients, SafetyContext, check_message};

const ORDERS: &str = include_str!("order_corpus/orders.txt");
const NON_ORDERS: &str = include_str!("order_corpus/non_orders.txt");

fn lines(corpus: &str) -> Vec<&str> {
    corpus
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn flagged(text: &str) -> bool {
    let patients = RegisteredPatients::default();
    let context = SafetyContext {
        about_patient: true,
        patients: &patients,
        current_year: 2026,
    };
    check_message(text, &context)
        .iter()
        .any(|f| f.code == "order")
}

#[test]
fn order_detection_meets_its_recall_and_false_positive_targets() {
    let orders = lines(ORDERS);
    let non_orders = lines(NON_ORDERS);
    assert!(
        orders.len() >= 200 && non_orders.len() >= 200,
        "the corpus is too small"
    );

    let missed: Vec<&str> = orders.iter().copied().filter(|t| !flagged(t)).collect();
    let false_positives: Vec<&str> = non_orders.iter().copied().filter(|t| flagged(t)).collect();
    let recall = 1.0 - missed.len() as f64 / orders.len() as f64;
    let fp_rate = false_positives.len() as f64 / non_orders.len() as f64;
    println!(
        "orders {}: recall {:.1}% ({} missed); non-orders {}: false positives {:.1}% ({})",
        orders.len(),
        recall * 100.0,
        missed.len(),
        non_orders.len(),
        fp_rate * 100.0,
        false_positives.len()
    );
    println!("missed: {missed:?}\nfalse positives: {false_positives:?}");
    assert!(recall >= 0.95, "recall {recall:.3}; missed: {missed:#?}");
    assert!(
        fp_rate <= 0.03,
        "false positives {fp_rate:.3}: {false_positives:#?}"
    );
}

#[test]
fn an_order_finding_spans_the_order_and_keeps_byte_offsets() {
    let patients = RegisteredPatients::default();
    let context = SafetyContext {
        about_patient: true,
        patients: &patients,
        current_year: 2026,
    };
    let text = "Thanks! Sarah, please hold metoprolol tonight. BP is fine otherwise";
    let findings = check_message(text, &context);
    let orders: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == "order")
        .map(|f| &text[f.start..f.end])
        .collect();
    assert_eq!(orders, ["hold metoprolol tonight"]);
}
