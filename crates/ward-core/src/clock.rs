//! Where the time comes from, for everything that time decides: session timeouts, escalation,
//! scheduled sends, lifespans, break-glass ends, retention.
//!
//! The server reads the [`SystemClock`]. Tests give it an [`OffsetClock`] and move that forward
//! instead of sleeping until a deadline passes.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::Timestamp;

/// The current time.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system's clock plus an offset that only grows: time runs as usual, and a test skips
/// ahead with [`OffsetClock::advance`]. Shared between threads (and servers) behind an `Arc`.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_micros: AtomicI64,
}

impl OffsetClock {
    /// A clock that reads the system's time until it is advanced.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock `secs` seconds ahead (a negative `secs` is ignored: time never runs
    /// backwards).
    pub fn advance(&self, secs: i64) {
        let micros = secs.max(0).saturating_mul(1_000_000);
        self.offset_micros.fetch_add(micros, Ordering::AcqRel);
    }

    /// How far ahead of the system's clock this clock is, in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset_micros.load(Ordering::Acquire) / 1_000_000
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let offset = self.offset_micros.load(Ordering::Acquire);
        Timestamp::from_micros(Timestamp::now().as_micros().saturating_add(offset))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn an_offset_clock_runs_with_the_system_clock_until_advanced() {
        let clock = OffsetClock::new();
        let before = Timestamp::now();
        let read = clock.now();
        assert!(before <= read && read <= Timestamp::now());
        assert_eq!(clock.offset_secs(), 0);
    }

    #[test]
    fn advancing_moves_it_ahead_and_never_back() {
        let clock = OffsetClock::new();
        clock.advance(90);
        let before = Timestamp::now().plus_secs(90);
        let read = clock.now();
        assert!(before <= read && read <= Timestamp::now().plus_secs(90));
        clock.advance(-3600);
        assert_eq!(clock.offset_secs(), 90, "a negative step is ignored");
        assert!(clock.now() >= read, "time does not run backwards");
    }

    #[test]
    fn advances_from_several_threads_add_up() {
        let clock = Arc::new(OffsetClock::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let clock = Arc::clone(&clock);
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        clock.advance(1);
                    }
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().is_ok());
        }
        assert_eq!(clock.offset_secs(), 400);
    }

    #[test]
    fn the_system_clock_reads_the_time() {
        let shared: Arc<dyn Clock> = Arc::new(SystemClock);
        let before = Timestamp::now();
        let read = shared.now();
        assert!(before <= read && read <= Timestamp::now());
    }
}
