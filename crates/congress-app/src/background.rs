//! Work that must never slow an acknowledgement: the threads that verify encrypted ballots'
//! proofs after their acks, and the tally at a vote's close, run at the lowest scheduling
//! priority. In a storm they then take only the cores the acks leave idle (on two cores the
//! proof worker otherwise took about half the machine while 2,000 election ballots arrived),
//! and all of them once the storm is over: the same work, done after the acks instead of
//! between them.

/// The niceness the background workers take (the lowest priority on Linux).
const NICE: i32 = 19;

/// Lowers the calling thread's priority (threads it starts inherit it). Elsewhere than Linux,
/// or when the system refuses, the thread keeps its priority (logged): the work is the same.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // On Linux the nice value is per thread: this sets the calling thread's.
        let me = rustix::thread::gettid();
        if let Err(e) = rustix::process::setpriority_process(Some(me), NICE) {
            tracing::warn!(error = %e, "could not lower a background worker's priority");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn a_background_thread_runs_at_the_lowest_priority() {
        let nice = std::thread::spawn(|| {
            super::lower_this_thread();
            rustix::process::getpriority_process(Some(rustix::thread::gettid()))
        })
        .join()
        .unwrap();
        assert_eq!(nice.unwrap(), super::NICE);
    }
}
