//! Patients and their care teams, and conversations: the registry, the care-team and patient
//! threads, channels, direct conversations, and the conversations a user is a member of.

use uuid::Uuid;
use ward_core::conversation::{Conversation, ConversationKind};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::patient::PatientRecord;

use crate::exec::{Exec, Row};
use crate::{ConversationSummary, StoreError, StoreResult};

// ---- patients -----------------------------------------------------------------------------

const INSERT_PATIENT: &str = "INSERT INTO patients (id, mrn_index, \
     sealed_demographics, user_id, created_at) VALUES ($1, $2, $3, $4, $5)";
const ADD_CARE_TEAM_MEMBER: &str = "INSERT INTO care_team (patient_id, user_id) \
     VALUES ($1, $2) ON CONFLICT (patient_id, user_id) DO NOTHING";
const REMOVE_CARE_TEAM_MEMBER: &str =
    "DELETE FROM care_team WHERE patient_id = $1 AND user_id = $2";
const PATIENT: &str =
    "SELECT id, mrn_index, sealed_demographics, user_id, created_at FROM patients WHERE id = $1";
const PATIENT_BY_INDEX: &str = "SELECT id, mrn_index, sealed_demographics, user_id, \
     created_at FROM patients WHERE mrn_index = $1";
const PATIENTS_OF: &str = "SELECT id, mrn_index, sealed_demographics, user_id, created_at \
     FROM patients WHERE id IN \
     (SELECT patient_id FROM care_team WHERE user_id = $1) ORDER BY id";
const PATIENTS_PAGE: &str = "SELECT id, mrn_index, sealed_demographics, user_id, created_at \
     FROM patients WHERE id > $1 ORDER BY id LIMIT $2";
const CARE_TEAM: &str = "SELECT user_id FROM care_team WHERE patient_id = $1 ORDER BY user_id";

fn patient_row(r: &dyn Row) -> StoreResult<PatientRecord> {
    Ok(PatientRecord {
        id: r.get(0)?,
        mrn_index: r
            .get::<Vec<u8>>(1)?
            .try_into()
            .map_err(|_| StoreError::Corrupt("patient"))?,
        sealed_demographics: r.get(2)?,
        user_id: r.opt(3)?,
        created_at: r.get(4)?,
    })
}

pub(crate) async fn insert_patient<E: Exec>(c: &mut E, p: &PatientRecord) -> StoreResult<()> {
    let args = [
        p.id.into(),
        (&p.mrn_index).into(),
        (&p.sealed_demographics).into(),
        p.user_id.into(),
        p.created_at.into(),
    ];
    c.execute(INSERT_PATIENT, &args)
        .await
        .map_err(|e| e.unique_as("a patient with this MRN or account exists"))?;
    Ok(())
}

/// Puts `user` on or off the patient's care team; false if that changed nothing.
pub(crate) async fn set_care_team_member<E: Exec>(
    c: &mut E,
    patient: PatientId,
    user: UserId,
    on_team: bool,
) -> StoreResult<bool> {
    let statement = if on_team {
        ADD_CARE_TEAM_MEMBER
    } else {
        REMOVE_CARE_TEAM_MEMBER
    };
    Ok(c.execute(statement, &[patient.into(), user.into()]).await? == 1)
}

pub(crate) async fn patient<E: Exec>(
    c: &mut E,
    id: PatientId,
) -> StoreResult<Option<PatientRecord>> {
    c.fetch_optional(PATIENT, &[id.into()], patient_row).await
}

pub(crate) async fn patient_by_index<E: Exec>(
    c: &mut E,
    index: &[u8; 32],
) -> StoreResult<Option<PatientRecord>> {
    c.fetch_optional(PATIENT_BY_INDEX, &[index.into()], patient_row)
        .await
}

/// Patients on whose care team `user` is.
pub(crate) async fn patients_of<E: Exec>(
    c: &mut E,
    user: UserId,
) -> StoreResult<Vec<PatientRecord>> {
    c.fetch(PATIENTS_OF, &[user.into()], patient_row).await
}

/// Every patient in id order: those after `after`, at most `limit`.
pub(crate) async fn patients_page<E: Exec>(
    c: &mut E,
    after: Option<PatientId>,
    limit: u32,
) -> StoreResult<Vec<PatientRecord>> {
    let after = after.map_or(Uuid::nil(), |id| *id.as_uuid());
    let args = [after.into(), i64::from(limit).into()];
    c.fetch(PATIENTS_PAGE, &args, patient_row).await
}

pub(crate) async fn care_team<E: Exec>(c: &mut E, patient: PatientId) -> StoreResult<Vec<UserId>> {
    c.fetch(CARE_TEAM, &[patient.into()], |r| r.get::<UserId>(0))
        .await
}

// ---- conversations ------------------------------------------------------------------------

const INSERT_CONVERSATION: &str = "INSERT INTO conversations (id, kind, sealed_title, \
     patient_id, direct_key, created_by, created_at, last_seq, lifespan_secs) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)";
const CONVERSATION: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, c.direct_key, \
     c.created_by, c.created_at, c.lifespan_secs FROM conversations c WHERE c.id = $1";
