//! Background jobs: each runs as its own task on its own interval, so a slow one (a large
//! retention disposal, a webhook that hangs) never delays another (an escalation due now).
//!
//! Everything the jobs act on lives in the database (due escalation steps, scheduled sends,
//! lifespans, break-glass grants, key epochs), so a restart resumes where the last run left
//! off. On shutdown no new run starts; a run under way finishes (it may be mid-transaction)
//! within [`STOP_GRACE`], after which it is aborted.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use ward_core::Timestamp;

use crate::services::Services;

/// How long shutdown waits for a run under way to finish.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// How often each job runs.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    /// Escalation steps, scheduled sends, lifespans, break-glass ends, monitoring.
    pub due_work: Duration,
    /// Role threads moved to their roles' current holders.
    pub handover: Duration,
    /// Key epochs past retention disposed of (and keys other nodes destroyed forgotten).
    pub disposal: Duration,
    /// Uploads a crash left unfinished swept.
    pub upload_sweep: Duration,
    /// Signed audit checkpoints (the first one an interval after start, which signs its own).
    pub checkpoint: Duration,
    /// The log's end noted, and positions live delivery missed read from the log.
    pub live_from_log: Duration,
}

impl Intervals {
    /// The intervals of a server whose checkpoints are `checkpoint_secs` apart; `drill` for the
    /// short key epochs of a retention drill, where disposal is looked for every 5 s.
    pub fn new(checkpoint_secs: u64, drill: bool) -> Self {
        Self {
            due_work: Duration::from_secs(1),
            handover: Duration::from_secs(5),
            disposal: Duration::from_secs(if drill { 5 } else { 60 }),
            upload_sweep: Duration::from_secs(600),
            checkpoint: Duration::from_secs(checkpoint_secs.max(1)),
            live_from_log: LIVE_FROM_LOG,
        }
    }
}

/// How often the log's end is read and positions live delivery missed are read from the log.
const LIVE_FROM_LOG: Duration = Duration::from_millis(100);

/// How far apart two nodes' clocks may be when looking for keys another node destroyed.
const SHRED_CLOCK_MARGIN_SECS: i64 = 300;

