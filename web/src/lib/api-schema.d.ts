// Generated from web/openapi.json (the server's /api/v1/openapi.json) by openapi-typescript:
// run `npm run gen:api` after the API changes. Do not edit by hand; `npm run check:api` fails
// when this file no longer matches the document.

export interface paths {
    "/api/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest alerts, or only those not acknowledged (`?open=true`). Compliance officers. */
        get: operations["list_alerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledges an alert (409 if it was acknowledged already). */
        post: operations["acknowledge_alert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts/{id}/sign-off": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Signs off an alert or a break-glass use with a note (sealed at rest): the review the
         *     rules ask of a compliance officer. 409 if it was signed off already.
         */
        post: operations["sign_off_alert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Uploads a file into a conversation (201). The type is sniffed from the bytes and checked
         *     against the allow-list; images lose their metadata. Attach the returned id to a message.
         */
        post: operations["upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Downloads a file: streamed, as an attachment, with `nosniff`. Audited. */
        get: operations["download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/attachments/{id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An image's thumbnail (JPEG). Audited like a download. */
        get: operations["thumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Searches the audit log, newest first (needs `audit_read`). */
        get: operations["search_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Signs the audit chain's head if it moved and returns the latest signed checkpoint, for an
         *     outside party to keep and later hold the log against (`ward audit verify --checkpoint`).
         */
        get: operations["export_checkpoint"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Walks the hash chain and reports the first altered, removed or reordered event. */
        get: operations["verify_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Signs a device in. */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ends the session making the request. */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/web-session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The browser's current session (after a reload): who is signed in and the anti-forgery token. */
        get: operations["current_web_session"];
        put?: never;
        /** Signs a browser in: the token is set as a cookie, never put in the body. */
        post: operations["open_web_session"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/wipe-confirmation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirms that this device erased its data after a remote wipe order; ends the session. */
        post: operations["wipe_confirmation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every channel, with whether the caller is in it (staff who may join channels). */
        get: operations["list_channels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinical-roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every clinical role with who holds it now. */
        get: operations["list_clinical_roles"];
        put?: never;
        /** Creates a clinical role (admins). */
        post: operations["create_role"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinical-roles/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sends a message to whoever holds the role now (201; 200 for a retried `client_id`), in the
         *     caller's thread with the role. The holder sees it in a `role` conversation titled with the
         *     role's name; at hand-over the thread passes to the next holder. 409 if no one holds the role.
         */
        post: operations["message_role"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/clinical-roles/{id}/shifts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Schedules a shift of a clinical role (admins). */
        post: operations["add_shift"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/compliance/access-review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every account with its role, second factor, last sign-in, conversations about patients
         *     and latest access-review decision. Compliance officers; audited.
         */
        get: operations["access_review"];
        put?: never;
        /**
         * Records whether an account keeps its access (`compliance_manage`); audited. A `remove`
         *     decision does not disable the account: the report names it until an administrator does.
         */
        post: operations["decide_access"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/compliance/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Evidence per HIPAA Security Rule safeguard, read from the running system now: each control
         *     of 45 CFR 164.312, the 164.308 specifications software can evidence, 164.310(d)(2)(iv) and
         *     164.528, met, attention or not met with the reason, and the review queues. Compliance
         *     officers; audited with the audit head it was made at. `format=html` answers one
         *     self-contained printable page.
         */
        get: operations["compliance_report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's conversations, with unread counts. */
        get: operations["list_conversations"];
        put?: never;
        /**
         * Starts a conversation; the creator is always a member. An existing direct conversation of
         *     the pair comes back with 200.
         */
        post: operations["create_conversation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["get_conversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/escalation-role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Sets the on-call role this conversation's unacknowledged urgent messages escalate to. */
        put: operations["set_escalation_role"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Exports a conversation for e-discovery: every message with its earlier versions and files
         *     (compliance officers; audited).
         */
        get: operations["export_conversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/join": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Joins a channel. */
        post: operations["join"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/lifespan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sets how long the conversation's new messages live on devices (60 s to 366 days), or
         *     clears it with `null`. Members get `conversation.updated`.
         */
        put: operations["set_lifespan"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Adds a member (group, channel and patient conversations). */
        post: operations["add_member"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Removes a member, or leaves. From this answer on, the removed member gets nothing more of it. */
        delete: operations["remove_member"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages after `after`, in seq order. */
        get: operations["list_messages"];
        put?: never;
        /**
         * Sends a message. Answered after it is durably stored; the same `client_id` again returns
         *     the same message with 200 and stores nothing. A body with clinical safety findings is
         *     answered 422 `safety-review` (send again with `confirm_findings`) or, where policy blocks
         *     the finding, `safety-blocked`; either way with the findings, and nothing is stored.
         *     With `send_at`, the message is scheduled instead: 202 with the scheduled message (200 with
         *     it for a retried `client_id`), sent at that time unless cancelled.
         */
        post: operations["send_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Runs the clinical safety checks on a draft without sending it (for a composer that shows
         *     findings while the clinician types). Sending runs the same checks again.
         */
        post: operations["check_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Marks messages up to `up_to_seq` as read; the other members see the receipt. */
        post: operations["mark_read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/retention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sets how long this conversation keeps its messages (60 s to 100 years), overriding its
         *     kind's retention, or returns it to the kind's with `null`.
         */
        put: operations["set_retention"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/escalations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The messages escalations brought the caller to (as on-call holder or supervisor), newest
         *     first, each with the messages just before it. Not a membership: only these messages, until
         *     each is acknowledged or its grant's time (policy `escalation.grant_secs`) runs out. Each
         *     read is audited.
         */
        get: operations["escalation_grants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/legal-holds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Legal holds, newest first. */
        get: operations["list_holds"];
        put?: never;
        /**
         * Places a legal hold on a conversation, a patient's conversations or a user's messages:
         *     nothing it covers is disposed of while it lasts, whatever the retention.
         */
        post: operations["place_hold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/legal-holds/{id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Releases a legal hold; what it covered is disposed of when its retention has passed. */
        post: operations["release_hold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller, their permissions and their session. */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/notification-preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What this user is notified of: normal and urgent messages (STAT always; urgent too while
         *     the policy insists), and quiet hours in which normal messages wait.
         */
        get: operations["preferences"];
        /** Sets what this user is notified of; audited. */
        put: operations["set_preferences"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/push-subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Keeps this device's push subscription (replacing its earlier one); it ends with the
         *     session (sign-out, revocation, wipe, idle or lifetime expiry). Notifications carry no PHI:
         *     only how many messages of which priority wait. Audited.
         */
        post: operations["subscribe"];
        /** Removes this device's push subscription (404 if it has none). Audited. */
        delete: operations["unsubscribe"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Starts setting up a TOTP second factor. */
        post: operations["begin_totp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirms the second factor with a first code; the session becomes a full one. */
        post: operations["confirm_totp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * The sender edits a message. Members get `message.edited`; the earlier body is kept for
         *     compliance. The new body passes the safety checks as a send does (422 with findings).
         */
        patch: operations["edit_message"];
        trace?: never;
    };
    "/api/v1/messages/{id}/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Acknowledges an urgent or stat message (201; 200 if already acknowledged). Escalation of
         *     the message stops once every recipient has acknowledged.
         */
        post: operations["acknowledge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/{id}/recall": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The sender recalls a message: members get `message.recalled` and no longer see its body
         *     or attachments. Anyone else: 403.
         */
        post: operations["recall_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/{id}/receipts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who has received, read and (for urgent and stat messages) acknowledged a message. */
        get: operations["message_receipts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every body a message has had, recalled or expired ones included (compliance officers). */
        get: operations["message_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The patients on whose care team the caller is. */
        get: operations["list_patients"];
        put?: never;
        /** Registers a patient with a care team and its care-team conversation. */
        post: operations["create_patient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finds any patient by MRN, for compliance officers (audit or compliance permission);
         *     audited. The MRN travels in the body, so it stays out of URLs and access logs.
         */
        post: operations["lookup_patient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A patient, for their care team and themselves; not found for anyone else. */
        get: operations["get_patient"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/break-glass": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Opens a patient's care-team thread to a clinician who is not on the care team
         *     (`break_glass` permission), for a stated reason, for `minutes` (default 60, at most 480).
         *     Audited, alerts compliance officers, listed in the patient's accounting of disclosures,
         *     and ends by itself.
         */
        post: operations["break_glass"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/care-team": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Adds a member to the care team (and its conversation). */
        post: operations["add_care_team_member"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/care-team/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Removes a member from the care team (and its conversation). */
        delete: operations["remove_care_team_member"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/disclosures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The patient's accounting of disclosures: every audited access to the patient's record,
         *     messages and files, newest first, with the purpose where known. Compliance officers.
         *     Over `from`..`to` (default: the last 30 days); `format=csv` answers `text/csv`.
         */
        get: operations["disclosures"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/patients/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Exports every conversation about a patient (compliance officers; audited). */
        get: operations["export_patient"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The organisation policy (needs `policy_manage`). */
        get: operations["get_policy"];
        /** Replaces the organisation policy (needs `policy_manage`). */
        put: operations["put_policy"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/privileged-changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Privileged-change requests, newest first: every request for those who hold
         *     `compliance_manage`, their own for admins.
         */
        get: operations["list_changes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/privileged-changes/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approves a pending request and makes its change (needs `compliance_manage`; never the
         *     requester's own, nor the reset of one's own second factor).
         */
        post: operations["approve_change"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/privileged-changes/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rejects a pending request (needs `compliance_manage`; never the requester's own). */
        post: operations["reject_change"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/push/key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server's VAPID public key, for `PushManager.subscribe({applicationServerKey})`. */
        get: operations["push_key"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A report over a period: `user-activity` (with `user`), `failed-logins` or `exports`
         *     (attachment downloads and compliance exports). `format=csv` answers `text/csv`.
         */
        get: operations["report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The roles and their permissions (needs `users_read`). */
        get: operations["list_roles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Creates or changes a custom role (needs `policy_manage`). Built-in roles are fixed (409);
         *     the audit and compliance permissions stay with the compliance officer role (422).
         */
        put: operations["put_role"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/scheduled-messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's scheduled messages still pending, soonest first. */
        get: operations["list_scheduled"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/scheduled-messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancels one of the caller's scheduled messages before its time (409 once sent). */
        delete: operations["cancel_scheduled"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live sessions, one per device: the caller's own, or another user's (needs
         *     `sessions_manage`).
         */
        get: operations["list_sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Ends a session at once; its next request is refused. */
        delete: operations["revoke_session"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/{id}/wipe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Orders the session's device to erase its Ward data at its next contact. */
        post: operations["wipe_session"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events after `since`, in order, each with its cursor; call again while `more` is true. */
        get: operations["sync"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Lists every user (needs `users_read`). */
        get: operations["list_users"];
        put?: never;
        /**
         * Creates a user (needs `users_manage`). An account whose role holds the audit or compliance
         *     permissions is not created: 202 with the request that waits for a compliance officer's
         *     approval, or 409 when no one else could approve it (then `ward admin create-user`).
         */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user (needs `users_read`). */
        get: operations["get_user"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Enables or disables a user; disabling ends all their sessions (needs `users_manage`). */
        patch: operations["update_user"];
        trace?: never;
    };
    "/api/v1/users/{id}/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Removes a user's second factor so they enrol again (needs `users_manage`). For someone
         *     whose role holds the audit or compliance permissions: 202 with the request that waits for
         *     another compliance officer's approval, or 409 when no one else could approve it (then
         *     `ward admin reset-totp`).
         */
        delete: operations["reset_totp"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ws": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Opens the real-time connection (WebSocket upgrade). The token comes in the `Authorization`
         *     header, the web client's session cookie (from this server's own pages only), or else in a
         *     first `auth` frame; a token in a header or cookie is checked before the upgrade (401, 403).
         *     A request that is not a WebSocket upgrade is 400.
         */
        get: operations["connect"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up. */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: the database answers, and takes writes (after a write failed because storage is
         *     full, each check tries a write that changes nothing, so the node is ready again as soon as
         *     space is freed, without a restart). A node of a cluster that cannot reach the cluster bus
         *     still serves (it delivers from the log) and answers `degraded`.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @enum {string} */
        AccessDecisionKind: "keep" | "remove";
        /** @description `POST /compliance/access-review`: whether an account keeps its access. */
        AccessDecisionRequest: {
            decision: components["schemas"]["AccessDecisionKind"];
            /** Format: uuid */
            user_id: string;
        };
        AccessDecisionView: {
            decision: components["schemas"]["AccessDecisionKind"];
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            reviewed_at: string;
            /** Format: uuid */
            reviewed_by: string;
            role: string;
            /** Format: uuid */
            user_id: string;
        };
        AccessReviewList: {
            accounts: components["schemas"]["AccessReviewRow"][];
        };
        /** @description One account in the access review. */
        AccessReviewRow: {
            active: boolean;
            decision?: components["schemas"]["AccessDecisionKind"] | null;
            /** Format: date-time */
            last_sign_in?: string | null;
            /**
             * Format: int64
             * @description Care-team and patient conversations it belongs to.
             */
            patient_conversations: number;
            /** Format: date-time */
            reviewed_at?: string | null;
            reviewed_by?: string | null;
            role: string;
            second_factor: boolean;
            /** Format: uuid */
            user_id: string;
            username: string;
        };
        /** @description The answer to an acknowledgement. */
        AckView: {
            /** Format: date-time */
            acknowledged_at: string;
            /** Format: uuid */
            message_id: string;
            /** Format: uuid */
            user_id: string;
        };
        /** @enum {string} */
        AlertKind: "break_glass" | "many_patients" | "bulk_download" | "failed_logins" | "new_address" | "unusual_hours" | "privileged_change";
        AlertList: {
            alerts: components["schemas"]["AlertView"][];
        };
        /**
         * @description Something compliance officers must look at; `audit_seq` is the audit event that raised
         *     it and `evidence` every audit event behind it.
         */
        AlertView: {
            /** Format: date-time */
            acknowledged_at?: string | null;
            /** Format: uuid */
            acknowledged_by?: string | null;
            /** Format: int64 */
            audit_seq: number;
            /** @description The seqs of the audit events behind it, oldest first. */
            evidence: number[];
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["AlertKind"];
            /** Format: uuid */
            patient_id?: string | null;
            /** Format: date-time */
            raised_at: string;
            /**
             * Format: uuid
             * @description Whose activity raised it.
             */
            subject_id?: string | null;
        };
        /** @description What was done about the file's embedded metadata. */
        AttachmentMetadata: {
            /** @description Why it was not stripped, when it was not. */
            note?: string | null;
            /** @description The kinds removed (`exif`, `gps`, `xmp`, `iptc`, `comment`, `text`, ...). */
            removed?: string[];
            /** @description True if embedded metadata was removed before storing. */
            stripped: boolean;
        };
        /**
         * @description An uploaded file. Download it from `GET /attachments/{id}`, its thumbnail (images) from
         *     `GET /attachments/{id}/thumbnail`.
         */
        AttachmentView: {
            /** Format: uuid */
            id: string;
            /** @description The type sniffed from the bytes (never the one the client claimed). */
            media_type: string;
            metadata: components["schemas"]["AttachmentMetadata"];
            /** @description The name the uploader gave, if any. */
            name?: string | null;
            /**
             * Format: int64
             * @description Size in bytes, as stored (after metadata stripping).
             */
            size: number;
            thumbnail: boolean;
        };
        /**
         * @description A signed audit checkpoint, as exported for an outside party. The signature is Ed25519 over
         *     `"ward-audit-checkpoint-v1" || seq (8 bytes, big-endian) || head hash (32 bytes) ||
         *     signed_at in microseconds since the Unix epoch (8 bytes, big-endian)`.
         */
        AuditCheckpointView: {
            /** @description Hex chain hash of event `seq`. */
            head_hash: string;
            /** @description Hex Ed25519 public key. */
            public_key: string;
            /** Format: int64 */
            seq: number;
            /** @description Hex Ed25519 signature. */
            signature: string;
            /** Format: date-time */
            signed_at: string;
        };
        AuditEventView: {
            action: string;
            /** Format: uuid */
            actor_id?: string | null;
            address?: string | null;
            /** Format: date-time */
            at: string;
            detail?: unknown;
            /** @description Hex SHA-256 chain hash of this event. */
            hash: string;
            /** Format: uuid */
            id: string;
            outcome: string;
            /** Format: uuid */
            patient_id?: string | null;
            /** Format: int64 */
            seq: number;
            /** Format: uuid */
            session_id?: string | null;
            /** Format: uuid */
            target_id?: string | null;
            target_kind?: string | null;
        };
        /** @description The audit log's head when the report was made. */
        AuditHeadView: {
            /** @description The chain hash of event `seq` (hex). */
            hash: string;
            /** Format: int64 */
            seq: number;
        };
        AuditPage: {
            /** @description Newest first. */
            events: components["schemas"]["AuditEventView"][];
            /**
             * Format: int64
             * @description Pass as `before` to get the next (older) page; absent on the last page.
             */
            next_before?: number | null;
        };
        AuditVerifyReport: {
            first_break?: components["schemas"]["ChainBreakView"] | null;
            /** @description Hex hash of the last verified event. */
            head_hash: string;
            /** @description True if every event links to the one before and matches its hash. */
            ok: boolean;
            /** Format: int64 */
            verified_events: number;
        };
        /** @description `POST /patients/{id}/break-glass`: open the patient's care-team thread in an emergency. */
        BreakGlassRequest: {
            /**
             * Format: int64
             * @description How long access lasts, 1 to 480 minutes (default 60).
             */
            minutes?: number | null;
            /** @description Why access is needed (10 to 500 characters); compliance officers see it. */
            reason: string;
        };
        /** @description A break-glass access. */
        BreakGlassView: {
            /**
             * Format: uuid
             * @description The care-team conversation it opens.
             */
            conversation_id: string;
            /** Format: date-time */
            ended_at?: string | null;
            /**
             * Format: date-time
             * @description When it ends by itself.
             */
            ends_at: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            opened_at: string;
            /** Format: uuid */
            patient_id: string;
            reason: string;
            /** Format: uuid */
            user_id: string;
        };
        ChainBreakView: {
            reason: string;
            /** Format: int64 */
            seq: number;
        };
        ChannelList: {
            channels: components["schemas"]["ChannelView"][];
        };
        /** @description A channel in the directory staff join from. */
        ChannelView: {
            /** Format: uuid */
            id: string;
            /** @description Whether the caller is a member. */
            joined: boolean;
            member_count: number;
            /** @description `None` once the month its title was sealed in has been disposed of. */
            title?: string | null;
        };
        /** @enum {string} */
        CheckOutcome: "passed" | "failed" | "skipped";
        ClinicalRoleList: {
            roles: components["schemas"]["ClinicalRoleView"][];
        };
        ClinicalRoleView: {
            /**
             * Format: uuid
             * @description Who holds the role now (absent: nobody is scheduled).
             */
            holder_id?: string | null;
            /** Format: uuid */
            id: string;
            name: string;
            /** Format: uuid */
            supervisor_id?: string | null;
        };
        /** @description The compliance report: each control with its live evidence, and the reviews. */
        ComplianceReportView: {
            access_review: components["schemas"]["AccessReviewRow"][];
            alerts: components["schemas"]["ReviewItemView"][];
            audit_head?: components["schemas"]["AuditHeadView"] | null;
            break_glass: components["schemas"]["ReviewItemView"][];
            controls: components["schemas"]["ControlView"][];
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            generated_at: string;
            organisation: string;
            selftest: components["schemas"]["SelftestView"][];
            /** Format: date-time */
            to: string;
            /** @description The version of Ward that made it. */
            version: string;
        };
        /** @enum {string} */
        ControlStatus: "met" | "attention" | "not_met";
        /** @description One safeguard of 45 CFR 164 and how it stands now. */
        ControlView: {
            /** @description `164.312(a)(2)(iii)`. */
            citation: string;
            /** @description What was read from the running system. */
            evidence: string[];
            /** @description What in Ward implements it. */
            features: string[];
            obligation: components["schemas"]["Obligation"];
            /** @description Why, in one line. */
            reason: string;
            status: components["schemas"]["ControlStatus"];
            /** @description The automated tests that prove it. */
            tests: string[];
            title: string;
        };
        /** @description A conversation as exported. */
        ConversationExport: {
            conversation: components["schemas"]["ConversationView"];
            messages: components["schemas"]["ExportedMessage"][];
        };
        /** @enum {string} */
        ConversationKind: "direct" | "group" | "channel" | "care_team" | "patient" | "role";
        ConversationList: {
            conversations: components["schemas"]["ConversationView"][];
        };
        ConversationView: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["ConversationKind"];
            /**
             * Format: int64
             * @description The seq of the latest message (in lists).
             */
            last_seq?: number | null;
            /**
             * Format: int64
             * @description How long its new messages live on devices, in seconds (absent: no lifespan).
             */
            lifespan_secs?: number | null;
            members: string[];
            /** Format: uuid */
            patient_id?: string | null;
            title?: string | null;
            /**
             * Format: int64
             * @description Messages after the caller's read position (in lists).
             */
            unread?: number | null;
        };
        CreateClinicalRoleRequest: {
            /** @description "Cardiology on-call", "Charge nurse 4 West": 2 to 80 characters. */
            name: string;
            /**
             * Format: uuid
             * @description Whom an escalation through this role reaches last.
             */
            supervisor_id?: string | null;
        };
        CreateConversationRequest: {
            kind: components["schemas"]["ConversationKind"];
            /** @description Members besides the creator, who is always one. */
            member_ids: string[];
            /**
             * Format: uuid
             * @description For `patient` conversations: the patient (whose account joins).
             */
            patient_id?: string | null;
            title?: string | null;
        };
        CreatePatientRequest: {
            /**
             * Format: date
             * @description `YYYY-MM-DD`.
             */
            birth_date: string;
            /** @description Staff on the care team; they become the members of the care-team conversation. */
            care_team: string[];
            family_name: string;
            given_name: string;
            /** @description 1 to 32 letters, digits or `-`. */
            mrn: string;
            /**
             * Format: uuid
             * @description The patient's own account, if they have one (role `patient`).
             */
            user_id?: string | null;
        };
        CreateUserRequest: {
            display_name: string;
            /** @description 12 to 256 characters. */
            password: string;
            role: string;
            /** @description 3 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
            username: string;
        };
        DisclosureList: {
            disclosures: components["schemas"]["DisclosureView"][];
            /** Format: uuid */
            patient_id: string;
        };
        /** @description One access to or disclosure of a patient's messages and files (45 CFR 164.528). */
        DisclosureView: {
            /** @description What: the audit action (`message.read`, `attachment.download`, `break_glass.open`...). */
            action: string;
            /**
             * Format: uuid
             * @description Who.
             */
            actor_id?: string | null;
            /** Format: date-time */
            at: string;
            /**
             * Format: int64
             * @description The audit event it comes from.
             */
            audit_seq: number;
            outcome: string;
            /** @description Why, where known (the reason stated for break-glass). */
            purpose?: string | null;
        };
        /** @description `PATCH /messages/{id}`: the sender's new body. The earlier one is kept for compliance. */
        EditMessageRequest: {
            body: string;
            /** @description The sender has seen the safety findings for the new body and saves it anyway. */
            confirm_findings?: boolean;
        };
        EscalationGrantList: {
            grants: components["schemas"]["EscalationGrantView"][];
        };
        /**
         * @description A message an escalation brought the caller to: they may read it and the messages just
         *     before it, acknowledge it (`POST /messages/{id}/ack`) and answer in its conversation
         *     (`POST /conversations/{id}/messages`) until the message is settled or `ends_at`. They are
         *     not a member of the conversation.
         */
        EscalationGrantView: {
            /** @description The messages just before it (a policy number), oldest first. */
            context: components["schemas"]["MessageView"][];
            /** Format: uuid */
            conversation_id: string;
            /** @description The conversation's title, if it has one. */
            conversation_title?: string | null;
            /** Format: date-time */
            ends_at: string;
            /** Format: date-time */
            granted_at: string;
            /** Format: uuid */
            id: string;
            message: components["schemas"]["MessageView"];
            /** @description The step that brought them in. */
            step: components["schemas"]["EscalationStep"];
        };
        EscalationPolicy: {
            /**
             * Format: int64
             * @description How many messages before the escalated one they may read (0 to 50; 5 by default).
             */
            context_messages?: number;
            /**
             * Format: int64
             * @description How long (seconds, 60 to 86400; 14400 by default) a person an escalation brings in may
             *     reach the message, unless it is acknowledged first. They never become a member.
             */
            grant_secs?: number;
            /**
             * Format: int64
             * @description Seconds (1 to 86400); 120 by default.
             */
            stat_after_secs: number;
            /**
             * Format: int64
             * @description Seconds (1 to 86400); 300 by default.
             */
            urgent_after_secs: number;
        };
        /**
         * @description The on-call role a conversation's unacknowledged urgent messages escalate to (`null` to
         *     clear it).
         */
        EscalationRoleRequest: {
            /** Format: uuid */
            role_id?: string | null;
        };
        /**
         * @description An escalation step of an unacknowledged urgent or stat message.
         * @enum {string}
         */
        EscalationStep: "repeat" | "on_call" | "supervisor";
        /** @description A file a message carried, with its contents. */
        ExportedAttachment: {
            /** @description The file, base64. */
            content_base64: string;
            /** Format: uuid */
            id: string;
            media_type: string;
            name?: string | null;
            /** Format: int64 */
            size: number;
        };
        /** @description A message as exported for e-discovery: every version, its files, its state. */
        ExportedMessage: {
            attachments: components["schemas"]["ExportedAttachment"][];
            /** @description The current body; absent once retention disposed of it. */
            body?: string | null;
            /** Format: date-time */
            created_at: string;
            disposed: boolean;
            expired: boolean;
            /** Format: uuid */
            id: string;
            priority: string;
            recalled: boolean;
            /** Format: uuid */
            sender_id: string;
            /** Format: int64 */
            seq: number;
            /** @description Earlier bodies of an edited message, oldest first. */
            versions: string[];
        };
        /** @enum {string} */
        HoldScope: "conversation" | "patient" | "user";
        LegalHoldList: {
            holds: components["schemas"]["LegalHoldView"][];
        };
        LegalHoldView: {
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            placed_at: string;
            /** Format: uuid */
            placed_by: string;
            reason: string;
            /** Format: date-time */
            released_at?: string | null;
            /** Format: uuid */
            released_by?: string | null;
            scope: components["schemas"]["HoldScope"];
            /** Format: uuid */
            subject_id: string;
        };
        /** @description `PUT /conversations/{id}/lifespan`: how long new messages live on devices; `null` clears. */
        LifespanRequest: {
            /**
             * Format: int64
             * @description 60 seconds to 366 days.
             */
            lifespan_secs?: number | null;
        };
        LoginPolicy: {
            /** Format: int32 */
            max_failures_per_account: number;
            /** Format: int32 */
            max_failures_per_address: number;
            /** Format: int64 */
            window_secs: number;
        };
        LoginRequest: {
            /** @description How this device names itself ("Ward on iPhone", "4 West station"). */
            device_name: string;
            password: string;
            /** @description The current code from the authenticator app, when the account has a second factor. */
            totp_code?: string | null;
            username: string;
        };
        LoginResponse: {
            /** Format: date-time */
            expires_at: string;
            /**
             * Format: int64
             * @description Seconds of inactivity after which the session ends.
             */
            idle_timeout_secs: number;
            scope: components["schemas"]["SessionScope"];
            /** Format: uuid */
            session_id: string;
            /** @description The bearer token. Shown once; the server keeps only its hash. */
            token: string;
            user: components["schemas"]["UserSummary"];
        };
        /** @description The caller: who they are, what they may do, and the session they use. */
        Me: {
            mfa_enrolled: boolean;
            permissions: string[];
            session: components["schemas"]["SessionView"];
            user: components["schemas"]["UserView"];
        };
        MemberRequest: {
            /** Format: uuid */
            user_id: string;
        };
        MessageList: {
            /** @description Who acknowledged the urgent and stat messages of this page, and when. */
            acknowledgements?: components["schemas"]["AckView"][];
            messages: components["schemas"]["MessageView"][];
        };
        MessageReceipts: {
            /** Format: uuid */
            message_id: string;
            recipients: components["schemas"]["RecipientState"][];
        };
        MessageVersionView: {
            body: string;
            /** Format: date-time */
            replaced_at: string;
            /**
             * Format: int64
             * @description 1 is the body as first sent.
             */
            version: number;
        };
        /** @description A message's earlier bodies, for compliance (`GET /messages/{id}/versions`). */
        MessageVersions: {
            /** @description The body now (kept even when recalled or expired). */
            body: string;
            /** Format: uuid */
            conversation_id: string;
            /** Format: date-time */
            expired_at?: string | null;
            /** Format: uuid */
            message_id: string;
            /** Format: date-time */
            recalled_at?: string | null;
            /** Format: uuid */
            sender_id: string;
            /** @description Earlier bodies, oldest first. */
            versions: components["schemas"]["MessageVersionView"][];
        };
        MessageView: {
            attachments?: components["schemas"]["AttachmentView"][];
            body: string;
            /** Format: uuid */
            client_id: string;
            /** Format: uuid */
            conversation_id: string;
            /** Format: date-time */
            created_at: string;
            /**
             * @description Retention disposed of it (its key was destroyed): the body and attachments are gone
             *     for everyone, compliance included.
             */
            disposed?: boolean;
            /**
             * Format: date-time
             * @description When the sender last edited it.
             */
            edited_at?: string | null;
            /** @description Its lifespan ended: the body and attachments are gone. */
            expired?: boolean;
            /**
             * Format: date-time
             * @description When devices delete it.
             */
            expires_at?: string | null;
            /** Format: uuid */
            id: string;
            priority: components["schemas"]["Priority"];
            /** @description Recalled by the sender: the body and attachments are gone. */
            recalled?: boolean;
            /** Format: uuid */
            sender_id: string;
            /** Format: int64 */
            seq: number;
        };
        /** @description Thresholds of the monitoring rules; each counts within one sliding window. */
        MonitoringPolicy: {
            /**
             * Format: int32
             * @description Distinct patients whose records one user opens within the window; 30 by default.
             */
            distinct_patients: number;
            /**
             * Format: int32
             * @description Attachments one user downloads, or conversations they export, within the window; 20
             *     by default.
             */
            downloads: number;
            /**
             * Format: int32
             * @description Failed sign-ins for one account or from one address within the window; 10 by default.
             */
            failed_logins: number;
            /** @description Alert on a sign-in from an address the user never used before; on by default. */
            new_address: boolean;
            /**
             * @description Alert on a sign-in at an hour (UTC) none of the user's last 200 sign-ins came within an
             *     hour of, once they have 20; on by default.
             */
            unusual_hours?: boolean;
            /**
             * Format: int64
             * @description The window, in seconds (10 to 86400); 60 by default.
             */
            window_secs: number;
        };
        /**
         * @description `GET`/`PUT /me/notification-preferences`: what this user is notified of. STAT messages
         *     always notify; urgent ones do too while the policy's `notify.force_urgent` is on.
         */
        NotificationPreferences: {
            normal: boolean;
            quiet_hours?: components["schemas"]["QuietHours"] | null;
            urgent: boolean;
        };
        /** @description When push notifications go out. */
        NotifyPolicy: {
            /**
             * @description Urgent messages notify whatever a user's preferences say (true by default). STAT
             *     messages always do.
             */
            force_urgent: boolean;
            /**
             * Format: int64
             * @description How long a normal message waits, unread, before it notifies (0 to 86400 seconds; 120 by
             *     default). Urgent and STAT messages notify at once.
             */
            normal_delay_secs: number;
        };
        /** @enum {string} */
        Obligation: "required" | "addressable";
        /** @description Every conversation about a patient, as exported. */
        PatientExport: {
            conversations: components["schemas"]["ConversationExport"][];
            /** Format: uuid */
            patient_id: string;
        };
        PatientList: {
            patients: components["schemas"]["PatientView"][];
        };
        /** @description Finds a patient by medical record number (in the body, never in a URL). */
        PatientLookupRequest: {
            mrn: string;
        };
        PatientView: {
            /** Format: date */
            birth_date: string;
            care_team: string[];
            /** Format: uuid */
            care_team_conversation_id?: string | null;
            family_name: string;
            given_name: string;
            /** Format: uuid */
            id: string;
            mrn: string;
            /** Format: uuid */
            user_id?: string | null;
        };
        /** @description `POST /legal-holds`. */
        PlaceHoldRequest: {
            /** @description Why (10 to 500 characters), e.g. the matter it is for. */
            reason: string;
            scope: components["schemas"]["HoldScope"];
            /**
             * Format: uuid
             * @description The conversation, patient or user to hold.
             */
            subject_id: string;
        };
        PolicyDocument: {
            /** @description How long urgent and stat messages wait for acknowledgement before each escalation step. */
            escalation?: components["schemas"]["EscalationPolicy"];
            login: components["schemas"]["LoginPolicy"];
            /** @description Roles whose members must sign in with a second factor. */
            mfa_required_roles: string[];
            /** @description Thresholds of the monitoring rules that raise alerts to compliance officers. */
            monitoring?: components["schemas"]["MonitoringPolicy"];
            /** @description When notifications go out. */
            notify?: components["schemas"]["NotifyPolicy"];
            /** @description How long each kind of conversation keeps its messages; absent keeps them. */
            retention?: components["schemas"]["RetentionPolicy"];
            /** @description How soon the reviews a person must do are due; the compliance report judges them. */
            review?: components["schemas"]["ReviewPolicy"];
            /** @description Which clinical safety findings block a message; absent means none do. */
            safety?: components["schemas"]["SafetyPolicy"];
            session: components["schemas"]["SessionPolicy"];
        };
        /** @enum {string} */
        Priority: "normal" | "urgent" | "stat";
        /**
         * @description What a request asks for.
         * @enum {string}
         */
        PrivilegedChangeKind: "create_user" | "reset_totp";
        PrivilegedChangeList: {
            changes: components["schemas"]["PrivilegedChangeView"][];
        };
        /**
         * @description Where a request is. A pending request lapses after 24 hours (`expired`).
         * @enum {string}
         */
        PrivilegedChangeState: "pending" | "approved" | "rejected" | "expired";
        /**
         * @description A privileged change: answered with 202 to the admin who asks for it, and listed at
         *     `GET /privileged-changes` for those who may decide it.
         */
        PrivilegedChangeView: {
            account?: components["schemas"]["ProposedAccountView"] | null;
            /** Format: date-time */
            decided_at?: string | null;
            /** Format: uuid */
            decided_by?: string | null;
            /** Format: date-time */
            expires_at: string;
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["PrivilegedChangeKind"];
            /** Format: date-time */
            requested_at: string;
            /** Format: uuid */
            requested_by: string;
            state: components["schemas"]["PrivilegedChangeState"];
            /**
             * Format: uuid
             * @description The user the change is about: the id the new account will have, or the user whose
             *     second factor is to be removed.
             */
            subject: string;
        };
        /** @description An RFC 9457 problem details body (`application/problem+json`). */
        Problem: {
            /**
             * @description What went wrong with this request, fit to show a user. Never holds PHI or secrets, and
             *     never repeats the caller's input: it names the field or parameter and what it must be.
             */
            detail?: string | null;
            /** @description The request field (`priority`, `attachments[0]`) or query parameter at fault, by name. */
            field?: string | null;
            /** @description The clinical safety findings that stopped a message (`safety-review`, `safety-blocked`). */
            findings?: components["schemas"]["SafetyFinding"][] | null;
            /**
             * Format: int64
             * @description Seconds to wait before trying again, for throttling.
             */
            retry_after?: number | null;
            /** Format: int32 */
            status: number;
            title: string;
            /** @description `urn:ward:problem:<code>`. */
            type: string;
        };
        /** @description The account a `create_user` request would make (never its password). */
        ProposedAccountView: {
            display_name: string;
            role: string;
            username: string;
        };
        /** @description The key browsers subscribe with (`applicationServerKey`). */
        PushKey: {
            /** @description The server's VAPID public key (uncompressed P-256 point), base64url. */
            public_key: string;
        };
        /** @description The keys of a browser's `PushSubscription`. */
        PushKeys: {
            /** @description The device's 16-byte authentication secret, base64url. */
            auth: string;
            /** @description The device's P-256 public key, an uncompressed point, base64url. */
            p256dh: string;
        };
        /**
         * @description `POST /me/push-subscriptions`: the browser's `PushSubscription.toJSON()`. The endpoint must
         *     be https (http only on a loopback address). One per device session; a new one replaces it.
         */
        PushSubscriptionRequest: {
            endpoint: string;
            /**
             * Format: double
             * @description Ignored (browsers send it; Ward keeps a subscription as long as its session).
             */
            expirationTime?: number | null;
            keys: components["schemas"]["PushKeys"];
        };
        PushSubscriptionView: {
            /** Format: date-time */
            created_at: string;
            /** Format: uuid */
            id: string;
        };
        /** @description A custom role's permissions (codes as in [`RoleView`]). */
        PutRoleRequest: {
            permissions: string[];
        };
        /**
         * @description Hours in which normal messages do not notify (urgent and STAT still do), in the user's local
         *     time: minutes after midnight (0 to 1439) and the offset from UTC in minutes (-720 to 840).
         */
        QuietHours: {
            /** Format: int64 */
            end_minute: number;
            /** Format: int64 */
            start_minute: number;
            /** Format: int64 */
            utc_offset_minutes: number;
        };
        ReadRequest: {
            /** Format: int64 */
            up_to_seq: number;
        };
        ReceiptView: {
            /** Format: uuid */
            conversation_id: string;
            /** Format: int64 */
            delivered_up_to: number;
            /** Format: int64 */
            read_up_to: number;
            /** Format: date-time */
            updated_at: string;
            /** Format: uuid */
            user_id: string;
        };
        /** @description Per recipient of one message. */
        RecipientState: {
            /**
             * Format: date-time
             * @description When they acknowledged an urgent or stat message (absent: not yet, or not urgent).
             */
            acknowledged_at?: string | null;
            delivered: boolean;
            read: boolean;
            /** Format: uuid */
            user_id: string;
        };
        /** @description A report as JSON: the audit events it covers, newest first. */
        Report: {
            /** Format: date-time */
            from: string;
            /** @description `user-activity`, `failed-logins` or `exports`. */
            kind: string;
            rows: components["schemas"]["AuditEventView"][];
            /** Format: date-time */
            to: string;
        };
        /**
         * @description Retention per conversation kind, in seconds (60 seconds to 100 years); `null` keeps
         *     messages until a policy says otherwise. Disposal destroys each closed key epoch (a month)
         *     whose messages are all past retention, unless a legal hold covers it.
         */
        RetentionPolicy: {
            /** Format: int64 */
            care_team?: number | null;
            /** Format: int64 */
            channel?: number | null;
            /** Format: int64 */
            direct?: number | null;
            /** Format: int64 */
            group?: number | null;
            /** Format: int64 */
            patient?: number | null;
            /** Format: int64 */
            role?: number | null;
        };
        /**
         * @description `PUT /conversations/{id}/retention`: how long this conversation keeps its messages,
         *     overriding its kind's retention (60 seconds to 100 years); `null` returns to the kind's.
         */
        RetentionRequest: {
            /** Format: int64 */
            retention_secs?: number | null;
        };
        /**
         * @description The answer to a send retried with a `client_id` used before (200): what the first request
         *     made, and nothing new. A plain send gets its message back; a send with `send_at` gets its
         *     scheduled message (whatever its state now). The request says which, so a client knows which
         *     it reads.
         */
        RetriedSend: components["schemas"]["MessageView"] | components["schemas"]["ScheduledMessageView"];
        /** @description A break-glass use or an alert, and its sign-off. */
        ReviewItemView: {
            /** Format: uuid */
            alert_id: string;
            kind: components["schemas"]["AlertKind"];
            note?: string | null;
            /** Format: uuid */
            patient_id?: string | null;
            /** Format: date-time */
            raised_at: string;
            /** Format: date-time */
            signed_off_at?: string | null;
            signed_off_by?: string | null;
            /** @description The username whose activity raised it. */
            subject?: string | null;
        };
        /** @description Days (1 to 366) within which the reviews HIPAA asks of a person are due. */
        ReviewPolicy: {
            /**
             * Format: int64
             * @description Each active account's access is reviewed at least this often; 90 days by default.
             */
            access_review_days: number;
            /**
             * Format: int64
             * @description An active account unused this long needs attention; 90 days by default.
             */
            inactive_days: number;
            /**
             * Format: int64
             * @description A compliance officer signs off each break-glass use and alert within this many days; 7
             *     by default.
             */
            sign_off_days: number;
        };
        RoleList: {
            roles: components["schemas"]["RoleView"][];
        };
        RoleView: {
            builtin: boolean;
            name: string;
            permissions: string[];
        };
        /**
         * @description Which check a finding comes from.
         * @enum {string}
         */
        SafetyCheckKind: "identifier" | "abbreviation" | "order_text";
        /** @description A body to run the clinical safety checks on, without sending it. */
        SafetyCheckRequest: {
            body: string;
        };
        /** @description The findings for a body, as sending it would see them. */
        SafetyCheckResult: {
            /** @description Some finding blocks the message: it cannot be sent as written. */
            blocked: boolean;
            findings: components["schemas"]["SafetyFinding"][];
        };
        /**
         * @description One thing the sender should look at. Offsets are in bytes of the UTF-8 body; the finding
         *     never repeats the text.
         */
        SafetyFinding: {
            /** @description What to write or do instead. */
            advice: string;
            /** @description Policy stops a message with this finding; confirming does not help. */
            blocking: boolean;
            check: components["schemas"]["SafetyCheckKind"];
            /** @description A stable code, such as `ssn`, `patient_name`, `qd`, `trailing_zero` or `order`. */
            code: string;
            end: number;
            start: number;
        };
        /** @description Which clinical safety findings block a message rather than ask the sender to confirm. */
        SafetyPolicy: {
            /** @description Patient identifiers in a conversation that is not about a patient. */
            block_identifiers: boolean;
            /**
             * @description Text that reads like an order (medication, lab, imaging, diet, nursing, device, blood
             *     product, consult, code status or disposition); orders go through order entry (CPOE).
             */
            block_order_text: boolean;
        };
        ScheduledList: {
            scheduled: components["schemas"]["ScheduledMessageView"][];
        };
        /** @description A message scheduled for later. */
        ScheduledMessageView: {
            body: string;
            /** Format: uuid */
            client_id: string;
            /** Format: uuid */
            conversation_id: string;
            failure?: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            message_id?: string | null;
            priority: components["schemas"]["Priority"];
            /** Format: date-time */
            send_at: string;
            state: components["schemas"]["ScheduledState"];
        };
        /** @enum {string} */
        ScheduledState: "pending" | "sending" | "sent" | "cancelled" | "failed";
        /** @description One live check of `ward compliance selftest`. */
        SelftestView: {
            detail: string;
            name: string;
            outcome: components["schemas"]["CheckOutcome"];
        };
        SendMessageRequest: {
            /**
             * @description Uploads (from `POST /attachments`) this message carries; each is the sender's, to this
             *     conversation, and not carried by another message. With attachments the body may be
             *     empty.
             */
            attachments?: string[];
            body: string;
            /**
             * Format: uuid
             * @description A UUID the client picks; a retry with the same one never makes a second message.
             */
            client_id: string;
            /**
             * @description The sender has seen the clinical safety findings for this body and sends it anyway.
             *     Without it, a body with findings is answered `safety-review` and not sent.
             */
            confirm_findings?: boolean;
            /**
             * Format: int64
             * @description Devices delete the message after this many seconds (60 to 366 days); without it, the
             *     conversation's lifespan applies, if it has one.
             */
            lifespan_secs?: number | null;
            priority?: components["schemas"]["Priority"] | null;
            /**
             * Format: date-time
             * @description Send later, at this time (in the future): the answer is `202` with the scheduled
             *     message, which is sent then (safety checks run again) unless cancelled before.
             */
            send_at?: string | null;
        };
        /** @description What the server sends over the WebSocket (and, for events, in sync pages). */
        ServerFrame: {
            cursor: string;
            /** Format: uuid */
            session_id: string;
            /** @enum {string} */
            type: "hello";
        } | {
            cursor: string;
            message: components["schemas"]["MessageView"];
            /** @enum {string} */
            type: "message.created";
        } | {
            cursor: string;
            receipt: components["schemas"]["ReceiptView"];
            /** @enum {string} */
            type: "receipt.updated";
        } | {
            conversation: components["schemas"]["ConversationView"];
            cursor: string;
            /** @enum {string} */
            type: "conversation.updated";
        } | {
            /** Format: uuid */
            conversation_id: string;
            cursor: string;
            /** @enum {string} */
            type: "member.removed";
            /** Format: uuid */
            user_id: string;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversation_id: string;
            cursor: string;
            /** Format: uuid */
            message_id: string;
            /** @enum {string} */
            type: "message.acknowledged";
            /** Format: uuid */
            user_id: string;
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversation_id: string;
            cursor: string;
            /** Format: uuid */
            message_id: string;
            step: components["schemas"]["EscalationStep"];
            /** Format: uuid */
            target_user_id?: string | null;
            /** @enum {string} */
            type: "message.escalated";
        } | {
            cursor: string;
            message: components["schemas"]["MessageView"];
            /** @enum {string} */
            type: "message.edited";
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversation_id: string;
            cursor: string;
            /** Format: uuid */
            message_id: string;
            /** @enum {string} */
            type: "message.recalled";
        } | {
            /** Format: date-time */
            at: string;
            /** Format: uuid */
            conversation_id: string;
            cursor: string;
            /** Format: uuid */
            message_id: string;
            /** @enum {string} */
            type: "message.expired";
        } | {
            alert: components["schemas"]["AlertView"];
            /** @enum {string} */
            type: "alert.raised";
        } | {
            cursor: string;
            /** @enum {string} */
            type: "resync";
        } | {
            reason: string;
            /** @enum {string} */
            type: "session.revoked";
        } | {
            /** @enum {string} */
            type: "device.wipe";
        } | {
            /** @enum {string} */
            type: "pong";
        } | {
            /** Format: uuid */
            client_id: string;
            created: boolean;
            message: components["schemas"]["MessageView"];
            /** @enum {string} */
            type: "send.ok";
        } | {
            /** Format: uuid */
            client_id: string;
            problem: components["schemas"]["Problem"];
            /** @enum {string} */
            type: "send.failed";
        } | {
            problem: components["schemas"]["Problem"];
            /** @enum {string} */
            type: "error";
        };
        SessionList: {
            sessions: components["schemas"]["SessionView"][];
        };
        SessionPolicy: {
            /**
             * Format: int64
             * @description A session ends this many seconds after sign-in.
             */
            absolute_lifetime_secs: number;
            /**
             * Format: int64
             * @description Automatic logoff after this many seconds without activity (1 to 86400).
             */
            idle_timeout_secs: number;
        };
        /**
         * @description What a session may do.
         * @enum {string}
         */
        SessionScope: "full" | "mfa_enrollment";
        SessionView: {
            address?: string | null;
            /** Format: date-time */
            created_at: string;
            /** @description True for the session making this request. */
            current: boolean;
            device_name: string;
            /** Format: date-time */
            expires_at: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            last_seen_at: string;
            scope: components["schemas"]["SessionScope"];
            /** Format: date-time */
            wipe_requested_at?: string | null;
        };
        /**
         * @description A shift: `user_id` holds the role from `starts_at` until `ends_at` (at most 7 days). Where
         *     shifts overlap, the one that started last holds the role (the hand-over).
         */
        ShiftRequest: {
            /** Format: date-time */
            ends_at: string;
            /** Format: date-time */
            starts_at: string;
            /** Format: uuid */
            user_id: string;
        };
        ShiftView: {
            /** Format: date-time */
            ends_at: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            role_id: string;
            /** Format: date-time */
            starts_at: string;
            /** Format: uuid */
            user_id: string;
        };
        /** @description `POST /alerts/{id}/sign-off`: a compliance officer's review of an alert or break-glass use. */
        SignOffRequest: {
            /** @description What was reviewed and concluded (1 to 2000 characters); sealed at rest. */
            note: string;
        };
        SyncPage: {
            /** @description Pass as `since` next time. */
            cursor: string;
            /** @description Events in order; each carries its cursor. */
            events: components["schemas"]["ServerFrame"][];
            /** @description More events are waiting: call again at once. */
            more: boolean;
        };
        TotpConfirmRequest: {
            code: string;
        };
        /** @description A new TOTP secret, to be entered in an authenticator app and confirmed with one code. */
        TotpEnrollment: {
            /** @description `otpauth://` URI, for a QR code. */
            otpauth_uri: string;
            /** @description Base32 secret, for typing in. */
            secret: string;
        };
        UpdateUserRequest: {
            status: components["schemas"]["UserStatus"];
        };
        UserList: {
            users: components["schemas"]["UserView"][];
        };
        /** @enum {string} */
        UserStatus: "active" | "disabled";
        UserSummary: {
            /** Format: uuid */
            id: string;
            role: string;
            username: string;
        };
        UserView: {
            /** Format: date-time */
            created_at: string;
            display_name: string;
            /** Format: uuid */
            id: string;
            role: string;
            status: components["schemas"]["UserStatus"];
            username: string;
        };
        /** @description A browser's session: the token itself travels only in an HttpOnly cookie. */
        WebSession: {
            /** @description Sent back in the `x-csrf-token` header of every request that may change something. */
            csrf_token: string;
            /** Format: date-time */
            expires_at: string;
            /**
             * Format: int64
             * @description Seconds of inactivity after which the session ends.
             */
            idle_timeout_secs: number;
            scope: components["schemas"]["SessionScope"];
            /** Format: uuid */
            session_id: string;
            user: components["schemas"]["UserSummary"];
        };
    };
    responses: {
        /** @description `bad-request`: a path or query parameter is malformed or out of range (`field` names it), or the body is not JSON or was cut off. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `conflict`: the request does not fit the current state. */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `forbidden` (the caller's role does not allow this, or a browser's request lacks its x-csrf-token header) or `mfa-enrollment-required`. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `disposed`: disposed of under the retention policy; its key was destroyed. */
        Gone: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `not-found`: it does not exist or the caller may not see it (the same answer for both). */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `payload-too-large`: the body, file or export is over its limit. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `login-throttled` or `rate-limited`: wait `Retry-After` seconds. */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait before trying again */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unauthenticated` (no valid session token), `session-ended`, `wipe-required` or `invalid-credentials`. */
        Unauthenticated: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unavailable`, or `storage-full` (nothing was stored; retry after `Retry-After` seconds). */
        Unavailable: {
            headers: {
                /** @description Seconds to wait before trying again */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unsupported-media-type`: a JSON body without `Content-Type: application/json`, or a file type that is not allowed. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `validation` (`field` names the field at fault), `safety-review` or `safety-blocked` (with `findings`), or `invalid-file`. */
        Validation: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list_alerts: {
        parameters: {
            query?: {
                open?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    acknowledge_alert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    sign_off_alert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignOffRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AlertView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    upload: {
        parameters: {
            query: {
                /** @description The conversation the file is for; its key seals the file. */
                conversation_id: string;
            };
            header?: {
                /** @description The file name, percent-encoded UTF-8 */
                "ward-file-name"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": number[];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttachmentView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": number[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            503: components["responses"]["Unavailable"];
        };
    };
    thumbnail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": number[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            503: components["responses"]["Unavailable"];
        };
    };
    search_audit: {
        parameters: {
            query?: {
                /** @description Events by this user. */
                actor?: string;
                /** @description Events about this record. */
                target?: string;
                /** @description Events about this patient. */
                patient?: string;
                /** @description Events with this action code, e.g. `auth.login_failed`. */
                action?: string;
                /** @description From this time (RFC 3339), inclusive. */
                from?: string;
                /** @description Up to this time (RFC 3339), inclusive. */
                to?: string;
                /** @description Only events older than this sequence number (paging). */
                before?: number;
                /** @description At most this many events (1 to 1000, default 100). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    export_checkpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditCheckpointView"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    verify_audit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditVerifyReport"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description A new session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    current_web_session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebSession"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    open_web_session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description A new session; the token is in the ward_session cookie */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebSession"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
        };
    };
    wipe_confirmation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Wipe recorded */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_channels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_clinical_roles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicalRoleList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    create_role: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateClinicalRoleRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClinicalRoleView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    message_role: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageRequest"];
            };
        };
        responses: {
            /** @description A retried `client_id` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    add_shift: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ShiftRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShiftView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    access_review: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessReviewList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    decide_access: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccessDecisionRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessDecisionView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    compliance_report: {
        parameters: {
            query?: {
                /** @description From this time (RFC 3339); 30 days before `to` if absent. */
                from?: string;
                /** @description Up to this time (RFC 3339); now if absent. */
                to?: string;
                /** @description `json` (the default) or `html` (one self-contained printable page). */
                format?: "json" | "html";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report, as JSON or (`format=html`) HTML */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ComplianceReportView"];
                    "text/html": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_conversations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    create_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateConversationRequest"];
            };
        };
        responses: {
            /** @description The pair's existing direct conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    get_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    set_escalation_role: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EscalationRoleRequest"];
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    export_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationExport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            503: components["responses"]["Unavailable"];
        };
    };
    join: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    set_lifespan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LifespanRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    add_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemberRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    remove_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_messages: {
        parameters: {
            query?: {
                /** @description Messages with a higher seq (default 0: from the start). */
                after?: number;
                /** @description At most this many (1 to 1000, default 100). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    send_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageRequest"];
            };
        };
        responses: {
            /** @description A retried `client_id`: the message it sent, or with `send_at` the message it scheduled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetriedSend"];
                };
            };
            /** @description Sent */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                };
            };
            /** @description Scheduled (`send_at`) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduledMessageView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    check_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SafetyCheckRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SafetyCheckResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    mark_read: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReadRequest"];
            };
        };
        responses: {
            /** @description Recorded */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    set_retention: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RetentionRequest"];
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    escalation_grants: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EscalationGrantList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_holds: {
        parameters: {
            query?: {
                /** @description Only holds not released. */
                active?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegalHoldList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    place_hold: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlaceHoldRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegalHoldView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    release_hold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LegalHoldView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    preferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationPreferences"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    set_preferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NotificationPreferences"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationPreferences"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    subscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PushSubscriptionRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PushSubscriptionView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    unsubscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    begin_totp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TotpEnrollment"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    confirm_totp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TotpConfirmRequest"];
            };
        };
        responses: {
            /** @description Enrolled */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    edit_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EditMessageRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    acknowledge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Acknowledged before */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AckView"];
                };
            };
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AckView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    recall_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    message_receipts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageReceipts"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    message_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageVersions"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_patients: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    create_patient: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePatientRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
        };
    };
    lookup_patient: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PatientLookupRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    get_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    break_glass: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BreakGlassRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BreakGlassView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    add_care_team_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemberRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    remove_care_team_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    disclosures: {
        parameters: {
            query?: {
                /** @description The user (required for `user-activity`). */
                user?: string;
                /** @description From this time (RFC 3339); 30 days before `to` if absent. */
                from?: string;
                /** @description Up to this time (RFC 3339); now if absent. */
                to?: string;
                /** @description `json` (the default) or `csv`. */
                format?: "json" | "csv";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The disclosures, as JSON or (`format=csv`) CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DisclosureList"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    export_patient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PatientExport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            503: components["responses"]["Unavailable"];
        };
    };
    get_policy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyDocument"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    put_policy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PolicyDocument"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyDocument"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_changes: {
        parameters: {
            query?: {
                /** @description Only requests in this state (`pending` leaves out those that expired). */
                state?: "pending" | "approved" | "rejected" | "expired";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivilegedChangeList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    approve_change: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivilegedChangeView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    reject_change: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivilegedChangeView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    push_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PushKey"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    report: {
        parameters: {
            query?: {
                /** @description The user (required for `user-activity`). */
                user?: string;
                /** @description From this time (RFC 3339); 30 days before `to` if absent. */
                from?: string;
                /** @description Up to this time (RFC 3339); now if absent. */
                to?: string;
                /** @description `json` (the default) or `csv`. */
                format?: "json" | "csv";
            };
            header?: never;
            path: {
                /** @description `user-activity`, `failed-logins` or `exports` */
                kind: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report, as JSON or (`format=csv`) CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Report"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_roles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    put_role: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutRoleRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_scheduled: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduledList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    cancel_scheduled: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduledMessageView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_sessions: {
        parameters: {
            query?: {
                user?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    revoke_session: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    wipe_session: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Wipe ordered */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    sync: {
        parameters: {
            query?: {
                /** @description The cursor of the last event this device has (absent: from the beginning). */
                since?: string;
                /** @description At most this many events (1 to 5000, default 1000). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SyncPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    list_users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description Waits for approval */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivilegedChangeView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    get_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            503: components["responses"]["Unavailable"];
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["Validation"];
            503: components["responses"]["Unavailable"];
        };
    };
    reset_totp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Waits for approval */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrivilegedChangeView"];
                };
            };
            /** @description Reset */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            503: components["responses"]["Unavailable"];
        };
    };
    connect: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching to the WebSocket protocol */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `ready`, or `degraded` (the cluster bus is unreachable; live delivery reads the log) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            503: components["responses"]["Unavailable"];
        };
    };
}
