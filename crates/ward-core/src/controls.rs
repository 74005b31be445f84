//! The HIPAA safeguards Ward implements, as data: each implementation specification of the
//! Security Rule's technical safeguards (45 CFR 164.312), the administrative ones software can
//! evidence (164.308), data backup and storage (164.310(d)(2)(iv)) and the accounting of
//! disclosures (164.528), with what in Ward implements it and the automated tests that prove
//! it. A compliance report gathers live evidence per control; `tests/controls.rs` checks that
//! every test named here exists.

/// Whether the rule requires the specification or lets an entity assess it (164.306(d)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obligation {
    /// A standard, or a required implementation specification.
    Required,
    /// An addressable implementation specification: implemented here.
    Addressable,
}

/// One safeguard.
#[derive(Debug)]
pub struct Control {
    /// Its citation in 45 CFR: `164.312(a)(2)(iii)`.
    pub citation: &'static str,
    /// Its name in the rule.
    pub title: &'static str,
    pub obligation: Obligation,
    /// What in Ward implements it.
    pub features: &'static [&'static str],
    /// Tests that prove it, as `cargo nextest list` names them (the test binary, a space, the
    /// test's path; tests run on both stores are named without `::sqlite` or `::postgres`).
    pub tests: &'static [&'static str],
}

use Obligation::{Addressable, Required};

