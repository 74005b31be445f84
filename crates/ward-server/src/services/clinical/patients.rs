//! The patient registry and care teams. Demographics are sealed; the MRN is looked up through
//! a blind index. A patient's record exists only for their care team and themselves: to anyone
//! else it is not found, and the attempt is audited.

use time::Date;
use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, AuditFilter, NewAuditEvent, Outcome, TargetKind};
use ward_core::conversation::{Conversation, ConversationKind};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::patient::{Demographics, Mrn, PatientRecord};
use ward_core::role::{Permission, RoleName};
use ward_core::user::UserStatus;
use ward_crypto::seal::Binding;

use std::sync::Arc;

use super::Patients;
use crate::services::Shared;
use crate::services::sealing::Sealing;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

const RECORDS_EPOCH: Epoch = Epoch::from_index(0);
/// How many registrations of an MRN that is taken a staff member gets answered per window.
const MAX_MRN_PROBES: u32 = 10;
const MRN_PROBE_WINDOW_SECS: i64 = 15 * 60;

/// A patient to register.
#[derive(Debug, Clone)]
pub struct NewPatient {
    pub mrn: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_date: Date,
    pub user_id: Option<UserId>,
    pub care_team: Vec<UserId>,
}

/// A patient with demographics opened.
#[derive(Debug, Clone)]
pub struct PlainPatient {
    pub record: PatientRecord,
    pub demographics: Demographics,
    pub care_team: Vec<UserId>,
    pub care_team_conversation: Option<ConversationId>,
}

impl Patients {
    pub(in crate::services) fn new(shared: &Shared, sealing: Sealing) -> Self {
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            access: shared.access.clone(),
            sealing,
            publisher: shared.publisher.clone(),
            index: Arc::default(),
            clock: Arc::clone(&shared.clock),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

impl Patients {
    async fn mrn_index(&self, mrn: &str) -> Result<[u8; 32], ServiceError> {
        self.keys
            .blind_index(KeyScope::PatientIndex, RECORDS_EPOCH, mrn.as_bytes())
            .await
    }

    pub(super) async fn open_demographics(
        &self,
        record: &PatientRecord,
    ) -> Result<Demographics, ServiceError> {
        let binding = Binding::PatientDemographics { patient: record.id };
        let plain = self
            .keys
            .open(
                KeyScope::PatientRecords,
                RECORDS_EPOCH,
                binding,
                &record.sealed_demographics,
            )
            .await?;
        serde_json::from_slice(&plain)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))
    }

    /// One patient's MRN, opened through its key (for the self-test that looks for it in clear
    /// in the database files; unlike a name, it appears nowhere else); `None` with no patient.
    pub(crate) async fn sample_sealed_value(&self) -> Result<Option<String>, ServiceError> {
        let Some(record) = self.store.patients_page(None, 1).await?.into_iter().next() else {
            return Ok(None);
        };
        let d = self.open_demographics(&record).await?;
        Ok(Some(d.mrn.as_str().to_owned()))
    }

    async fn open_patient(&self, record: PatientRecord) -> Result<PlainPatient, ServiceError> {
        let demographics = self.open_demographics(&record).await?;
        let care_team = self.store.care_team(record.id).await?;
        let conversation = self
            .store
            .care_team_conversation(record.id)
            .await?
            .map(|c| c.id);
        Ok(PlainPatient {
            record,
            demographics,
            care_team,
            care_team_conversation: conversation,
        })
    }

