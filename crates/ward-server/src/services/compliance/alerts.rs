//! Alerts to compliance officers (from break-glass and monitoring): pushed to the officers
//! connected, POSTed to the webhook if one is set, listed and acknowledged.

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::id::UserId;
use ward_core::keys::KeyScope;
use ward_core::oversight::{Alert, AlertId, check_note};
use ward_core::role::Permission;
use ward_core::user::UserStatus;
use ward_crypto::seal::Binding;
use ward_proto::realtime::ServerFrame;

use super::{Compliance, RECORDS_EPOCH};
use crate::services::{Caller, ServiceError};
use crate::wire::frames;

impl Compliance {
    /// Pushes an alert to the connected devices of everyone who may read the audit log.
    pub(super) async fn notify_compliance(&self, alert: &Alert) -> Result<(), ServiceError> {
        let officers: Vec<UserId> = {
            let roles = self.store.list_roles().await?;
            self.store
                .list_users()
                .await?
                .into_iter()
                .filter(|u| u.status == UserStatus::Active)
                .filter(|u| {
                    roles
                        .iter()
                        .any(|r| r.name == u.role && r.allows(Permission::AuditRead))
                })
                .map(|u| u.id)
                .collect()
        };
        let frame = frames::encode(&ServerFrame::AlertRaised {
            alert: frames::alert_view(alert),
        });
        if let Some(webhook) = &self.webhook {
            webhook.send(std::sync::Arc::clone(&frame));
        }
        self.publisher.notify(&officers, frame);
        Ok(())
    }

    /// The newest alerts (for compliance officers), optionally only unacknowledged ones.
    pub async fn alerts(
        &self,
        caller: &Caller,
        open_only: bool,
    ) -> Result<Vec<Alert>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::AlertsListed)
            .await?;
        let alerts = self.store.alerts(open_only, 500).await?;
        let audit = caller
            .event(AuditAction::AlertsListed, Outcome::Success)
            .detail(format!(r#"{{"count":{}}}"#, alerts.len()));
        self.store.append_audit(audit).await?;
        Ok(alerts)
    }

    /// Signs an alert off (a break-glass use or a monitoring alert), with a note if given:
    /// the review the rules ask a compliance officer to record. The note is sealed.
    pub async fn acknowledge_alert(
        &self,
        caller: &Caller,
        id: AlertId,
        note: Option<&str>,
    ) -> Result<Alert, ServiceError> {
        self.access
            .require(
                caller,
                Permission::AuditRead,
                AuditAction::AlertAcknowledged,
            )
            .await?;
        let note = note.map(check_note).transpose()?;
        let sealed_note = match note {
            Some(note) => Some(
                self.keys
                    .seal(
                        KeyScope::ComplianceRecords,
                        RECORDS_EPOCH,
                        Binding::AlertNote { alert: id },
                        note.as_bytes(),
                    )
                    .await?,
            ),
            None => None,
        };
        let now = self.now();
        let audit = caller
            .event(AuditAction::AlertAcknowledged, Outcome::Success)
            .target(TargetKind::Alert, Some(id))
            .detail(format!(r#"{{"note":{}}}"#, note.is_some()));
        if !self
            .store
            .acknowledge_alert(id, caller.user.id, now, sealed_note, audit)
            .await?
        {
            return Err(match self.store.alert(id).await? {
                Some(_) => ServiceError::Conflict("the alert was acknowledged already"),
                None => ServiceError::NotFound("alert"),
            });
        }
        self.store
            .alert(id)
            .await?
            .ok_or(ServiceError::NotFound("alert"))
    }

    /// An alert's sign-off note, opened.
    pub async fn open_note(&self, alert: &Alert) -> Result<Option<String>, ServiceError> {
        let Some(sealed) = &alert.sealed_note else {
            return Ok(None);
        };
        let binding = Binding::AlertNote { alert: alert.id };
        let note = self
            .keys
            .open_text(KeyScope::ComplianceRecords, RECORDS_EPOCH, binding, sealed)
            .await?;
        Ok(Some(note))
    }
}
