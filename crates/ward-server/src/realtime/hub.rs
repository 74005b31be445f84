//! The hub: which devices are connected, and delivery of committed events to them.
//!
//! Events arrive from the services after their commit, possibly out of order (two commits
//! finishing at once). The hub delivers them in event order: an early arrival waits in a
//! reorder buffer until the events before it have come. A position that never arrives (a
//! process that died between commit and publish) is skipped after [`GAP_TIMEOUT`]; devices
//! still get it through `/sync`.
//!
//! Each device has a bounded queue. A device that falls behind is cut off and told to resync,
//! so one slow device never slows the others.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use ward_core::id::{SessionId, UserId};

/// Frames a device may have waiting before it counts as fallen behind.
const DEVICE_QUEUE: usize = 4096;
/// How long a missing event position holds back the ones after it.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(1);

/// A frame for one device.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// An event, already encoded as JSON, with its position.
    Event { seq: i64, frame: Arc<str> },
    /// Live delivery may have skipped events after `from`: fetch them with `/sync`.
    Resync { from: i64 },
    /// A frame outside the event log (an alert to compliance officers).
    Notice { frame: Arc<str> },
}

/// Why the server closes a device's connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The session ended (revoked, signed out, timed out, user disabled).
    SessionEnded(&'static str),
    /// The device must erase its data.
    Wipe,
    /// The server is stopping; the device should reconnect (to this or another node).
    Shutdown,
}

/// What a connection task holds for its device.
#[derive(Debug)]
pub struct DeviceHandle {
    pub events: mpsc::Receiver<Outbound>,
    pub close: watch::Receiver<Option<CloseReason>>,
    /// Set when the queue overflowed and the hub cut the device off.
    pub lagged: Arc<AtomicBool>,
    pub user: UserId,
    id: u64,
}

#[derive(Debug)]
struct Device {
    id: u64,
    session: SessionId,
    events: mpsc::Sender<Outbound>,
    close: watch::Sender<Option<CloseReason>>,
    lagged: Arc<AtomicBool>,
}

#[derive(Debug)]
struct Waiting {
    since: Instant,
    recipients: Vec<UserId>,
    frame: Arc<str>,
}

#[derive(Debug, Default)]
struct State {
    devices: HashMap<UserId, Vec<Device>>,
    /// The next event position to deliver.
    next: i64,
    waiting: BTreeMap<i64, Waiting>,
}

/// Connected devices and in-order fan-out. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    ids: Arc<AtomicU64>,
}

