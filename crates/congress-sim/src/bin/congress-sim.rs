//! `congress-sim vote`: against a running server, pairs and checks in N simulated tablets (the
//! first N delegates), runs a vote in which everyone votes within a window, some reconnect
//! mid-vote and some retry, and checks the final tally against what the tablets sent.
//!
//! `congress-sim vote --url http://127.0.0.1:8080 --user admin --password-env PW --tablets 200
//!  --window-ms 2000 --reconnect-pct 10 --retry-pct 5 [--open]`

// A simulator and benchmark harness: it measures real latencies, so it reads the clock.
#![allow(clippy::disallowed_methods)]

use anyhow::{Context, bail};
use congress_client::Api;
use congress_proto::{AttendanceStatus, Delegate, DeviceKind, Secrecy};
use congress_sim::stats::{percentile, round2};
use congress_sim::vote::{StormOptions, storm};
use futures_util::StreamExt;
use serde_json::json;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num(args: &[String], name: &str, default: u64) -> anyhow::Result<u64> {
    match arg(args, name) {
        Some(v) => v.parse().with_context(|| format!("{name} needs a number")),
        None => Ok(default),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("vote") {
        bail!(
            "usage: congress-sim vote --url URL --user NAME (--password P | --password-env VAR) \
             [--tablets N] [--window-ms MS] [--reconnect-pct P] [--retry-pct P] [--open]"
        );
    }
    let url = arg(&args, "--url").unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let user = arg(&args, "--user").unwrap_or_else(|| "admin".into());
    let password = match (arg(&args, "--password"), arg(&args, "--password-env")) {
        (Some(p), _) => p,
        (None, Some(var)) => std::env::var(&var).with_context(|| format!("${var} is not set"))?,
        _ => bail!("give --password or --password-env"),
    };
    let n = num(&args, "--tablets", 100)? as usize;
    let admin = Api::new(&url).login(&user, &password).await?;
    let delegates: Vec<Delegate> = admin.get("/api/delegates").await?;
    if delegates.len() < n {
        bail!(
            "the congress has {} delegates, fewer than {n}",
            delegates.len()
        );
    }
    let ids: Vec<String> = delegates.iter().take(n).map(|d| d.id.clone()).collect();
    let run = std::process::id();
    let tablets: Vec<anyhow::Result<Api>> = futures_util::stream::iter(ids.iter().cloned())
        .map(|id| {
            let admin = admin.clone();
            async move {
                let (api, _) = admin.pair_device(DeviceKind::Tablet, Some(&id)).await?;
                admin
                    .set_attendance(
                        &format!("sim-{run}-in-{id}"),
                        &id,
                        AttendanceStatus::Present,
                        "simulator",
                    )
                    .await?;
                Ok(api)
            }
        })
        .buffered(16)
        .collect()
        .await;
    let tablets: Vec<Api> = tablets.into_iter().collect::<anyhow::Result<_>>()?;
    eprintln!("paired and checked in {n} tablets");
    let opts = StormOptions {
        window_ms: num(&args, "--window-ms", 2000)?,
        reconnect_pct: num(&args, "--reconnect-pct", 10)?,
        retry_pct: num(&args, "--retry-pct", 5)?,
        secrecy: if args.iter().any(|a| a == "--open") {
            Secrecy::Open
        } else {
            Secrecy::Secret
        },
        seed: u64::from(run),
    };
    let r = storm(&admin, &tablets, &opts).await?;
    for e in r.failed.iter().chain(r.refused.iter()).take(10) {
        eprintln!("  {e}");
    }
    let p = |v: &[f64], q| round2(percentile(v, q));
    println!(
        "{}",
        json!({
            "vote_id": r.vote_id,
            "tablets": n,
            "acked": r.acked,
            "refused": r.refused.len(),
            "failed": r.failed.len(),
            "reconnects": r.reconnects,
            "retries_ok": r.retries_ok,
            "retries_bad": r.retries_bad,
            "lost": r.lost,
            "tally_correct": r.tally_correct,
            "sent": { "for": r.expected.for_, "against": r.expected.against, "abstain": r.expected.abstain },
            "open_p99_ms": p(&r.open_ms, 99.0),
            "ack_p50_ms": p(&r.ack_ms, 50.0),
            "ack_p99_ms": p(&r.ack_ms, 99.0),
        })
    );
    if !r.tally_correct || r.lost > 0 || !r.failed.is_empty() {
        bail!("the vote did not come out as sent");
    }
    Ok(())
}
