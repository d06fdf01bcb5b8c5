//! `ballot-bench [--ballots N] [--threads T]`: times the ballot cryptography and prints one JSON
//! line. Run in release: `cargo run --release -p congress-ballot --bin ballot-bench`.

// A benchmark measures wall-clock time: it reads the clock itself (clippy.toml bans that
// elsewhere).
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use congress_ballot::testkit::run_dkg;
use congress_ballot::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// CPU seconds used by this process so far (user + system, from /proc/self/stat; 0 if absent).
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// The 1-minute load average (other work on the machine inflates every figure).
fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

fn arg(name: &str, default: usize) -> Res<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args.get(i + 1).ok_or("missing value")?.parse()?),
        None => Ok(default),
    }
}

/// Kept names for voter `i`: a spread of 0..=53 names out of 60.
fn selection(i: usize) -> Selection {
    let kept = (i * 7) % 54;
    Selection::Options((0..kept as u32).map(|k| (k + i as u32) % 60).collect())
}

fn main() -> Res<()> {
    let n_ballots = arg("--ballots", 2000)?;
    let threads = arg("--threads", 0)?;
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let t0 = Instant::now();
    let sim = run_dkg(&mut rng, "bench", 5, 3, None)?;
    let dkg_ms = ms(t0);
    let joint = sim.qualified.joint_key().compress().to_bytes();
    let election = VoteContext::new(
        sim.setup.clone(),
        VoteParams {
            vote_id: "bench-election".into(),
            question: Question::election(60, 53),
        },
        &joint,
    )?;
    let motion = VoteContext::new(
        sim.setup.clone(),
        VoteParams {
            vote_id: "bench-motion".into(),
            question: Question::motion(),
        },
        &joint,
    )?;

    // Single ballots.
    let cred = Credential::generate(&mut rng);
    let mut enc = Vec::new();
    let mut ver = Vec::new();
    let mut size = 0;
    for i in 0..15 {
        let t = Instant::now();
        let b = Ballot::cast(&mut rng, &election, &cred, &selection(i * 5 + 53))?;
        enc.push(ms(t));
        let t = Instant::now();
        verify_ballot(&election, &b)?;
        ver.push(ms(t));
        size = b.to_bytes().len();
    }
    let (mut menc, mut mver) = (Vec::new(), Vec::new());
    let mut motion_size = 0;
    for i in 0..50 {
        let t = Instant::now();
        let b = Ballot::cast(&mut rng, &motion, &cred, &Selection::Options(vec![i % 3]))?;
        menc.push(ms(t));
        motion_size = b.to_bytes().len();
        let t = Instant::now();
        verify_ballot(&motion, &b)?;
        mver.push(ms(t));
    }

    // 2,000 distinct voters, cast in parallel (not timed as verification).
    let voters: Vec<Credential> = (0..n_ballots)
        .map(|_| Credential::generate(&mut rng))
        .collect();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let per = n_ballots.div_ceil(workers).max(1);
    let t = Instant::now();
    let mut ballots: Vec<Ballot> = std::thread::scope(|s| {
        let hs: Vec<_> = voters
            .chunks(per)
            .enumerate()
            .map(|(k, chunk)| {
                let election = &election;
                s.spawn(move || -> Result<Vec<Ballot>> {
                    let mut rng = ChaCha20Rng::seed_from_u64(k as u64);
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, c)| Ballot::cast(&mut rng, election, c, &selection(k * per + i)))
                        .collect()
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().map_err(|_| Error::Proof("panic".into()))?)
            .collect::<Result<Vec<Vec<Ballot>>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    let cast_all_s = t.elapsed().as_secs_f64();
    ballots.sort_by_key(|b| b.tracker().hash);

    let refs: Vec<&Ballot> = ballots.iter().collect();
    let load_before = load();
    let cpu = cpu_s();
    let t = Instant::now();
    let tally = verify_and_tally(&election, &refs, threads)
        .map_err(|b| format!("{} bad ballots", b.len()))?;
    let verify_batch_s = t.elapsed().as_secs_f64();
    let verify_batch_cpu_s = cpu_s() - cpu;

    let t = Instant::now();
    let partials: Vec<PartialDecryption> = [1u16, 2, 3]
        .iter()
        .filter_map(|m| sim.shares.get(m))
        .map(|s| partial_decrypt(&mut rng, &election, s, &tally))
        .collect();
    let partial_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let decrypted = decrypt_tally(
        &election,
        &sim.qualified,
        &tally,
        &partials,
        ballots.len() as u64,
    )?;
    let decrypt_s = t.elapsed().as_secs_f64();

    let mut credentials: Vec<Hex32> = voters.iter().map(|c| Hex32(c.public())).collect();
    credentials.sort();
    let board = Board {
        version: BOARD_VERSION,
        setup: sim.setup.clone(),
        dkg: sim.transcript.clone(),
        joint_public_key: Hex32(joint),
        vote: election.vote.clone(),
        credentials,
        participation: ballots.len() as u64,
        ballots: ballots.iter().map(BoardBallot::from).collect(),
        tally: tally.iter().map(WireCiphertext::from).collect(),
        partials,
        result: decrypted.counts,
    };
    let t = Instant::now();
    let json = serde_json::to_string(&board)?;
    let board_json_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    verify_board_threads(&board, threads).map_err(|r| r.to_string())?;
    let verify_board_s = t.elapsed().as_secs_f64();

    let out = serde_json::json!({
        "ballots": n_ballots,
        "candidates": 60,
        "seats": 53,
        "threads": if threads == 0 { workers } else { threads },
        "dkg_5_of_3_ms": dkg_ms,
        "encrypt_prove_ms": median(enc),
        "verify_one_ms": median(ver),
        "ballot_bytes": size,
        "motion_ballot_bytes": motion_size,
        "motion_encrypt_prove_ms": median(menc),
        "motion_verify_one_ms": median(mver),
        "cast_all_s": cast_all_s,
        "verify_batch_2000_s": verify_batch_s,
        "verify_batch_2000_cpu_s": verify_batch_cpu_s,
        "load_avg_1min": load_before,
        "partial_decrypt_3_members_s": partial_s,
        "decrypt_s": decrypt_s,
        "board_json_mb": json.len() as f64 / 1e6,
        "board_json_s": board_json_s,
        "verify_board_s": verify_board_s,
    });
    println!("{out}");
    Ok(())
}
