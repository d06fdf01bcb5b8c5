//! `congress-bench docs-serve`: a large document served by the real server to many tablets at
//! once on loopback. Pairs `--clients` tablets (each with its own age recipient), uploads a PDF of
//! `--size-mib` MiB, waits until the delivery copy is encrypted to all of them, then measures one
//! download alone and `--clients` concurrent downloads: aggregate throughput, time to last byte,
//! and the server's resident memory (sampled every 10 ms) in each phase.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_client::Api;
use congress_proto::{
    CreatePairingCode, DeviceKind, DocumentAdmin, PairRequest, PairResponse, PairingCode, UploadAck,
};
use futures_util::StreamExt;
use serde_json::json;

use crate::ServerProcess;
use crate::server::delegate_id;
use crate::stats::{percentile, round2};

/// A valid PDF of about `size` bytes: one page of text and an unreferenced stream of filler.
pub fn big_pdf(size: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let content = b"BT /F1 24 Tf 72 700 Td (Bao cao chinh tri - benchmark) Tj ET";
    let filler_len = size.saturating_sub(1000);
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj(
        &mut out,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    );
    let mut c = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    c.extend_from_slice(content);
    c.extend_from_slice(b"\nendstream");
    obj(&mut out, &c);
    obj(
        &mut out,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    );
    let mut f = format!("<< /Length {filler_len} >>\nstream\n").into_bytes();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    f.extend((0..filler_len).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    }));
    f.extend_from_slice(b"\nendstream");
    obj(&mut out, &f);
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Samples the server's resident memory until stopped; returns the peak in MiB.
fn sample_rss(pid: u32, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<f64> {
    std::thread::spawn(move || {
        let mut peak: f64 = 0.0;
        while !stop.load(Ordering::Relaxed) {
            let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
            {
                peak = peak.max(kb / 1024.0);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        peak
    })
}

async fn download(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<(u64, f64)> {
    let t = Instant::now();
    let resp = client.get(url).bearer_auth(token).send().await?;
    if resp.status() != 200 {
        bail!("download answered {}", resp.status());
    }
    let mut n = 0u64;
    let mut body = resp.bytes_stream();
    while let Some(chunk) = body.next().await {
        n += chunk?.len() as u64;
    }
    Ok((n, t.elapsed().as_secs_f64()))
}

pub async fn run(
    server: &ServerProcess,
    admin: &Api,
    clients: usize,
    size_mib: usize,
) -> anyhow::Result<serde_json::Value> {
    // Pair the tablets, each with its own recipient.
    let t = Instant::now();
    let tokens: Vec<anyhow::Result<String>> = futures_util::stream::iter(1..=clients)
        .map(|i| {
            let admin = admin.clone();
            async move {
                let code: PairingCode = admin
                    .post(
                        "/api/devices/pairing-codes",
                        &CreatePairingCode {
                            kind: DeviceKind::Tablet,
                            delegate_id: Some(delegate_id(i)),
                            label: None,
                            direction: None,
                        },
                    )
                    .await?;
                let recipient = congress_docs::Identity::generate().to_public().to_string();
                let anon = Api::new(admin.base());
                let paired: PairResponse = anon
                    .post(
                        "/api/devices/pair",
                        &PairRequest {
                            code: code.code,
                            recipient: Some(recipient),
                            credential: None,
                        },
                    )
                    .await?;
                Ok(paired.device_token)
            }
        })
        .buffered(16)
        .collect()
        .await;
    let tokens: Vec<String> = tokens.into_iter().collect::<anyhow::Result<_>>()?;
    eprintln!(
        "paired {clients} tablets in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let pdf = big_pdf(size_mib * 1024 * 1024);
    let t = Instant::now();
    let (status, body) = admin
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=Benchmark&audience=all&file_name=bench.pdf",
            "application/pdf",
            pdf,
        )
        .await?;
    if status != 200 {
        bail!("upload answered {status}: {body}");
    }
    let upload_s = t.elapsed().as_secs_f64();
    let ack: UploadAck = serde_json::from_str(&body)?;
    let id = ack.document.id;
    let delivery = loop {
        let d: DocumentAdmin = admin.get(&format!("/api/documents/{id}")).await?;
        if let Some(del) = d.document.versions.last().and_then(|v| v.delivery.clone())
            && del.devices.len() == clients
        {
            break del;
        }
        if t.elapsed() > Duration::from_secs(600) {
            bail!("the delivery copy was not ready within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ready_s = t.elapsed().as_secs_f64();
    eprintln!(
        "uploaded {size_mib} MiB in {upload_s:.1} s; encrypted to {clients} tablets after {ready_s:.1} s"
    );
    let url = format!("{}/api/documents/{id}/versions/1/content", server.url);
    let (_, rss_idle) = server.memory_mib();

    // One client alone.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample_rss(server.pid, stop.clone());
    let (n, one_s) = download(&client, &url, &tokens[0]).await?;
    stop.store(true, Ordering::Relaxed);
    let rss_one = sampler.join().unwrap_or(0.0);
    if n != delivery.size {
        bail!("got {n} bytes, expected {}", delivery.size);
    }
    eprintln!("one client: {:.0} MiB/s", n as f64 / 1048576.0 / one_s);

    // All at once.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample_rss(server.pid, stop.clone());
    let total = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .map(|tok| {
            let client = client.clone();
            let url = url.clone();
            let tok = tok.clone();
            let total = total.clone();
            tokio::spawn(async move {
                let r = download(&client, &url, &tok).await;
                if let Ok((n, _)) = &r {
                    total.fetch_add(*n, Ordering::Relaxed);
                }
                r
            })
        })
        .collect();
    let mut ttlb = Vec::with_capacity(clients);
    for task in tasks {
        let (n, secs) = task.await.context("download task")??;
        if n != delivery.size {
            bail!("a client got {n} bytes, expected {}", delivery.size);
        }
        ttlb.push(secs);
    }
    let wall = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let rss_many = sampler.join().unwrap_or(0.0);
    let bytes = total.load(Ordering::Relaxed) as f64;
    ttlb.sort_by(f64::total_cmp);
    Ok(json!({
        "clients": clients,
        "size_mib": size_mib,
        "ciphertext_bytes": delivery.size,
        "upload_s": round2(upload_s),
        "encrypted_for_all_s": round2(ready_s),
        "one_client_mib_s": round2(n as f64 / 1048576.0 / one_s),
        "aggregate_mib_s": round2(bytes / 1048576.0 / wall),
        "time_to_last_byte_s": {
            "p50": round2(percentile(&ttlb, 50.0)),
            "p99": round2(percentile(&ttlb, 99.0)),
            "max": round2(ttlb.last().copied().unwrap_or(0.0)),
        },
        "server_rss_mib": {
            "idle": round2(rss_idle),
            "one_client_peak": round2(rss_one),
            "concurrent_peak": round2(rss_many),
        },
    }))
}
