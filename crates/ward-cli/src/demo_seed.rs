//! The demo organisation's clinical content, created once through the public API like any
//! client would: two registered patients with care teams, a patient-facing thread, a nursing
//! channel, a direct conversation, and a few messages.

use std::time::Duration;

use anyhow::Context;
use uuid::Uuid;
use ward_client::Client;
use ward_proto::messaging::{
    ConversationKind, CreateConversationRequest, CreatePatientRequest, Priority, SendMessageRequest,
};

/// Creates the content unless the demo physician already has conversations (a re-run).
pub async fn seed(url: &str, password: &str) -> anyhow::Result<()> {
    let anon = Client::new(url)?;
    let sign_in = |name: &'static str| {
        let anon = anon.clone();
        async move {
            anon.sign_in(name, password, "demo seed")
                .await
                .context(name)
        }
    };
    let doctor = sign_in("dr.okafor").await?;
    if !doctor.list_conversations().await?.conversations.is_empty() {
        doctor.logout().await?;
        return Ok(());
    }
    let nurse = sign_in("nurse.reyes").await?;
    let clerk = sign_in("clerk.obi").await?;
    let id = |c: &Client| {
        let c = c.clone();
        async move { Ok::<_, anyhow::Error>(c.me().await?.user.id) }
    };
    let (doctor_id, nurse_id) = (id(&doctor).await?, id(&nurse).await?);
    let pharmacist_id = id(&sign_in("pharm.patel").await?).await?;
    let nurse2_id = id(&sign_in("nurse.chen").await?).await?;
    let jones_id = id(&sign_in("patient.jones").await?).await?;
    let garcia_id = id(&sign_in("patient.garcia").await?).await?;

    let register = |mrn: &str,
                    family: &str,
                    given: &str,
                    birth: time::Date,
                    account: Uuid,
                    team: Vec<Uuid>| {
        CreatePatientRequest {
            mrn: mrn.into(),
            family_name: family.into(),
            given_name: given.into(),
            birth_date: birth,
            user_id: Some(account),
            care_team: team,
        }
    };
    let jones = clerk
        .create_patient(&register(
            "MRN-100234",
            "Jones",
            "Sam",
            time::macros::date!(1948 - 03 - 14),
            jones_id,
            vec![doctor_id, nurse_id, pharmacist_id],
        ))
        .await?;
    clerk
        .create_patient(&register(
            "MRN-100871",
            "Garcia",
            "Lucia",
            time::macros::date!(1979 - 11 - 02),
            garcia_id,
            vec![doctor_id, nurse2_id],
        ))
        .await?;

    let say = |client: Client,
               conversation: Uuid,
               body: &'static str,
               priority: Option<Priority>| async move {
        let req = SendMessageRequest {
            client_id: Uuid::new_v4(),
            body: body.into(),
            priority,
            confirm_findings: false,
            attachments: Vec::new(),
            send_at: None,
            lifespan_secs: None,
        };
        client
            .send_message(conversation, &req)
            .await
            .map(drop)
            .context("demo message")
    };
    let care = jones
        .care_team_conversation_id
        .context("care-team thread")?;
    say(
        nurse.clone(),
        care,
        "Sam Jones in 4W-12: K+ 5.9 on this morning's BMP. Repeat drawn.",
        Some(Priority::Urgent),
    )
    .await?;
    say(
        doctor.clone(),
        care,
        "Thanks. I will change the supplement in CPOE and review the ECG at 10.",
        None,
    )
    .await?;

    let facing = CreateConversationRequest {
        kind: ConversationKind::Patient,
        title: Some("Your care team".into()),
        member_ids: vec![],
        patient_id: Some(jones.id),
    };
    let thread = nurse.create_conversation(&facing).await?.id;
    say(
        nurse.clone(),
        thread,
        "Good morning Sam, your doctor will stop by around 10 today.",
        None,
    )
    .await?;

    let channel = CreateConversationRequest {
        kind: ConversationKind::Channel,
        title: Some("4 West nursing".into()),
        member_ids: vec![nurse2_id],
        patient_id: None,
    };
    let channel = nurse.create_conversation(&channel).await?.id;
    say(
        nurse.clone(),
        channel,
        "Huddle at 07:15 by the nurses' station.",
        None,
    )
    .await?;

    let direct = CreateConversationRequest {
        kind: ConversationKind::Direct,
        title: None,
        member_ids: vec![nurse_id],
        patient_id: None,
    };
    let direct = doctor.create_conversation(&direct).await?.id;
    say(
        doctor.clone(),
        direct,
        "Can you page me when the repeat K+ is back?",
        None,
    )
    .await?;
    for client in [doctor, nurse, clerk] {
        let _ = tokio::time::timeout(Duration::from_secs(5), client.logout()).await;
    }
    Ok(())
}
