use super::*;

const YEAR: i32 = 2026;

fn patient<'a>(given_name: &'a str, family_name: &'a str, mrn: &'a str) -> RegisteredPatient<'a> {
    RegisteredPatient {
        given_name,
        family_name,
        mrn,
    }
}

fn codes(text: &str, about_patient: bool) -> Vec<&'static str> {
    let patients = RegisteredPatients::new([
        patient("Jane", "Doe", "A-100234"),
        patient("Amir", "Haddad", "77"),
    ]);
    let context = SafetyContext {
        about_patient,
        patients: &patients,
        current_year: YEAR,
    };
    check_message(text, &context)
        .into_iter()
        .map(|f| f.code)
        .collect()
}

#[test]
fn identifiers_outside_patient_threads_are_found() {
    let cases: &[(&str, &[&str])] = &[
        ("SSN 123-45-6789 is on file", &["ssn"]),
        ("call her at (555) 123-4567 after 5", &["phone"]),
        ("call 555-123-4567", &["phone"]),
        ("+1 555 123 4567 is the daughter", &["phone"]),
        ("MRN: 00123456 needs a bed", &["mrn"]),
        ("medical record number A77812 is wrong", &["mrn"]),
        ("DOB 03/14/1962", &["date_of_birth"]),
        ("born on 2001-07-04, allergic", &["date_of_birth"]),
        ("seen 04/02/1958 in clinic", &["date_of_birth"]),
        ("Jane Doe in bed 12", &["patient_name"]),
        ("Is doe, jane ready for transport?", &["patient_name"]),
        ("amir haddad asked for you", &["patient_name"]),
        ("a-100234 is ready for discharge", &["mrn"]),
        ("MRN A-100234 is ready", &["mrn"]),
    ];
    for (text, expected) in cases {
        assert_eq!(codes(text, false), *expected, "{text:?}");
    }
}

#[test]
fn identifiers_in_patient_threads_are_expected() {
    assert!(codes("Jane Doe MRN 00123456 DOB 03/14/1962, 555-123-4567", true).is_empty());
}

#[test]
fn do_not_use_abbreviations_are_found() {
    let cases: &[(&str, &[&str])] = &[
        ("give 10 U regular now", &["u"]),
        ("10u at bedtime", &["u"]),
        ("vitamin D 1000 IU", &["iu"]),
        ("aspirin qd", &["qd"]),
        ("aspirin Q.D. with food", &["qd"]),
        ("aspirin q.d.", &["qd"]),
        ("dressing change QOD", &["qod"]),
        ("dressing change q.o.d.", &["qod"]),
        ("1.0 mg was drawn up", &["trailing_zero"]),
        ("draw up .5 mg", &["leading_zero"]),
        ("MS 2 mg given", &["ms"]),
        ("MSO4 2 mg given", &["mso4"]),
        ("MgSO4 2 g given", &["mgso4"]),
    ];
    for (text, expected) in cases {
        // Several of these lines are also orders; this test is about the abbreviations.
        let mut found = codes(text, true);
        found.retain(|c| *c != "order");
        assert_eq!(found, *expected, "{text:?}");
    }
}

#[test]
fn order_like_text_is_found() {
    let cases: &[(&str, &[&str])] = &[
        ("metoprolol 25 mg PO BID", &["order"]),
        ("start vancomycin 1 g IV q12h please", &["order"]),
        ("lisinopril 10 mg daily", &["order"]),
        ("Ondansetron 4mg IV PRN nausea", &["order"]),
        ("can you give heparin 5000 units subcut", &["order"]),
    ];
    for (text, expected) in cases {
        assert_eq!(codes(text, true), *expected, "{text:?}");
    }
}

#[test]
fn ordinary_clinical_text_is_not_flagged() {
    let cases = [
        "U/S of the abdomen is booked for today",
        "0.5 mg given at 14:00, tolerated well",
        "Unit 4 needs a porter",
        "pH 7.0 on the last gas",
        "family meeting 12/03/2026 in room 4",
        "follow-up on 2025-11-30 went fine",
        "Ward 4 West, bed 12",
        "please check on Jane in bed 4",
        "her tylenol was given with breakfast",
        "4 units of blood are ready",
        "MSK consult requested",
        "paracetamol given as charted",
        "BP 120/80, HR 72",
        "q2 neuro checks are documented",
        "bed 77 is free",
        "xa-100234b is a lot number",
    ];
    for text in cases {
        assert!(
            codes(text, false).is_empty(),
            "{text:?}: {:?}",
            codes(text, false)
        );
    }
}

#[test]
fn findings_point_at_the_text_and_do_not_copy_it() {
    let text = "aspirin qd and 1.0 mg";
    // The whole line reads like an order too; its finding spans it.
    let patients = RegisteredPatients::default();
    let context = SafetyContext {
        about_patient: true,
        patients: &patients,
        current_year: YEAR,
    };
    let findings = check_message(text, &context);
    let spans: Vec<&str> = findings.iter().map(|f| &text[f.start..f.end]).collect();
    assert_eq!(spans, ["aspirin qd and 1.0 mg", "qd", "1.0"]);
    assert!(findings.iter().all(|f| !f.advice.contains("aspirin")));
}