const CHANNELS: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, c.direct_key, \
     c.created_by, c.created_at, c.lifespan_secs \
     FROM conversations c WHERE c.kind = 'channel' ORDER BY c.created_at";
const PATIENT_CONVERSATIONS: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, \
     c.direct_key, c.created_by, c.created_at, c.lifespan_secs \
     FROM conversations c WHERE c.patient_id = $1 ORDER BY c.created_at";
const CONVERSATION_BY_DIRECT_KEY: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, \
     c.direct_key, c.created_by, c.created_at, c.lifespan_secs \
     FROM conversations c WHERE c.direct_key = $1";
const CARE_TEAM_CONVERSATION: &str = "SELECT c.id, c.kind, c.sealed_title, \
     c.patient_id, c.direct_key, c.created_by, c.created_at, c.lifespan_secs \
     FROM conversations c \
     WHERE c.patient_id = $1 AND c.kind = 'care_team'";
const CONVERSATIONS_OF: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, \
     c.direct_key, c.created_by, c.created_at, c.lifespan_secs, \
     c.last_seq, COALESCE(r.read_seq, 0) AS read_seq \
     FROM conversations c \
     JOIN memberships m ON m.conversation_id = c.id AND m.user_id = $1 \
     AND m.left_event IS NULL \
     LEFT JOIN receipts r ON r.conversation_id = c.id AND r.user_id = $1 \
     ORDER BY c.id";
const CONVERSATION_FOR_MEMBER: &str = "SELECT c.id, c.kind, c.sealed_title, c.patient_id, \
     c.direct_key, c.created_by, c.created_at, c.lifespan_secs FROM conversations c \
     JOIN memberships m ON m.conversation_id = c.id AND m.user_id = $2 \
     AND m.left_event IS NULL WHERE c.id = $1";

fn conversation_row(r: &dyn Row) -> StoreResult<Conversation> {
    Ok(Conversation {
        id: r.get(0)?,
        kind: ConversationKind::parse(&r.get::<String>(1)?)
            .map_err(|_| StoreError::Corrupt("conversation"))?,
        sealed_title: r.opt(2)?,
        patient_id: r.opt(3)?,
        direct_key: r.opt(4)?,
        created_by: r.get(5)?,
        created_at: r.get(6)?,
        lifespan_secs: r.opt(7)?,
    })
}

/// A conversation (columns 0 to 7) with the caller's position in it (8 and 9).
fn summary_row(r: &dyn Row) -> StoreResult<ConversationSummary> {
    Ok(ConversationSummary {
        conversation: conversation_row(r)?,
        last_seq: r.get(8)?,
        read_seq: r.get(9)?,
    })
}

pub(crate) async fn insert_conversation<E: Exec>(c: &mut E, v: &Conversation) -> StoreResult<()> {
    let args = [
        v.id.into(),
        v.kind.as_str().into(),
        v.sealed_title.as_deref().into(),
        v.patient_id.into(),
        v.direct_key.as_deref().into(),
        v.created_by.into(),
        v.created_at.into(),
        v.lifespan_secs.into(),
    ];
    c.execute(INSERT_CONVERSATION, &args)
        .await
        .map_err(|e| e.unique_as("that conversation exists already"))?;
    Ok(())
}

pub(crate) async fn conversation<E: Exec>(
    c: &mut E,
    id: ConversationId,
) -> StoreResult<Option<Conversation>> {
    c.fetch_optional(CONVERSATION, &[id.into()], conversation_row)
        .await
}

/// Every channel, oldest first.
pub(crate) async fn channels<E: Exec>(c: &mut E) -> StoreResult<Vec<Conversation>> {
    c.fetch(CHANNELS, &[], conversation_row).await
}

/// Every conversation about a patient (its care-team and patient threads).
pub(crate) async fn patient_conversations<E: Exec>(
    c: &mut E,
    patient: PatientId,
) -> StoreResult<Vec<Conversation>> {
    c.fetch(PATIENT_CONVERSATIONS, &[patient.into()], conversation_row)
        .await
}

pub(crate) async fn conversation_by_direct_key<E: Exec>(
    c: &mut E,
    key: &str,
) -> StoreResult<Option<Conversation>> {
    c.fetch_optional(CONVERSATION_BY_DIRECT_KEY, &[key.into()], conversation_row)
        .await
}

pub(crate) async fn care_team_conversation<E: Exec>(
    c: &mut E,
    patient: PatientId,
) -> StoreResult<Option<Conversation>> {
    c.fetch_optional(CARE_TEAM_CONVERSATION, &[patient.into()], conversation_row)
        .await
}

/// The conversations `user` is a member of now, with their position in each.
pub(crate) async fn conversations_of<E: Exec>(
    c: &mut E,
    user: UserId,
) -> StoreResult<Vec<ConversationSummary>> {
    c.fetch(CONVERSATIONS_OF, &[user.into()], summary_row).await
}

/// The conversation, if `user` is a member now.
pub(crate) async fn conversation_for_member<E: Exec>(
    c: &mut E,
    id: ConversationId,
    user: UserId,
) -> StoreResult<Option<Conversation>> {
    let args = [id.into(), user.into()];
    c.fetch_optional(CONVERSATION_FOR_MEMBER, &args, conversation_row)
        .await
}
