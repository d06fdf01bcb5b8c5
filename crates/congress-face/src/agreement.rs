//! Multi-frame agreement for one kiosk: a delegate is confirmed only when `k` of the last
//! `n` frames, all within a time window, matched that same delegate. Timestamps are passed
//! in (milliseconds, monotonic), so the tracker is deterministic and testable.

use std::collections::VecDeque;

/// Per-kiosk tracker.
#[derive(Debug, Clone)]
pub struct FrameAgreement {
    k: usize,
    n: usize,
    window_ms: u64,
    frames: VecDeque<(u64, Option<String>)>,
}

impl FrameAgreement {
    /// `k` of the last `n` frames within `window_ms`.
    pub fn new(k: usize, n: usize, window_ms: u64) -> Self {
        let n = n.max(1);
        FrameAgreement {
            k: k.clamp(1, n),
            n,
            window_ms,
            frames: VecDeque::with_capacity(n),
        }
    }

    /// Record a frame's outcome (`Some(delegate)` if it matched, `None` for unknown,
    /// ambiguous or no usable face). `timestamp_ms` is the frame's capture time: results may
    /// arrive out of order (several workers), they are placed by timestamp. Frames that were
    /// never analysed (shed under load) should simply not be reported. Returns the delegate
    /// when this frame completes an agreement; the history is then cleared so one walk-past
    /// confirms once.
    pub fn observe(&mut self, timestamp_ms: u64, delegate: Option<&str>) -> Option<String> {
        let pos = self
            .frames
            .iter()
            .position(|(t, _)| *t > timestamp_ms)
            .unwrap_or(self.frames.len());
        self.frames
            .insert(pos, (timestamp_ms, delegate.map(str::to_string)));
        while self.frames.len() > self.n {
            self.frames.pop_front();
        }
        let newest = self.frames.back().map_or(timestamp_ms, |(t, _)| *t);
        while self
            .frames
            .front()
            .is_some_and(|(t, _)| newest - t > self.window_ms)
        {
            self.frames.pop_front();
        }
        let d = delegate?;
        let votes = self
            .frames
            .iter()
            .filter(|(_, x)| x.as_deref() == Some(d))
            .count();
        if votes >= self.k {
            self.frames.clear();
            Some(d.to_string())
        } else {
            None
        }
    }

    /// Forget everything (e.g. the kiosk reconnected).
    pub fn reset(&mut self) {
        self.frames.clear();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn three_of_five_confirms_once() {
        let mut a = FrameAgreement::new(3, 5, 2000);
        assert_eq!(a.observe(0, Some("d1")), None);
        assert_eq!(a.observe(200, None), None);
        assert_eq!(a.observe(400, Some("d1")), None);
        assert_eq!(a.observe(600, Some("d2")), None);
        assert_eq!(a.observe(800, Some("d1")).as_deref(), Some("d1"));
        // cleared: the next frame alone does not re-confirm
        assert_eq!(a.observe(1000, Some("d1")), None);
    }

    #[test]
    fn window_and_length_limits() {
        let mut a = FrameAgreement::new(3, 5, 2000);
        a.observe(0, Some("d1"));
        a.observe(100, Some("d1"));
        // too late: the first two fell out of the 2 s window
        assert_eq!(a.observe(2500, Some("d1")), None);
        let mut b = FrameAgreement::new(3, 5, 10_000);
        b.observe(0, Some("d1"));
        b.observe(1, Some("d1"));
        for t in 2..5 {
            assert_eq!(b.observe(t, None), None);
        }
        // the two d1 frames are now beyond the last five
        assert_eq!(b.observe(6, Some("d1")), None);
    }

    #[test]
    fn out_of_order_results_still_agree() {
        let mut a = FrameAgreement::new(3, 5, 2000);
        assert_eq!(a.observe(400, Some("d1")), None);
        assert_eq!(a.observe(200, Some("d1")), None);
        assert_eq!(a.observe(600, Some("d1")).as_deref(), Some("d1"));
        // a stale frame older than the window relative to the newest one does not count
        let mut b = FrameAgreement::new(2, 5, 1000);
        assert_eq!(b.observe(5000, Some("d1")), None);
        assert_eq!(b.observe(3000, Some("d1")), None);
    }

    #[test]
    fn disagreeing_frames_never_confirm() {
        let mut a = FrameAgreement::new(3, 5, 2000);
        for (i, d) in ["a", "b", "a", "b", "c"].iter().enumerate() {
            assert_eq!(a.observe(i as u64 * 100, Some(d)), None);
        }
    }
}
