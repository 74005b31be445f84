//! The hub: which devices are connected, and delivery of committed events to them.
//!
//! Events arrive after their commit, from this node's services or from other nodes over the
//! cluster bus, possibly out of order (two commits finishing at once). The hub delivers them
//! in event order, each position once: an early arrival waits in a reorder buffer until the
//! events before it have come. The hub also knows the log's head (the highest position it has
//! heard of); a position below the head that has not arrived within [`GAP_WAIT`] (a notice
//! lost, the bus down, a node that died between commit and publish) is reported by
//! [`Hub::missing`], and the node reads it from the log and hands it over with [`Hub::fill`].
//! Positions commit in order with no holes, so what the log holds up to the head is complete.
//!
//! Each device has a bounded queue. A device that falls behind is cut off and told to resync,
//! so one slow device never slows the others.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use tokio::sync::{mpsc, watch};
use ward_core::id::{SessionId, UserId};

/// Frames a device may have waiting before it counts as fallen behind.
const DEVICE_QUEUE: usize = 4096;
/// How long a missing event position holds back the ones after it before it is read from
/// the log.
pub const GAP_WAIT: Duration = Duration::from_millis(250);

/// A frame for one device.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// An event, already encoded as JSON, with its position.
    Event { seq: i64, frame: Arc<str> },
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

/// An event waiting for the ones before it.
#[derive(Debug)]
struct Waiting {
    recipients: Vec<UserId>,
    /// `None` for a position that has nothing to deliver (read from the log, frameless).
    frame: Option<Arc<str>>,
}

/// One position read from the log, for [`Hub::fill`].
#[derive(Debug)]
pub struct Filled {
    pub seq: i64,
    pub recipients: Vec<UserId>,
    /// `None` if the event makes no frame (its conversation is gone).
    pub frame: Option<Arc<str>>,
}

#[derive(Debug)]
struct State {
    devices: HashMap<UserId, Vec<Device>>,
    /// The next event position to deliver.
    next: i64,
    waiting: BTreeMap<i64, Waiting>,
    /// The highest position known to be committed.
    head: i64,
    /// Since when delivery has been held at `next` with the head beyond it.
    stalled_since: Instant,
}

/// Connected devices and in-order fan-out. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    ids: Arc<AtomicU64>,
    /// Positions delivered from the log rather than from a notice.
    filled: Counter,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(0)
    }
}

impl Hub {
    /// A hub that expects event positions after `last_seq` (the log's end at start-up).
    pub fn new(last_seq: i64) -> Self {
        let state = State {
            devices: HashMap::new(),
            next: last_seq + 1,
            waiting: BTreeMap::new(),
            head: last_seq,
            stalled_since: Instant::now(),
        };
        Self {
            state: Arc::new(Mutex::new(state)),
            ids: Arc::default(),
            filled: Default::default(),
        }
    }

    /// Counts the positions delivered from the log in `counter` (for `/metrics`).
    pub fn with_fill_counter(mut self, counter: Counter) -> Self {
        self.filled = counter;
        self
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

    /// Delivers a committed event to the recipients' devices, in event order, once: a
    /// position already delivered (read from the log meanwhile) is dropped.
    pub fn publish(&self, seq: i64, recipients: Vec<UserId>, frame: Arc<str>) {
        let mut state = self.lock();
        if seq < state.next {
            return;
        }
        state.waiting.entry(seq).or_insert(Waiting {
            recipients,
            frame: Some(frame),
        });
        raise_head(&mut state, seq);
        drain(&mut state);
    }

    /// Records that the log holds positions up to `seq` (its end, read by the node).
    pub fn note_head(&self, seq: i64) {
        raise_head(&mut self.lock(), seq);
    }

    /// The positions (after, up to] that should have arrived but have not for `wait`: read
    /// them from the log and hand them to [`Hub::fill`].
    pub fn missing(&self, wait: Duration) -> Option<(i64, i64)> {
        let state = self.lock();
        (state.head >= state.next && state.stalled_since.elapsed() >= wait)
            .then(|| (state.next - 1, state.head))
    }

    /// Delivers positions read from the log, with those that arrived meanwhile, in order.
    /// `read_to` is the last position the read covered: everything up to it is then settled.
    pub fn fill(&self, positions: Vec<Filled>, read_to: i64) {
        let mut state = self.lock();
        let mut count = 0;
        for filled in positions {
            if filled.seq >= state.next && !state.waiting.contains_key(&filled.seq) {
                count += 1;
                state.waiting.insert(
                    filled.seq,
                    Waiting {
                        recipients: filled.recipients,
                        frame: filled.frame,
                    },
                );
            }
        }
        // The log has no holes: a position it did not return up to `read_to` is none.
        for seq in state.next..=read_to {
            state.waiting.entry(seq).or_insert(Waiting {
                recipients: Vec::new(),
                frame: None,
            });
        }
        raise_head(&mut state, read_to);
        drain(&mut state);
        self.filled.inc_by(count);
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

/// Raises the known head to `seq`; if delivery was caught up, it is held from now on.
fn raise_head(state: &mut State, seq: i64) {
    if seq > state.head {
        if state.head < state.next {
            state.stalled_since = Instant::now();
        }
        state.head = seq;
    }
}

fn drain(state: &mut State) {
    let start = state.next;
    loop {
        let next = state.next;
        let Some(waiting) = state.waiting.remove(&next) else {
            break;
        };
        if let Some(frame) = &waiting.frame {
            deliver(state, next, &waiting.recipients, frame);
        }
        state.next = next + 1;
    }
    if state.next > start {
        state.stalled_since = Instant::now();
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
    fn a_missing_position_is_read_from_the_log_and_delivered_once() {
        let hub = Hub::new(10);
        let ann = UserId::new();
        let mut phone = hub.connect(ann, SessionId::new());
        assert_eq!(hub.missing(Duration::ZERO), None, "nothing is missing");
        hub.publish(13, vec![ann], frame("thirteen"));
        assert!(seqs(&mut phone).is_empty(), "13 waits for 11 and 12");
        assert_eq!(hub.missing(Duration::from_secs(3600)), None, "not yet");
        assert_eq!(hub.missing(Duration::ZERO), Some((10, 13)));
        let from_log = |seq, frame: Option<Arc<str>>| Filled {
            seq,
            recipients: vec![ann],
            frame,
        };
        // 12 made no frame; 13 arrived already.
        hub.fill(vec![from_log(11, Some(frame("eleven")))], 13);
        assert_eq!(seqs(&mut phone), [11, 13]);
        assert_eq!(hub.missing(Duration::ZERO), None);
        hub.publish(11, vec![ann], frame("late notice"));
        hub.publish(12, vec![ann], frame("late notice"));
        assert!(
            seqs(&mut phone).is_empty(),
            "a late notice is not delivered twice"
        );
        hub.note_head(14);
        assert_eq!(
            hub.missing(Duration::ZERO),
            Some((13, 14)),
            "the log's end counts"
        );
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
