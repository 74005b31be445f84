//! The HIPAA compliance report: live evidence per control of the catalogue, read-only from the
//! store, the keys and the deployment's settings, judged by `ward_core::evidence`, with the
//! review queues (break-glass uses, alerts, access review) that a person signs off.

use std::collections::HashMap;

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditFilter, NewAuditEvent, Outcome, TargetKind};
use ward_core::conversation::ConversationKind;
use ward_core::evidence::{self, Account, Backup, Chain, Check, Facts, Listener, Reviewable};
use ward_core::id::UserId;
use ward_core::oversight::{AccessDecision, AlertKind};
use ward_core::role::Permission;
use ward_core::user::UserStatus;

use super::{Compliance, Period, verify_chain};
use crate::opened::{AccessRow, ComplianceReport, ReviewItem};
use crate::services::{Caller, ServiceError};
use crate::wire::views::hex;

/// Most alerts the report lists.
const REPORT_ALERTS: u32 = 1000;
/// Most audit events of one kind the report reads (the newest).
const EVENTS_READ: u32 = 100;

/// What the report says about the deployment itself, from its settings.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The organisation the report is for.
    pub organisation: String,
    /// Each listener and outgoing link, and how it is protected.
    pub listeners: Vec<Listener>,
    /// SQLite: Ward takes the backups (`ward backup`) and records them.
    pub embedded: bool,
    /// The key vault is apart from the main database.
    pub vault_apart: bool,
    /// The SQLite database file, which the self-test searches for a sealed value in clear.
    pub database_file: Option<std::path::PathBuf>,
    /// Where Ward's own TLS listens, which the self-test offers TLS 1.1.
    pub tls_listen: Option<std::net::SocketAddr>,
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            organisation: "Ward".to_owned(),
            listeners: Vec::new(),
            embedded: true,
            vault_apart: true,
            database_file: None,
            tls_listen: None,
        }
    }
}

impl Compliance {
    /// The compliance report over `period` (compliance officers); audited with the head it was
    /// made at.
    pub async fn compliance_report(
        &self,
        caller: &Caller,
        period: Period,
    ) -> Result<ComplianceReport, ServiceError> {
        self.access
            .require(
                caller,
                Permission::AuditRead,
                AuditAction::ComplianceReportGenerated,
            )
            .await?;
        let audit = caller.event(AuditAction::ComplianceReportGenerated, Outcome::Success);
        self.audited_report(period, audit).await
    }

    /// The compliance report for the command line (which has the data directory, so no
    /// session): audited as made by the command line.
    pub async fn compliance_report_offline(
        &self,
        period: Period,
    ) -> Result<ComplianceReport, ServiceError> {
        let audit = NewAuditEvent::new(AuditAction::ComplianceReportGenerated, Outcome::Success);
        self.audited_report(period, audit).await
    }

    /// Makes the report and appends `audit` with the period, the head it was made at and how
    /// many controls stood where.
    async fn audited_report(
        &self,
        period: Period,
        audit: NewAuditEvent,
    ) -> Result<ComplianceReport, ServiceError> {
        let report = self.compliance_evidence(period).await?;
        let audit = audit
            .target(TargetKind::AuditLog, None)
            .detail(report_detail(&report));
        self.store.append_audit(audit).await?;
        Ok(report)
    }

    /// The report's content.
    async fn compliance_evidence(&self, period: Period) -> Result<ComplianceReport, ServiceError> {
        let now = self.now();
        let selftest = self.latest_selftest().await?;
        let users = self.store.list_users().await?;
        let names: HashMap<UserId, String> = users
            .iter()
            .map(|u| (u.id, u.username.as_str().to_owned()))
            .collect();
        let accounts = self.accounts(&users).await?;
        let alerts = self
            .store
            .alerts_for_review(period.from, period.to, REPORT_ALERTS)
            .await?;
        let chain = self.chain_evidence().await?;
        let facts = Facts {
            now,
            from: period.from,
            to: period.to,
            policy: self.policy.get().await?,
            listeners: self.deployment.listeners.clone(),
            chain,
            backups: if self.deployment.embedded {
                Some(self.backups().await?)
            } else {
                None
            },
            vault_apart: self.deployment.vault_apart,
            root_key_rotated_at: self.latest(AuditAction::RootKeyRotated).await?,
            first_event_at: self.first_event_at().await?,
            last_disposal: self.latest(AuditAction::EpochDisposed).await?,
            alerts: alerts
                .iter()
                .map(|a| Reviewable {
                    kind: a.kind,
                    raised_at: a.raised_at,
                    signed_off: a.acknowledged_by.zip(a.acknowledged_at),
                })
                .collect(),
            refusals: self.count(AuditAction::AccessDenied, None, period).await?,
            failed_sign_ins: self.count(AuditAction::LoginFailed, None, period).await?,
            disclosures: self.disclosure_count(period).await?,
            privileged_changes: self
                .count(AuditAction::PrivilegedChangeApproved, None, period)
                .await?,
            accounts: accounts.clone(),
            selftest: selftest.clone(),
        };
        let controls = evidence::assess(&facts);
        let mut break_glass = Vec::new();
        let mut other = Vec::new();
        for alert in alerts {
            let item = ReviewItem {
                subject: alert.subject_id.and_then(|id| names.get(&id).cloned()),
                signed_off_by: alert.acknowledged_by.and_then(|id| names.get(&id).cloned()),
                note: self.open_note(&alert).await?,
                alert,
            };
            if item.alert.kind == AlertKind::BreakGlass {
                break_glass.push(item);
            } else {
                other.push(item);
            }
        }
        Ok(ComplianceReport {
            organisation: self.deployment.organisation.clone(),
            version: env!("CARGO_PKG_VERSION"),
            generated_at: now,
            period,
            audit_head: self
                .store
                .audit_head()
                .await?
                .map(|(seq, hash)| (seq, hex(&hash))),
            controls,
            break_glass,
            alerts: other,
            access: self.access_rows(accounts, &names).await?,
            selftest,
        })
    }