    /// Registers a patient with their care team and care-team conversation.
    pub async fn create_patient(
        &self,
        caller: &Caller,
        new: NewPatient,
    ) -> Result<PlainPatient, ServiceError> {
        self.access
            .require(
                caller,
                Permission::PatientsManage,
                AuditAction::PatientCreated,
            )
            .await?;
        let today = self.now().to_datetime().date();
        let demographics = Demographics::parse(
            &new.mrn,
            &new.family_name,
            &new.given_name,
            new.birth_date,
            today,
        )?;
        let mut team = new.care_team.clone();
        team.sort();
        team.dedup();
        if team.is_empty() {
            return Err(ValidationError::new("care_team", "must name at least one member").into());
        }
        for member in &team {
            let user = self
                .store
                .user(*member)
                .await?
                .ok_or(ServiceError::NotFound("user"))?;
            if user.role.as_str() == RoleName::PATIENT || user.status != UserStatus::Active {
                return Err(
                    ValidationError::new("care_team", "must be active staff accounts").into(),
                );
            }
        }
        if let Some(account) = new.user_id {
            let user = self
                .store
                .user(account)
                .await?
                .ok_or(ServiceError::NotFound("user"))?;
            if user.role.as_str() != RoleName::PATIENT {
                return Err(ValidationError::new(
                    "user_id",
                    "must be an account with the patient role",
                )
                .into());
            }
        }
        let mrn_index = self.mrn_index(demographics.mrn.as_str()).await?;
        if let Some(registered) = self.store.patient_by_mrn_index(&mrn_index).await? {
            return self.refuse_registered_mrn(caller, registered.id).await;
        }
        let id = PatientId::new();
        let json = serde_json::to_vec(&demographics).map_err(|_| ServiceError::Unavailable)?;
        let binding = Binding::PatientDemographics { patient: id };
        let sealed = self
            .keys
            .seal(KeyScope::PatientRecords, RECORDS_EPOCH, binding, &json)
            .await?;
        let now = self.now();
        let record = PatientRecord {
            id,
            mrn_index,
            sealed_demographics: sealed,
            user_id: new.user_id,
            created_at: now,
        };
        let thread = Conversation {
            id: ConversationId::new(),
            kind: ConversationKind::CareTeam,
            sealed_title: None,
            patient_id: Some(id),
            direct_key: None,
            created_by: caller.user.id,
            created_at: now,
            lifespan_secs: None,
        };
        let event = caller
            .event(AuditAction::PatientCreated, Outcome::Success)
            .target(TargetKind::Patient, Some(*id.as_uuid()))
            .patient(Some(id));
        let committed = self
            .store
            .create_patient(&record, &team, &thread, event)
            .await?;
        let plain = crate::services::PlainConversation {
            conversation: thread.clone(),
            title: None,
            members: committed.recipients.clone(),
        };
        self.publisher
            .publish(&committed, Payload::Conversation(&plain));
        self.patient_registered(&demographics);
        Ok(PlainPatient {
            record,
            demographics,
            care_team: team,
            care_team_conversation: Some(thread.id),
        })
    }