impl Hub {
    /// A hub that expects event positions after `last_seq` (the log's end at start-up).
    pub fn new(last_seq: i64) -> Self {
        let state = State {
            next: last_seq + 1,
            ..State::default()
        };
        Self {
            state: Arc::new(Mutex::new(state)),
            ids: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; carry on with it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a device; events published from now on reach it.
    pub fn connect(&self, user: UserId, session: SessionId) -> DeviceHandle {
        let (events_tx, events) = mpsc::channel(DEVICE_QUEUE);
        let (close_tx, close) = watch::channel(None);
        let lagged = Arc::new(AtomicBool::new(false));
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        let device = Device {
            id,
            session,
            events: events_tx,
            close: close_tx,
            lagged: Arc::clone(&lagged),
        };
        self.lock().devices.entry(user).or_default().push(device);
        DeviceHandle {
            events,
            close,
            lagged,
            user,
            id,
        }
    }

    /// Forgets a device whose connection ended.
    pub fn disconnect(&self, handle: &DeviceHandle) {
        let mut state = self.lock();
        if let Some(devices) = state.devices.get_mut(&handle.user) {
            devices.retain(|d| d.id != handle.id);
            if devices.is_empty() {
                state.devices.remove(&handle.user);
            }
        }
    }

    /// How many devices are connected.
    pub fn connected(&self) -> usize {
        self.lock().devices.values().map(Vec::len).sum()
    }

    /// Delivers a committed event to the recipients' devices, in event order.
    pub fn publish(&self, seq: i64, recipients: Vec<UserId>, frame: Arc<str>) {
        let mut state = self.lock();
        if seq < state.next {
            // Its gap was skipped already: late is better than never.
            deliver(&mut state, seq, &recipients, &frame);
            return;
        }
        state.waiting.insert(
            seq,
            Waiting {
                since: Instant::now(),
                recipients,
                frame,
            },
        );
        drain(&mut state);
    }

    /// Delivers a frame outside the event log to the users' connected devices, now. A device
    /// whose queue is full misses it (such frames have a list to catch up from).
    pub fn notify(&self, users: &[UserId], frame: Arc<str>) {
        let state = self.lock();
        for device in users
            .iter()
            .filter_map(|user| state.devices.get(user))
            .flatten()
        {
            let _ = device.events.try_send(Outbound::Notice {
                frame: Arc::clone(&frame),
            });
        }
    }

    /// Skips positions that have held the queue back for longer than [`GAP_TIMEOUT`].
    pub fn skip_stale_gaps(&self) {
        let mut state = self.lock();
        let stale = state
            .waiting
            .first_key_value()
            .filter(|(_, w)| w.since.elapsed() >= GAP_TIMEOUT)
            .map(|(seq, _)| *seq);
        if let Some(seq) = stale {
            tracing::warn!(
                from = state.next,
                to = seq,
                "skipping event positions not published in time"
            );
            let from = state.next - 1;
            for device in state.devices.values().flatten() {
                let _ = device.events.try_send(Outbound::Resync { from });
            }
            state.next = seq;
            drain(&mut state);
        }
    }

    /// Closes every connection of a session.
    pub fn close_session(&self, session: SessionId, reason: CloseReason) {
        let state = self.lock();
        for device in state
            .devices
            .values()
            .flatten()
            .filter(|d| d.session == session)
        {
            let _ = device.close.send(Some(reason.clone()));
        }
    }

    /// Closes every connection (the server is stopping).
    pub fn close_all(&self) {
        let state = self.lock();
        for device in state.devices.values().flatten() {
            let _ = device.close.send(Some(CloseReason::Shutdown));
        }
    }

    /// Closes every connection of a user.
    pub fn close_user(&self, user: UserId, reason: CloseReason) {
        let state = self.lock();
        for device in state.devices.get(&user).into_iter().flatten() {
            let _ = device.close.send(Some(reason.clone()));
        }
    }
}

fn drain(state: &mut State) {
    loop {
        let next = state.next;
        let Some(waiting) = state.waiting.remove(&next) else {
            break;
        };
        deliver(state, next, &waiting.recipients, &waiting.frame);
        state.next = next + 1;
    }
}

fn deliver(state: &mut State, seq: i64, recipients: &[UserId], frame: &Arc<str>) {
    for user in recipients {
        let Some(devices) = state.devices.get_mut(user) else {
            continue;
        };
        devices.retain(|device| {
            let outbound = Outbound::Event {
                seq,
                frame: Arc::clone(frame),
            };
            match device.events.try_send(outbound) {
                Ok(()) => true,
                Err(_) => {
                    // Full (or gone): cut the device off; its task tells it to resync.
                    device.lagged.store(true, Ordering::Relaxed);
                    false
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str) -> Arc<str> {
        Arc::from(text)
    }

    fn seqs(handle: &mut DeviceHandle) -> Vec<i64> {
        let mut out = Vec::new();
        while let Ok(Outbound::Event { seq, .. }) = handle.events.try_recv() {
            out.push(seq);
        }
        out
    }

    #[test]
    fn delivers_in_event_order_to_recipients_only() {
        let hub = Hub::new(0);
        let (ann, bob) = (UserId::new(), UserId::new());
        let mut ann_phone = hub.connect(ann, SessionId::new());
        let mut ann_desk = hub.connect(ann, SessionId::new());
        let mut bob_phone = hub.connect(bob, SessionId::new());
        hub.publish(2, vec![ann], frame("two"));
        assert!(seqs(&mut ann_phone).is_empty(), "2 waits for 1");
        hub.publish(1, vec![ann, bob], frame("one"));
        hub.publish(3, vec![bob], frame("three"));
        assert_eq!(seqs(&mut ann_phone), [1, 2]);
        assert_eq!(seqs(&mut ann_desk), [1, 2]);
        assert_eq!(seqs(&mut bob_phone), [1, 3]);
    }

    #[test]
    fn a_gap_is_skipped_after_the_timeout() {
        let hub = Hub::new(10);
        let ann = UserId::new();
        let mut phone = hub.connect(ann, SessionId::new());
        hub.publish(12, vec![ann], frame("twelve"));
        hub.skip_stale_gaps();
        assert!(seqs(&mut phone).is_empty());
        std::thread::sleep(GAP_TIMEOUT);
        hub.skip_stale_gaps();
        assert!(matches!(
            phone.events.try_recv(),
            Ok(Outbound::Resync { from: 10 })
        ));
        assert_eq!(seqs(&mut phone), [12]);
        hub.publish(11, vec![ann], frame("late"));
        assert_eq!(seqs(&mut phone), [11]);
    }

    #[test]
    fn a_full_queue_cuts_off_only_that_device() {
        let hub = Hub::new(0);
        let ann = UserId::new();
        let slow = hub.connect(ann, SessionId::new());
        let mut fast = hub.connect(ann, SessionId::new());
        for seq in 1..=(DEVICE_QUEUE as i64 + 1) {
            hub.publish(seq, vec![ann], frame("x"));
            let _ = seqs(&mut fast);
        }
        assert!(slow.lagged.load(Ordering::Relaxed));
        assert!(!fast.lagged.load(Ordering::Relaxed));
        assert_eq!(hub.connected(), 1);
    }

    #[test]
    fn closing_a_session_reaches_its_devices() {
        let hub = Hub::new(0);
        let (ann, session) = (UserId::new(), SessionId::new());
        let phone = hub.connect(ann, session);
        let desk = hub.connect(ann, SessionId::new());
        hub.close_session(session, CloseReason::Wipe);
        assert_eq!(*phone.close.borrow(), Some(CloseReason::Wipe));
        assert_eq!(*desk.close.borrow(), None);
        hub.disconnect(&phone);
        hub.disconnect(&desk);
        assert_eq!(hub.connected(), 0);
    }
}
