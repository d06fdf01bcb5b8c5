//! The one place that reads the system's clocks. Everything else takes the time from a
//! [`Clock`] it was given (the engine stamps events with [`Clock::now_ms`]; kiosk sessions and
//! the console's live kiosk list measure rates with [`Clock::instant`]), or, in async code,
//! from `tokio::time::Instant`, which tests can pause and advance. `clippy.toml` bans
//! `SystemTime::now` and `Instant::now` everywhere else.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// A source of the current time, so tests can fix it and move it by hand.
pub trait Clock: Send + Sync + 'static {
    /// Unix epoch milliseconds: journal times, expiries, the hall's calendar.
    fn now_ms(&self) -> i64;
    /// A monotonic instant, for rates and durations.
    fn instant(&self) -> Instant;
}

/// The machine's clocks.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    #[allow(clippy::disallowed_methods)] // the one place that reads the monotonic clock
    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock for tests and simulations. Its wall-clock reading moves only when told to; its
/// monotonic reading runs with the machine's and jumps forward by as much as the wall clock is
/// moved, so code that measures rates keeps working while a test skips a wait with
/// [`ManualClock::advance`] instead of sleeping.
pub struct ManualClock {
    epoch_ms: AtomicI64,
    /// Milliseconds advanced since creation.
    moved_ms: AtomicI64,
}

impl ManualClock {
    /// Starts at `epoch_ms` (Unix milliseconds).
    pub fn starting_at(epoch_ms: i64) -> ManualClock {
        ManualClock {
            epoch_ms: AtomicI64::new(epoch_ms),
            moved_ms: AtomicI64::new(0),
        }
    }

    /// Starts at the machine's time now.
    pub fn from_system() -> ManualClock {
        ManualClock::starting_at(SystemClock.now_ms())
    }

    /// The wall-clock reading (Unix milliseconds).
    pub fn now_ms(&self) -> i64 {
        self.epoch_ms.load(Ordering::SeqCst)
    }

    /// Moves both readings forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.epoch_ms.fetch_add(ms, Ordering::SeqCst);
        self.moved_ms.fetch_add(ms.max(0), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        ManualClock::now_ms(self)
    }

    fn instant(&self) -> Instant {
        let moved = u64::try_from(self.moved_ms.load(Ordering::SeqCst)).unwrap_or(0);
        SystemClock.instant() + Duration::from_millis(moved)
    }
}

/// Measures how long an operation took, for reports and logs ("backup done in 1.2 s").
pub struct Stopwatch(Instant);

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch(SystemClock.instant())
    }

    pub fn elapsed(&self) -> Duration {
        SystemClock.instant().saturating_duration_since(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_both_readings_together() {
        let c = ManualClock::starting_at(1_000);
        let i = c.instant();
        c.advance(2_500);
        assert_eq!(c.now_ms(), 3_500);
        let moved = c.instant() - i;
        assert!(moved >= Duration::from_millis(2_500), "{moved:?}");
        assert!(moved < Duration::from_millis(3_500), "{moved:?}");
    }
}
