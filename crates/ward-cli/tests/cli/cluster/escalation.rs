//! Escalation with three nodes: every node looks for due steps each second, yet each step of an
//! unacknowledged urgent message is taken once, and reaches a device on another node live.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::{EscalationStep, Priority, SendMessageRequest};
use ward_proto::realtime::ServerFrame;

use super::{Deployment, body_of, device, frames_until, group, user};
use crate::{enrolled_admin, message};

/// The escalation steps of `message` among `frames`, with whom each brought in.
fn steps(frames: &[ServerFrame], message: Uuid) -> Vec<(EscalationStep, Option<Uuid>)> {
    frames
        .iter()
        .filter_map(|frame| match frame {
            ServerFrame::MessageEscalated {
                message_id,
                step,
                target_user_id,
                ..
            } if *message_id == message => Some((*step, *target_user_id)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_escalation_step_is_taken_once_with_three_nodes() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let (a, b, c) = (deployment.node(), deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&a.client(), "chief").await;
    let (nurse, _) = user(&admin, &a, "nurse.reyes", "nurse").await;
    let (doctor, doctor_id) = user(&admin, &b, "dr.okafor", "physician").await;
    let (_, on_call) = user(&admin, &c, "dr.day", "physician").await;
    let (_, supervisor) = user(&admin, &c, "dr.lead", "physician").await;
    let role = admin
        .create_clinical_role(&CreateClinicalRoleRequest {
            name: "Cardiology on-call".into(),
            supervisor_id: Some(supervisor),
        })
        .await
        .expect("role");
    let now = OffsetDateTime::now_utc();
    let shift = ShiftRequest {
        user_id: on_call,
        starts_at: now - time::Duration::minutes(1),
        ends_at: now + time::Duration::hours(10),
    };
    admin.add_shift(role.id, &shift).await.expect("shift");
    // The policy changes through A; B and C read it at their next pass.
    let mut policy = admin.get_policy().await.expect("policy");
    policy.escalation.urgent_after_secs = 1;
    admin.put_policy(&policy).await.expect("policy");

    let conversation = group(&nurse, vec![doctor_id]).await;
    nurse
        .set_escalation_role(conversation, Some(role.id))
        .await
        .expect("escalation role");
    let mut doctor_on_c = device(&c.url, &doctor, None).await;
    let urgent = SendMessageRequest {
        priority: Some(Priority::Urgent),
        ..message("Troponin rising in bed 12")
    };
    let (sent, _) = nurse
        .send_message(conversation, &urgent)
        .await
        .expect("send");

    // The last step arrives live on C; three more seconds give every node three more passes.
    let mut frames = frames_until(&mut doctor_on_c, |f| {
        matches!(
            f,
            ServerFrame::MessageEscalated {
                step: EscalationStep::Supervisor,
                ..
            }
        )
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    nurse
        .send_message(conversation, &message("marker"))
        .await
        .expect("send");
    frames.extend(frames_until(&mut doctor_on_c, |f| body_of(f) == Some("marker")).await);

    let expected = [
        (EscalationStep::Repeat, None),
        (EscalationStep::OnCall, Some(on_call)),
        (EscalationStep::Supervisor, Some(supervisor)),
    ];
    assert_eq!(steps(&frames, sent.id), expected, "live, each step once");
    let logged = doctor.sync(None, 1000).await.expect("sync").events;
    assert_eq!(
        steps(&logged, sent.id),
        expected,
        "in the log, each step once"
    );
    assert!(a.stop() && b.stop() && c.stop());
    deployment.drop_database().await;
}