    /// Every account with its factor, last sign-in, sessions and latest review.
    pub(super) async fn accounts(
        &self,
        users: &[ward_core::user::User],
    ) -> Result<Vec<Account>, ServiceError> {
        let factors: std::collections::HashSet<UserId> = self
            .store
            .second_factor_users()
            .await?
            .into_iter()
            .collect();
        let sign_ins: HashMap<UserId, Timestamp> =
            self.store.last_sign_ins().await?.into_iter().collect();
        let reviews: HashMap<UserId, (bool, Timestamp)> = self
            .store
            .latest_access_decisions()
            .await?
            .into_iter()
            .map(|d| (d.user_id, (d.keep, d.reviewed_at)))
            .collect();
        let now = self.now();
        let mut accounts = Vec::with_capacity(users.len());
        for u in users {
            let active = u.status == UserStatus::Active;
            let (mut open_sessions, mut last_session_end, mut disabled_at) = (0, None, None);
            if !active {
                for s in self.store.list_sessions(u.id).await? {
                    match s.ended {
                        None if s.expires_at > now => open_sessions += 1,
                        None => {}
                        Some((at, _)) => last_session_end = last_session_end.max(Some(at)),
                    }
                }
                disabled_at = self.status_changed_at(u.id).await?;
            }
            let second_factor = factors.contains(&u.id);
            let factor_removed = !second_factor
                && !self
                    .events(AuditAction::TotpReset, Some(*u.id.as_uuid()))
                    .await?
                    .is_empty();
            accounts.push(Account {
                id: u.id,
                username: u.username.as_str().to_owned(),
                role: u.role.clone(),
                active,
                created_at: u.created_at,
                second_factor,
                factor_removed,
                last_sign_in: sign_ins.get(&u.id).copied(),
                disabled_at,
                open_sessions,
                last_session_end,
                last_review: reviews.get(&u.id).copied(),
            });
        }
        Ok(accounts)
    }

    /// The audit chain verified now, and the newest signed checkpoint.
    async fn chain_evidence(&self) -> Result<Chain, ServiceError> {
        let outcome = verify_chain(&*self.store, &self.keys, Vec::new()).await?;
        let verified = match &outcome.first_break {
            None => Ok(u64::try_from(outcome.verified).unwrap_or(0)),
            Some(b) => Err((b.seq(), b.to_string())),
        };
        let checkpoint = self.store.checkpoints().await?.into_iter().last().map(|c| {
            let forged = matches!(
                outcome.first_break,
                Some(ward_crypto::audit_chain::ChainBreak::ForgedCheckpoint { seq }) if seq == c.seq
            );
            (c.seq, c.signed_at, hex(&c.head), !forged)
        });
        Ok(Chain {
            verified,
            checkpoint,
        })
    }

    /// Backups `ward backup` recorded, each with its verification if one was recorded after.
    async fn backups(&self) -> Result<Vec<Backup>, ServiceError> {
        let made = self.events(AuditAction::BackupCreated, None).await?;
        let verified = self.events(AuditAction::BackupVerified, None).await?;
        Ok(made
            .into_iter()
            .filter(|e| e.event.outcome == Outcome::Success)
            .map(|e| {
                let archive = archive_of(e.event.detail.as_deref());
                let verified_at = verified
                    .iter()
                    .filter(|v| v.event.outcome == Outcome::Success && v.event.at >= e.event.at)
                    .filter(|v| archive_of(v.event.detail.as_deref()) == archive)
                    .map(|v| v.event.at)
                    .min();
                Backup {
                    at: e.event.at,
                    archive,
                    verified_at,
                }
            })
            .collect())
    }