/// Every control, in the order of the rule.
pub const CONTROLS: &[Control] = &[
    Control {
        citation: "164.312(a)(1)",
        title: "Access control",
        obligation: Required,
        features: &[
            "every route checks the caller's role permissions and conversation membership; deny by default",
            "patients reach staff only through their own care-team thread",
            "built-in roles separate administration from compliance",
        ],
        tests: &[
            "ward-server::api authz_matrix::every_operation_answers_every_principal_as_the_table_says",
            "ward-server::api hardening_access::patients_reach_staff_only_through_their_own_thread",
            "ward-server::api messaging::patients_see_only_their_own_thread",
            "ward-core role::tests::builtin_roles_separate_duties",
        ],
    },
    Control {
        citation: "164.312(a)(2)(i)",
        title: "Unique user identification",
        obligation: Required,
        features: &[
            "one account per person with a unique username; no shared accounts",
            "every audit event names its actor and session",
        ],
        tests: &[
            "ward-store::conformance identity::users_are_created_found_and_unique",
            "ward-server::api audit::audit_records_sign_ins_and_filters",
        ],
    },
    Control {
        citation: "164.312(a)(2)(ii)",
        title: "Emergency access procedure",
        obligation: Required,
        features: &[
            "break-glass access to a patient's thread with a stated reason, bounded in time, alerted to compliance and recorded as a disclosure",
            "a compliance officer signs off each use with a note; the compliance report flags one not signed off in the policy's days",
        ],
        tests: &[
            "ward-server::api break_glass::break_glass_is_audited_alerted_disclosed_and_ends_by_itself",
            "ward-core oversight::tests::durations_are_bounded",
            "ward-core oversight::tests::reasons_must_say_something",
            "ward-server::api compliance_report::break_glass_and_access_reviews_are_signed_off_and_audited",
        ],
    },
    Control {
        citation: "164.312(a)(2)(iii)",
        title: "Automatic logoff",
        obligation: Addressable,
        features: &[
            "sessions end after the policy's idle timeout and lifetime; sockets close with them",
        ],
        tests: &[
            "ward-server::api sessions::idle_sessions_expire_after_the_policy_timeout",
            "ward-store::conformance sessions::sessions_are_found_touched_and_ended",
            "ward-core policy::tests::out_of_range_values_are_refused",
        ],
    },
    Control {
        citation: "164.312(a)(2)(iv)",
        title: "Encryption and decryption",
        obligation: Addressable,
        features: &[
            "message bodies, attachments and patient names sealed with AES-256-GCM under per-month data keys",
            "data keys wrapped by a root key kept outside the database; rotation without downtime",
            "retention destroys a month's key, so its messages cannot be read from any copy",
        ],
        tests: &[
            "ward-crypto seal::tests::round_trips_and_binds_to_its_place",
            "ward-crypto seal::tests::attachment_chunks_open_only_in_their_place",
            "ward-crypto keyring::tests::wrapped_keys_are_bound_to_scope_and_epoch",
            "ward-server::api users::a_patient_accounts_name_is_sealed_at_rest",
            "ward-cli::cli logs::no_log_line_or_stored_byte_carries_phi",
            "ward-cli::cli keys::rotating_the_root_key_keeps_sealed_secrets_readable",
            "ward-server::api retention::past_retention_epochs_are_shredded_unless_held",
        ],
    },
    Control {
        citation: "164.312(b)",
        title: "Audit controls",
        obligation: Required,
        features: &[
            "every access and change, allowed or refused, is an audit event committed with the change",
            "the audit log is a keyed hash chain with signed checkpoints; `ward audit verify` names the first bad event",
        ],
        tests: &[
            "ward-server::api audit::audit_records_sign_ins_and_filters",
            "ward-server::api hardening_access::a_refused_change_is_audited_whatever_its_body",
            "ward-cli::cli audit_tamper::verify_names_the_first_altered_event",
            "ward-crypto audit_chain::tests::detects_alteration_removal_and_reordering",
        ],
    },
    Control {
        citation: "164.312(c)(1)",
        title: "Integrity",
        obligation: Required,
        features: &[
            "a message is acknowledged only after it is durably stored; a crash loses nothing acknowledged",
            "edits keep every version and recalls are final, visible to compliance",
        ],
        tests: &[
            "ward-cli::cli crash::acknowledged_messages_survive_a_kill_on_sqlite",
            "ward-cli::cli crash::acknowledged_messages_survive_a_kill_on_postgres",
            "ward-cli::cli durability::no_acknowledgement_is_written_before_its_fsync_returns",
            "ward-server::api message_changes::the_sender_edits_and_recalls_and_compliance_keeps_every_version",
            "ward-store::conformance workflow::edits_keep_versions_and_recalls_and_expiry_are_final",
        ],
    },
    Control {
        citation: "164.312(c)(2)",
        title: "Mechanism to authenticate electronic protected health information",
        obligation: Addressable,
        features: &[
            "sealed values are authenticated (AEAD) and bound to their place: a changed byte or a moved value does not open",
            "audit links are keyed and checkpoints signed, so the log cannot be rewritten and rehashed",
            "backups are sealed archives that refuse damage",
        ],
        tests: &[
            "ward-crypto seal::tests::any_flipped_byte_is_detected",
            "ward-crypto audit_chain::tests::keyed_links_cannot_be_recomputed_without_the_key",
            "ward-crypto audit_signing::tests::signatures_verify_and_forgeries_do_not",
            "ward-cli::cli audit_tamper::signed_checkpoints_catch_deletion_reordering_truncation_and_forgery",
            "ward-crypto archive::tests::round_trips_and_refuses_damage",
        ],
    },
    Control {
        citation: "164.312(d)",
        title: "Person or entity authentication",
        obligation: Required,
        features: &[
            "passwords hashed with Argon2id; unknown users and wrong passwords answered alike",
            "a second factor (TOTP) for the roles the policy names, codes never reusable",
            "browser sessions in HttpOnly cookies guarded against forgery",
        ],
        tests: &[
            "ward-server::api mfa::totp_required_roles_need_a_valid_fresh_code",
            "ward-server::api auth::unknown_user_and_wrong_password_are_indistinguishable",
            "ward-crypto totp::tests::refuses_replay_and_wrong_codes",
            "ward-crypto password::tests::hashes_verify_and_differ_per_salt",
            "ward-server::api web_session::a_browser_session_lives_in_an_http_only_cookie_guarded_against_forgery",
        ],
    },
    Control {
        citation: "164.312(e)(1)",
        title: "Transmission security",
        obligation: Required,
        features: &[
            "TLS 1.3 and 1.2 with AEAD suites only; plain HTTP refused on a network address",
            "HSTS on every answer over TLS; the WebSocket takes only https origins",
            "`ward compliance selftest` offers the TLS listener a TLS 1.1 hello and expects a refusal",
        ],
        tests: &[
            "ward-server::api tls_scan::a_tls_scan_finds_only_tls_1_2_and_1_3_with_ecdhe_and_aead",
            "ward-cli::cli serve::refuses_plain_http_on_a_network_address",
            "ward-server::api hardening_web::over_tls_every_answer_carries_hsts_and_the_websocket_takes_only_https",
            "ward-cli::cli compliance::a_tls_listener_refuses_tls_1_1",
        ],
    },
    Control {
        citation: "164.312(e)(2)(i)",
        title: "Integrity controls",
        obligation: Addressable,
        features: &[
            "TLS records are authenticated (AEAD suites only)",
            "notices between nodes are sealed and authenticated; forged or replayed ones are dropped and counted",
        ],
        tests: &[
            "ward-server::api tls_scan::a_tls_scan_finds_only_tls_1_2_and_1_3_with_ecdhe_and_aead",
            "ward-server cluster::notice::tests::an_old_notice_is_a_replay",
            "ward-cli::cli cluster::delivery::three_nodes_deliver_revoke_and_remove_across_the_bus",
        ],
    },
    Control {
        citation: "164.312(e)(2)(ii)",
        title: "Encryption",
        obligation: Addressable,
        features: &[
            "TLS on every listener that is not loopback",
            "notices between nodes sealed with AES-256-GCM; the bus itself over TLS with an NKey",
        ],
        tests: &[
            "ward-server::api ops::serves_tls_when_a_certificate_is_configured",
            "ward-server cluster::notice::tests::a_notice_opens_under_its_key_only_and_hides_its_frame",
            "ward-cli::cli cluster::secured::nodes_deliver_over_a_bus_that_requires_tls_and_an_nkey",
        ],
    },
    Control {
        citation: "164.308(a)(1)(ii)(D)",
        title: "Information system activity review",
        obligation: Required,
        features: &[
            "audit search and reports (user activity, failed sign-ins, exports, disclosures) for compliance officers, themselves audited",
            "monitoring rules raise alerts on unusual access",
            "`ward compliance report` and `GET /compliance/report`: live evidence per safeguard, with the reviews",
        ],
        tests: &[
            "ward-server::api reports::reports_and_exports_cover_the_period_and_are_audited",
            "ward-server::api monitoring::reading_thirty_patients_in_a_minute_alerts_compliance",
            "ward-core monitoring::tests::thirty_patients_in_a_minute_raise_one_alert",
            "ward-server::api compliance_report::the_report_judges_every_control_from_live_state",
        ],
    },
    Control {
        citation: "164.308(a)(3)(ii)(C)",
        title: "Termination procedures",
        obligation: Addressable,
        features: &[
            "disabling a user ends every session and socket at once, on every node",
            "remote wipe of a device, confirmed by the device",
        ],
        tests: &[
            "ward-server::api auth::disabled_users_are_signed_out_and_refused",
            "ward-server::api sessions::remote_wipe_is_delivered_and_confirmed",
            "ward-cli::cli cluster::delivery::three_nodes_deliver_revoke_and_remove_across_the_bus",
        ],
    },
    Control {
        citation: "164.308(a)(4)(ii)(B)",
        title: "Access authorization",
        obligation: Addressable,
        features: &[
            "access follows roles; custom roles cannot hold audit or compliance permissions",
            "making a compliance officer, or removing one's second factor, needs a second person",
            "a periodic access review: a compliance officer keeps or removes each account, audited; the report names accounts not reviewed in the policy's days",
        ],
        tests: &[
            "ward-server::api separation_of_duties::an_admin_cannot_make_a_compliance_officer_without_a_second_person",
            "ward-core role::tests::custom_roles_cannot_hold_audit_or_compliance_permissions",
            "ward-server::api users::clinicians_cannot_administer_and_are_audited",
            "ward-server::api compliance_report::break_glass_and_access_reviews_are_signed_off_and_audited",
        ],
    },
    Control {
        citation: "164.308(a)(4)(ii)(C)",
        title: "Access establishment and modification",
        obligation: Addressable,
        features: &[
            "administrators create users and roles; a role change takes effect at once",
            "a member added reads from joining; a member removed receives nothing more",
        ],
        tests: &[
            "ward-server::api users::admins_create_users_who_then_sign_in",
            "ward-server::api users::admins_define_custom_roles_that_take_effect_at_once",
            "ward-server::api history::a_member_added_to_a_group_reads_from_joining",
            "ward-server::api realtime::a_removed_member_gets_nothing_more",
        ],
    },
    Control {
        citation: "164.308(a)(5)(ii)(C)",
        title: "Log-in monitoring",
        obligation: Addressable,
        features: &[
            "failed sign-ins counted durably, accounts locked per policy, repeated failures alerted",
        ],
        tests: &[
            "ward-server::api throttling::repeated_failures_lock_the_account_across_restarts",
            "ward-store::conformance sessions::login_failures_are_counted_durably",
            "ward-core monitoring::tests::failed_sign_ins_from_one_address_raise_an_alert",
            "ward-server::api hardening_access::one_attacker_cannot_lock_out_everyone_behind_an_address",
        ],
    },
    Control {
        citation: "164.308(a)(5)(ii)(D)",
        title: "Password management",
        obligation: Addressable,
        features: &[
            "passwords stored only as Argon2id hashes",
            "a lost second factor is reset by an operator, audited, and ends the user's sessions",
        ],
        tests: &[
            "ward-crypto password::tests::hashes_verify_and_differ_per_salt",
            "ward-cli::cli keys::an_operator_can_reset_a_lost_second_factor",
            "ward-server::api hardening_access::a_second_factor_reset_ends_the_sessions_and_codes_are_no_password_oracle",
        ],
    },
    Control {
        citation: "164.308(a)(6)(ii)",
        title: "Response and reporting",
        obligation: Required,
        features: &[
            "alerts reach connected compliance officers live and an outside webhook",
            "break-glass and privileged change requests raise alerts",
        ],
        tests: &[
            "ward-server::api monitoring::reading_thirty_patients_in_a_minute_alerts_compliance",
            "ward-server::api break_glass::break_glass_is_audited_alerted_disclosed_and_ends_by_itself",
            "ward-core monitoring::tests::a_privileged_change_request_raises_an_alert_and_a_refused_one_does_not",
        ],
    },
    Control {
        citation: "164.308(a)(7)(ii)(A)",
        title: "Data backup plan",
        obligation: Required,
        features: &[
            "online, consistent, sealed backups; `ward backup verify`; a restore drill",
            "each backup and its verification recorded in the audit log; the report flags a missing, old or unverified backup",
        ],
        tests: &[
            "ward-cli::cli backup::the_restore_drill_brings_back_everything_acknowledged_before_the_backup",
            "ward-cli::cli rotation::a_backup_from_before_a_rotation_opens_until_its_key_is_retired",
            "ward-cli::cli compliance::the_report_and_selftest_read_the_data_directory",
        ],
    },
    Control {
        citation: "164.310(d)(2)(iv)",
        title: "Data backup and storage",
        obligation: Addressable,
        features: &[
            "a retrievable exact copy before equipment moves: `ward backup`, restorable with the root key only",
            "a backup cannot bring back messages whose retention key was destroyed",
        ],
        tests: &[
            "ward-cli::cli backup::the_restore_drill_brings_back_everything_acknowledged_before_the_backup",
            "ward-cli::cli backup::a_backup_taken_before_a_shred_cannot_bring_the_messages_back",
            "ward-crypto archive::tests::round_trips_and_refuses_damage",
        ],
    },
    Control {
        citation: "164.528",
        title: "Accounting of disclosures",
        obligation: Required,
        features: &[
            "disclosures (exports, break-glass reads) recorded per patient; `ward report disclosures --patient ID`",
        ],
        tests: &[
            "ward-server::api reports::reports_and_exports_cover_the_period_and_are_audited",
            "ward-server::api break_glass::break_glass_is_audited_alerted_disclosed_and_ends_by_itself",
        ],
    },
];
