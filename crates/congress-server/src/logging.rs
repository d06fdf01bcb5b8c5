//! The log filter: `CONGRESS_LOG` (a `tracing` filter) as the operator sets it, except that the
//! libraries that log whole messages at debug and trace level (websocket frames, HTTP bodies,
//! TLS records) are held at `info` whatever the filter says: at `trace` they would write every
//! ballot, token and choice to the log with its time.

use tracing_subscriber::EnvFilter;

/// Targets never logged below `info`.
pub const QUIET: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "tokio_rustls",
    "reqwest",
];

/// The filter for `spec` (or the default when none is set).
pub fn filter(spec: Option<&str>) -> EnvFilter {
    let mut f = EnvFilter::try_new(spec.unwrap_or("congress_server=info,tower_http=warn"))
        .unwrap_or_else(|_| EnvFilter::new("congress_server=info,tower_http=warn"));
    for target in QUIET {
        if let Ok(d) = format!("{target}=info").parse() {
            f = f.add_directive(d);
        }
    }
    f
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// `CONGRESS_LOG=trace` (and even `tungstenite=trace`) does not log websocket frames.
    #[test]
    fn trace_level_never_logs_message_payloads() {
        for spec in ["trace", "tungstenite=trace,trace"] {
            let sink = Sink::default();
            let w = sink.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(filter(Some(spec)))
                .with_writer(move || w.clone())
                .finish();
            tracing::subscriber::with_default(subscriber, || {
                tracing::trace!(target: "tungstenite::protocol", "frame {{\"choice\":\"for\"}}");
                tracing::debug!(target: "hyper::proto", "body secret-token");
                tracing::trace!(target: "congress_server", "our own trace");
            });
            let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
            assert!(!out.contains("choice"), "{out}");
            assert!(!out.contains("secret-token"), "{out}");
            assert!(out.contains("our own trace"), "{spec}: {out}");
        }
    }
}
