//! The clinical safety checks a body meets before it goes out.

use std::sync::Arc;

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::Conversation;
use ward_core::id::ConversationId;
use ward_core::policy::SafetyPolicy;
use ward_core::safety::{SafetyContext, check_message};

use super::Messaging;
use crate::opened::SafetyReport;
use crate::services::{Caller, ServiceError};

impl Messaging {
    /// The findings sending `body` to conversation `id` would meet, without sending it.
    pub async fn review_message(
        &self,
        caller: &Caller,
        id: ConversationId,
        body: &str,
    ) -> Result<SafetyReport, ServiceError> {
        ward_core::conversation::check_body(body)?;
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MessageSent)
            .await?;
        let policy = self.policy.get().await?.safety;
        self.safety_report(&conversation, body, &policy).await
    }

    /// Runs the checks for a body about to go to `conversation`.
    pub(crate) async fn safety_report(
        &self,
        conversation: &Conversation,
        body: &str,
        policy: &SafetyPolicy,
    ) -> Result<SafetyReport, ServiceError> {
        let about_patient = conversation.patient_id.is_some();
        let patients = if about_patient {
            Arc::default()
        } else {
            self.patients.registered_patients().await?
        };
        let context = SafetyContext {
            about_patient,
            patients: &patients,
            current_year: self.now().to_datetime().year(),
        };
        Ok(SafetyReport::new(check_message(body, &context), policy))
    }

    /// Runs the clinical safety checks on a body about to go out (sent or edited): a finding
    /// that policy blocks is refused (and the refusal audited), other findings go out only
    /// once the sender has confirmed them (`draft` is the body and whether its findings are
    /// confirmed).
    pub(crate) async fn safety_gate(
        &self,
        caller: &Caller,
        conversation: &Conversation,
        (body, confirmed): (&str, bool),
        action: AuditAction,
        policy: &SafetyPolicy,
    ) -> Result<SafetyReport, ServiceError> {
        let safety = self.safety_report(conversation, body, policy).await?;
        if safety.blocked() {
            let event = caller
                .event(action, Outcome::Denied)
                .target(TargetKind::Conversation, Some(*conversation.id.as_uuid()))
                .patient(conversation.patient_id)
                .detail(format!(r#"{{"safety_blocked":{}}}"#, safety.codes_json()));
            self.store.append_audit(event).await?;
            return Err(ServiceError::Safety(safety));
        }
        if !safety.is_empty() && !confirmed {
            return Err(ServiceError::Safety(safety));
        }
        Ok(safety)
    }
}