    async fn events(
        &self,
        action: AuditAction,
        target: Option<uuid::Uuid>,
    ) -> Result<Vec<ward_core::audit::AuditEvent>, ServiceError> {
        let filter = AuditFilter {
            actor: None,
            target,
            patient: None,
            action: Some(action),
            from: None,
            to: None,
            before_seq: None,
            limit: EVENTS_READ,
        };
        Ok(self.store.search_audit(&filter).await?)
    }

    /// The latest self-test's results, as its audit event recorded them, each detail saying
    /// when it ran.
    async fn latest_selftest(&self) -> Result<Vec<Check>, ServiceError> {
        let runs = self.events(AuditAction::ComplianceSelftest, None).await?;
        let Some(latest) = runs.iter().max_by_key(|e| e.seq) else {
            return Ok(Vec::new());
        };
        let mut checks =
            crate::services::selftest::recorded(latest.event.detail.as_deref().unwrap_or(""));
        for c in &mut checks {
            c.detail = format!("{} (run {})", c.detail, latest.event.at);
        }
        Ok(checks)
    }

    /// When the newest event of `action` happened.
    async fn latest(&self, action: AuditAction) -> Result<Option<Timestamp>, ServiceError> {
        Ok(self
            .events(action, None)
            .await?
            .iter()
            .map(|e| e.event.at)
            .max())
    }

    async fn status_changed_at(&self, user: UserId) -> Result<Option<Timestamp>, ServiceError> {
        Ok(self
            .events(AuditAction::UserStatusChanged, Some(*user.as_uuid()))
            .await?
            .iter()
            .map(|e| e.event.at)
            .max())
    }

    async fn first_event_at(&self) -> Result<Option<Timestamp>, ServiceError> {
        Ok(self
            .store
            .audit_chain_page(0, 1)
            .await?
            .first()
            .map(|e| e.event.at))
    }

    async fn count(
        &self,
        action: AuditAction,
        outcome: Option<Outcome>,
        period: Period,
    ) -> Result<u64, ServiceError> {
        Ok(self
            .store
            .count_audit(action, outcome, period.from, period.to)
            .await?)
    }

    /// Disclosures in the period: exports and break-glass openings.
    async fn disclosure_count(&self, period: Period) -> Result<u64, ServiceError> {
        let mut total = 0;
        for action in [
            AuditAction::ConversationExported,
            AuditAction::BreakGlassOpened,
        ] {
            total += self.count(action, Some(Outcome::Success), period).await?;
        }
        Ok(total)
    }

    /// The access review's rows: every workforce account (patients' own accounts are not
    /// workforce), its conversations about patients, its latest decision.
    pub(super) async fn access_rows(
        &self,
        accounts: Vec<Account>,
        names: &HashMap<UserId, String>,
    ) -> Result<Vec<AccessRow>, ServiceError> {
        let decisions: HashMap<UserId, AccessDecision> = self
            .store
            .latest_access_decisions()
            .await?
            .into_iter()
            .map(|d| (d.user_id, d))
            .collect();
        let mut rows = Vec::with_capacity(accounts.len());
        let workforce = accounts
            .into_iter()
            .filter(|a| a.role.as_str() != ward_core::role::RoleName::PATIENT);
        for account in workforce {
            let patient_conversations = self
                .store
                .conversations_of(account.id)
                .await?
                .iter()
                .filter(|c| {
                    matches!(
                        c.conversation.kind,
                        ConversationKind::CareTeam | ConversationKind::Patient
                    )
                })
                .count();
            let decision = decisions.get(&account.id).cloned();
            rows.push(AccessRow {
                reviewed_by: decision
                    .as_ref()
                    .and_then(|d| names.get(&d.reviewed_by).cloned()),
                decision,
                patient_conversations,
                account,
            });
        }
        Ok(rows)
    }
}

/// The audit detail of a generated report: its period, the head it was made at and how many
/// controls stood where (never names).
fn report_detail(report: &ComplianceReport) -> String {
    let count = |s: evidence::Status| report.controls.iter().filter(|c| c.status == s).count();
    format!(
        r#"{{"kind":"compliance","from":"{}","to":"{}","head_seq":{},"met":{},"attention":{},"not_met":{}}}"#,
        report.period.from,
        report.period.to,
        report.audit_head.as_ref().map_or(0, |h| h.0),
        count(evidence::Status::Met),
        count(evidence::Status::Attention),
        count(evidence::Status::NotMet),
    )
}

/// The archive id a backup event's detail records.
fn archive_of(detail: Option<&str>) -> String {
    detail
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v.get("archive").and_then(|s| s.as_str()).map(str::to_owned))
        .unwrap_or_default()
}