/// The running jobs.
#[derive(Debug)]
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Jobs {
    fn new() -> Self {
        Self {
            stop: watch::Sender::new(false),
            tasks: Vec::new(),
        }
    }

    /// Starts every job of a server.
    pub fn start(services: &Services, every: Intervals) -> Self {
        let mut jobs = Self::new();
        if let Some(bus) = services.bus() {
            jobs.follow_bus(services, bus.clone());
        }
        let live = services.clone();
        jobs.spawn("live from the log", every.live_from_log, None, move || {
            let services = live.clone();
            async move {
                // Failures here repeat ten times a second while the database is away, which
                // readiness reports; they are not logged louder than debug.
                if let Err(error) = services.messaging().deliver_missed(services.hub()).await {
                    tracing::debug!(%error, "reading missed positions from the log failed");
                }
            }
        });
        jobs.spawn_logged(services, "escalations", every.due_work, |s| async move {
            s.clinical().run_due_escalations(s.now()).await
        });
        jobs.spawn_logged(
            services,
            "escalation grants",
            every.due_work,
            |s| async move { s.clinical().end_lapsed_grants(s.now()).await },
        );
        jobs.spawn_logged(
            services,
            "scheduled sends",
            every.due_work,
            |s| async move { s.messaging().run_due_scheduled(s.now()).await },
        );
        jobs.spawn_logged(
            services,
            "push notifications",
            every.due_work,
            |s| async move { s.notifier().run_due(s.now()).await },
        );
        jobs.spawn_logged(services, "lifespans", every.due_work, |s| async move {
            s.messaging().expire_due_messages(s.now()).await
        });
        jobs.spawn_logged(
            services,
            "break-glass ends",
            every.due_work,
            |s| async move { s.compliance().end_due_break_glass(s.now()).await },
        );
        jobs.spawn_logged(services, "monitoring", every.due_work, |s| async move {
            // Monitoring judges audit events, which carry the system's time.
            s.compliance().run_monitoring(Timestamp::now()).await
        });
        jobs.spawn_logged(services, "role hand-over", every.handover, |s| async move {
            s.clinical().hand_over_role_threads(s.now()).await
        });
        jobs.spawn_logged(
            services,
            "upload sweep",
            every.upload_sweep,
            |s| async move {
                let swept = s.attachments().sweep_stale_uploads(s.now()).await?;
                if swept > 0 {
                    tracing::info!(swept, "removed uploads left unfinished");
                }
                Ok(())
            },
        );
        jobs.spawn_disposal(services, every.disposal);
        let checkpoints = services.clone();
        jobs.spawn(
            "checkpoints",
            every.checkpoint,
            Some(every.checkpoint),
            move || {
                let services = checkpoints.clone();
                async move { sign_checkpoint(&services).await }
            },
        );
        jobs
    }

    /// Runs `job` every `every` (first after `first_after`, else at once) until stopped. A
    /// run that overruns its interval delays only this job's next run.
    fn spawn<F, Fut>(
        &mut self,
        name: &'static str,
        every: Duration,
        first_after: Option<Duration>,
        mut job: F,
    ) where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.stop.subscribe();
        let start = Instant::now() + first_after.unwrap_or_default();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(start, every);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    // The only change ever sent is the stop (or the sender is gone).
                    _ = stop.changed() => break,
                    _ = tick.tick() => job().await,
                }
            }
        });
        self.tasks.push((name, task));
    }

    /// Reads the other nodes' notices off the cluster bus until stopped.
    fn follow_bus(&mut self, services: &Services, bus: crate::cluster::Bus) {
        let stop = self.stop.subscribe();
        let services = services.clone();
        let task = tokio::spawn(async move {
            bus.follow(|notice| services.apply_notice(notice), stop)
                .await;
        });
        self.tasks.push(("cluster bus", task));
    }

    /// A job over the services whose failure is logged (never PHI: the errors carry none).
    fn spawn_logged<F, Fut, T>(
        &mut self,
        services: &Services,
        name: &'static str,
        every: Duration,
        job: F,
    ) where
        F: Fn(Services) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, crate::services::ServiceError>> + Send + 'static,
        T: Send + 'static,
    {
        let services = services.clone();
        self.spawn(name, every, None, move || {
            let run = job(services.clone());
            async move {
                if let Err(error) = run.await {
                    tracing::warn!(job = name, %error, "background job failed");
                }
            }
        });
    }

    /// Retention: key epochs past their time disposed of, then keys other nodes destroyed
    /// forgotten (looked for with a margin for clocks that differ).
    fn spawn_disposal(&mut self, services: &Services, every: Duration) {
        let services = services.clone();
        // Nothing is cached before the jobs start, so older disposals need no forgetting.
        let checked = std::sync::Arc::new(std::sync::Mutex::new(services.now()));
        self.spawn("retention disposal", every, None, move || {
            let (services, checked) = (services.clone(), std::sync::Arc::clone(&checked));
            async move {
                match services.compliance().dispose_due(services.now()).await {
                    Ok(0) => {}
                    Ok(disposed) => tracing::info!(disposed, "retention disposed of key epochs"),
                    Err(error) => tracing::warn!(%error, "retention disposal failed"),
                }
                let now = services.now();
                let since = last_checked(&checked).minus_secs(SHRED_CLOCK_MARGIN_SECS);
                match services.compliance().forget_shredded_keys(since).await {
                    Ok(()) => *checked.lock().unwrap_or_else(|e| e.into_inner()) = now,
                    Err(error) => tracing::warn!(%error, "forgetting destroyed keys failed"),
                }
            }
        });
    }

    /// Stops every job: no new run starts, a run under way gets [`STOP_GRACE`] to finish.
    pub async fn stop(self) {
        self.stop.send_replace(true);
        for (name, mut task) in self.tasks {
            if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
                tracing::warn!(job = name, "background job did not stop in time; aborted");
                task.abort();
                let _ = task.await;
            }
        }
    }
}