    /// Refuses registering an MRN that is registered already. The answer tells the caller the
    /// MRN is taken, so like a lookup it is audited with the patient it names, and each staff
    /// member may get it only [`MAX_MRN_PROBES`] times per [`MRN_PROBE_WINDOW_SECS`].
    async fn refuse_registered_mrn<T>(
        &self,
        caller: &Caller,
        registered: PatientId,
    ) -> Result<T, ServiceError> {
        let limited = self.recent_mrn_probes(caller).await? >= MAX_MRN_PROBES;
        let reason = if limited {
            "rate_limited"
        } else {
            "mrn_registered"
        };
        let event = caller
            .event(AuditAction::PatientCreated, Outcome::Denied)
            .target(TargetKind::Patient, Some(*registered.as_uuid()))
            .patient(Some(registered))
            .detail(format!(r#"{{"reason":"{reason}"}}"#));
        self.store.append_audit(event).await?;
        if limited {
            return Err(ServiceError::RateLimited {
                retry_after_secs: MRN_PROBE_WINDOW_SECS.unsigned_abs(),
            });
        }
        Err(ServiceError::Conflict(
            "a patient with this MRN is registered",
        ))
    }

    /// How many registrations of a taken MRN the caller made in the window (counted up to
    /// [`MAX_MRN_PROBES`]), paging through their registrations, refused or not.
    async fn recent_mrn_probes(&self, caller: &Caller) -> Result<u32, ServiceError> {
        const PAGE: u32 = 200;
        let mut filter = AuditFilter {
            actor: Some(caller.user.id),
            action: Some(AuditAction::PatientCreated),
            // Audit events carry the system's time (`NewAuditEvent::new`), not the clock's.
            from: Some(Timestamp::now().minus_secs(MRN_PROBE_WINDOW_SECS)),
            limit: PAGE,
            ..AuditFilter::default()
        };
        let mut probes = 0;
        loop {
            let page = self.store.search_audit(&filter).await?;
            probes += page
                .iter()
                .filter(|e| e.event.outcome == Outcome::Denied)
                .count();
            match page.last() {
                Some(oldest) if page.len() == PAGE as usize && probes < MAX_MRN_PROBES as usize => {
                    filter.before_seq = Some(oldest.seq);
                }
                _ => return Ok(u32::try_from(probes).unwrap_or(u32::MAX)),
            }
        }
    }

    /// The patient, if the caller is on their care team (with permission to read patients) or
    /// is the patient.
    pub(crate) async fn patient_for_staff(
        &self,
        caller: &Caller,
        id: PatientId,
        action: AuditAction,
    ) -> Result<PatientRecord, ServiceError> {
        let record = self.store.patient(id).await?;
        if let Some(record) = record {
            let own = record.user_id == Some(caller.user.id);
            let on_team = caller.allows(Permission::PatientsRead)
                && self.store.care_team(id).await?.contains(&caller.user.id);
            if own || on_team {
                return Ok(record);
            }
        }
        let event = caller
            .event(AuditAction::AccessDenied, Outcome::Denied)
            .target(TargetKind::Patient, Some(*id.as_uuid()))
            .detail(format!(r#"{{"attempted":"{}"}}"#, action.as_str()))
            .patient(Some(id));
        self.store.append_audit(event).await?;
        Err(ServiceError::NotFound("patient"))
    }

    pub async fn get_patient(
        &self,
        caller: &Caller,
        id: PatientId,
    ) -> Result<PlainPatient, ServiceError> {
        let record = self
            .patient_for_staff(caller, id, AuditAction::PatientRead)
            .await?;
        let event = caller
            .event(AuditAction::PatientRead, Outcome::Success)
            .target(TargetKind::Patient, Some(*id.as_uuid()))
            .patient(Some(id));
        self.store.append_audit(event).await?;
        self.open_patient(record).await
    }

    /// The patient with this MRN, for compliance officers, who must reach any patient's
    /// record (disclosures, holds, exports) without being on the care team. The MRN is matched
    /// through its blind index and never stored or logged; every lookup is audited, with the
    /// patient when found.
    pub async fn lookup_patient(
        &self,
        caller: &Caller,
        mrn: &str,
    ) -> Result<PlainPatient, ServiceError> {
        const ACTION: AuditAction = AuditAction::PatientLookedUp;
        if !(caller.allows(Permission::AuditRead) || caller.allows(Permission::ComplianceManage)) {
            self.access.record_denial(caller, ACTION).await?;
            return Err(ServiceError::Forbidden);
        }
        let mrn = Mrn::parse(mrn)?;
        let index = self.mrn_index(mrn.as_str()).await?;
        let Some(record) = self.store.patient_by_mrn_index(&index).await? else {
            let event = caller.event(ACTION, Outcome::Failure);
            self.store.append_audit(event).await?;
            return Err(ServiceError::NotFound("patient"));
        };
        let event = caller
            .event(ACTION, Outcome::Success)
            .target(TargetKind::Patient, Some(*record.id.as_uuid()))
            .patient(Some(record.id));
        self.store.append_audit(event).await?;
        self.open_patient(record).await
    }

    /// The patients on whose care team the caller is.
    pub async fn list_patients(&self, caller: &Caller) -> Result<Vec<PlainPatient>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::PatientsRead,
                AuditAction::PatientsListed,
            )
            .await?;
        let records = self.store.patients_of(caller.user.id).await?;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            out.push(self.open_patient(record).await?);
        }
        let event = caller.event(AuditAction::PatientsListed, Outcome::Success);
        self.store.append_audit(event).await?;
        Ok(out)
    }

    /// Adds someone to, or removes them from, a patient's care team and care-team thread.
    pub async fn set_care_team_member(
        &self,
        caller: &Caller,
        patient: PatientId,
        user: UserId,
        on_team: bool,
    ) -> Result<PlainPatient, ServiceError> {
        self.access
            .require(
                caller,
                Permission::PatientsManage,
                AuditAction::CareTeamChanged,
            )
            .await?;
        // Only the care team changes its own membership; anyone else gets "not found", audited.
        let record = self
            .patient_for_staff(caller, patient, AuditAction::CareTeamChanged)
            .await?;
        let member = self
            .store
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        if member.role.as_str() == RoleName::PATIENT || member.status != UserStatus::Active {
            return Err(ValidationError::new("user_id", "must be an active staff account").into());
        }
        let event: NewAuditEvent = caller
            .event(AuditAction::CareTeamChanged, Outcome::Success)
            .target(TargetKind::User, Some(*user.as_uuid()))
            .detail(format!(r#"{{"on_team":{on_team}}}"#))
            .patient(Some(patient));
        let committed = self
            .store
            .set_care_team_member(patient, user, on_team, self.now(), event)
            .await?;
        if let Some(committed) = &committed {
            if on_team {
                if let Some(thread) = self.store.care_team_conversation(patient).await? {
                    let plain = self.sealing.plain_conversation(thread).await?;
                    self.publisher
                        .publish(committed, Payload::Conversation(&plain));
                }
            } else {
                self.publisher.publish(
                    committed,
                    Payload::Removed {
                        conversation: committed.event.conversation_id,
                        user,
                    },
                );
            }
        }
        if committed.is_none() {
            // Nothing changed, but the answer shows the record: that is a read.
            let event = caller
                .event(AuditAction::PatientRead, Outcome::Success)
                .target(TargetKind::Patient, Some(*patient.as_uuid()))
                .patient(Some(patient));
            self.store.append_audit(event).await?;
        }
        self.open_patient(record).await
    }
}
