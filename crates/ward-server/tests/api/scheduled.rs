//! Scheduled sends: stored until their time, sent then through the usual path even across a
//! restart, cancellable before, refused in the past.

use time::OffsetDateTime;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::messaging::SendMessageRequest;
use ward_proto::workflow::ScheduledState;

use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn at(body: &str, seconds_from_now: i64) -> SendMessageRequest {
    SendMessageRequest {
        send_at: Some(OffsetDateTime::now_utc() + time::Duration::seconds(seconds_from_now)),
        ..text(body)
    }
}

api_test!(
    scheduled_messages_go_out_at_their_time_across_a_restart,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;

        // Bad input: a time in the past, findings not confirmed; nothing is scheduled.
        assert_problem(
            nurse
                .schedule_message(conversation, &at("Reminder", -60))
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse
                .schedule_message(conversation, &at("Give 10 U insulin QD", 60))
                .await,
            ProblemType::SafetyReview,
        );
        let outsider = server.user(&admin, "dr.outside", "physician").await;
        assert_problem(
            outsider
                .schedule_message(conversation, &at("Reminder", 60))
                .await,
            ProblemType::NotFound,
        );

        let reminder = at(
            "Reminder: clinic visit tomorrow at 09:30, fasting from midnight",
            60,
        );
        let (scheduled, created) = nurse
            .schedule_message(conversation, &reminder)
            .await
            .expect("schedule");
        assert!(created);
        assert_eq!(scheduled.state, ScheduledState::Pending);
        let (again, created) = nurse
            .schedule_message(conversation, &reminder)
            .await
            .expect("retry");
        assert!(!created, "a retried client id schedules nothing new");
        assert_eq!(again.id, scheduled.id);
        let (cancelled, _) = nurse
            .schedule_message(conversation, &at("Cancelled reminder", 60))
            .await
            .expect("schedule");
        assert_problem(
            doctor.cancel_scheduled(cancelled.id).await,
            ProblemType::NotFound,
        );
        let undone = nurse.cancel_scheduled(cancelled.id).await.expect("cancel");
        assert_eq!(undone.state, ScheduledState::Cancelled);
        assert_problem(
            nurse.cancel_scheduled(cancelled.id).await,
            ProblemType::Conflict,
        );
        let pending = nurse.list_scheduled().await.expect("list").scheduled;
        assert_eq!(
            pending.iter().map(|s| s.id).collect::<Vec<_>>(),
            [scheduled.id]
        );
        assert!(
            doctor
                .list_messages(conversation, 0, 10)
                .await
                .expect("list")
                .messages
                .is_empty(),
            "nothing is sent before its time"
        );

        // The schedule lives in the database: it goes out after a restart, once its time comes.
        let server = server.restart().await;
        let moved = |client: &Client| server.anon().authed(client.token().expect("token"));
        let (nurse, doctor) = (moved(&nurse), moved(&doctor));
        server.advance(61);
        // A pass of the scheduler, then a few more: still exactly one message.
        for _ in 0..4 {
            server
                .services
                .messaging()
                .run_due_scheduled(server.now())
                .await
                .expect("scheduler");
            server.advance(1);
        }
        let received = doctor
            .list_messages(conversation, 0, 10)
            .await
            .expect("list")
            .messages;
        let bodies: Vec<_> = received.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(
            bodies,
            ["Reminder: clinic visit tomorrow at 09:30, fasting from midnight"],
            "sent once, the cancelled one never"
        );
        assert_eq!(received[0].client_id, reminder.client_id);
        assert!(
            nurse
                .list_scheduled()
                .await
                .expect("list")
                .scheduled
                .is_empty()
        );
        assert_problem(
            nurse.cancel_scheduled(scheduled.id).await,
            ProblemType::Conflict,
        );
        server
    }
);