fn last_checked(checked: &std::sync::Mutex<Timestamp>) -> Timestamp {
    *checked.lock().unwrap_or_else(|e| e.into_inner())
}

/// Signs an audit checkpoint of the log as it is now, and says how that went.
pub async fn sign_checkpoint(services: &Services) {
    match services.compliance().sign_checkpoint(services.now()).await {
        Ok(Ok(Some(checkpoint))) => {
            tracing::debug!(seq = checkpoint.seq, "audit checkpoint signed")
        }
        Ok(Ok(None)) => {}
        Ok(Err(chain_break)) => {
            tracing::error!(seq = chain_break.seq(), %chain_break, "audit chain broken; not signed");
        }
        Err(e) => tracing::warn!(error = %e, "signing an audit checkpoint failed"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A counter a job bumps, and how often it was bumped.
    fn counter() -> (Arc<AtomicU32>, impl Fn() -> u32) {
        let count = Arc::new(AtomicU32::new(0));
        let read = Arc::clone(&count);
        (count, move || read.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_job_never_delays_another() {
        let mut jobs = Jobs::new();
        let (slow_runs, slow) = counter();
        jobs.spawn("slow", Duration::from_secs(1), None, move || {
            slow_runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(3600))
        });
        let (fast_runs, fast) = counter();
        jobs.spawn("fast", Duration::from_secs(1), None, move || {
            fast_runs.fetch_add(1, Ordering::SeqCst);
            async {}
        });
        // The paused clock advances only when every task waits: 10 s pass at once.
        tokio::time::sleep(Duration::from_millis(10_500)).await;
        assert_eq!(slow(), 1, "the slow job is still in its first run");
        assert_eq!(fast(), 11, "the fast job ran at 0 s, 1 s, ... 10 s");
        jobs.stop().await;
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_lets_a_run_finish_and_starts_no_other() {
        let mut jobs = Jobs::new();
        let (started, runs) = counter();
        let (finished_runs, finished) = counter();
        jobs.spawn("job", Duration::from_secs(1), None, move || {
            started.fetch_add(1, Ordering::SeqCst);
            let finished = Arc::clone(&finished_runs);
            async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                finished.fetch_add(1, Ordering::SeqCst);
            }
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!((runs(), finished()), (1, 0));
        jobs.stop().await;
        assert_eq!((runs(), finished()), (1, 1), "the run under way finished");
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(runs(), 1, "no run after the stop");
    }

    #[tokio::test(start_paused = true)]
    async fn a_run_that_will_not_finish_is_aborted_after_the_grace() {
        let mut jobs = Jobs::new();
        let (finished_runs, finished) = counter();
        jobs.spawn("stuck", Duration::from_secs(1), None, move || {
            let finished = Arc::clone(&finished_runs);
            async move {
                tokio::time::sleep(STOP_GRACE * 100).await;
                finished.fetch_add(1, Ordering::SeqCst);
            }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        let stopped_at = Instant::now();
        jobs.stop().await;
        let waited = stopped_at.elapsed();
        assert!(
            waited >= STOP_GRACE && waited < STOP_GRACE * 2,
            "{waited:?}"
        );
        assert_eq!(finished(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_may_start_one_interval_late() {
        let mut jobs = Jobs::new();
        let (runs_count, runs) = counter();
        let every = Duration::from_secs(30);
        jobs.spawn("late", every, Some(every), move || {
            runs_count.fetch_add(1, Ordering::SeqCst);
            async {}
        });
        tokio::time::sleep(Duration::from_secs(29)).await;
        assert_eq!(runs(), 0);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(runs(), 1);
        jobs.stop().await;
    }
}
