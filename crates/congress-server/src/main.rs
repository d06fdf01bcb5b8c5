//! `congress`: the server's command line. Thin: parsing and printing; the work is in the library.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use congress_domain::CongressCommand;
use congress_proto::OperatorRole;
use congress_server::{Config, auth, import, photo_import, setup};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Parser)]
#[command(name = "congress", version, about = "The paperless congress server")]
struct Cli {
    /// Configuration file (TOML); CONGRESS_* environment variables override it.
    #[arg(long, global = true, env = "CONGRESS_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder (database, keys); overrides the config file.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the congress in the data folder.
    Serve(ServeArgs),
    /// Create the demo congress from a fixtures folder (once) and serve it, with a fresh
    /// one-time password for the operator `admin`.
    Demo {
        #[arg(long, default_value = "fixtures/demo")]
        fixtures: PathBuf,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Import the congress (congress.toml) and/or delegates (CSV) into the data folder.
    Import {
        #[arg(long)]
        congress: Option<PathBuf>,
        #[arg(long)]
        delegates: Option<PathBuf>,
        /// Enrol delegates' faces from a folder of photos named `<delegate id>.jpg` or `.png`.
        #[arg(long)]
        photos: Option<PathBuf>,
    },
    /// Delete every face enrolment (embeddings and photos); the purge is journalled.
    PurgeBiometrics,
    /// Manage operators.
    Operator {
        #[command(subcommand)]
        command: OperatorCmd,
    },
    /// Check the journal's hash chain and that replaying it rebuilds the stored state.
    Verify {
        /// Also check journal heads collected from devices (the consoles' "Download witness
        /// heads"): a JSON array of `{"seq": N, "hash": "64 hex digits"}`, or one such object
        /// per line. A head whose hash differs, or beyond the journal's end, is a problem: the
        /// record was rewritten or truncated after a device saw it.
        #[arg(long, value_name = "FILE")]
        witness: Vec<PathBuf>,
    },
    /// Check a secret vote's bulletin board (`GET /api/votes/ID/board.json`) from its content
    /// alone: the key ceremony, every ballot's proofs and signature, the tally, each partial
    /// decryption and the counts. Needs neither the data folder nor the server.
    VerifyElection {
        /// The board JSON file.
        board: PathBuf,
    },
    /// Write the minutes of the congress (read-only: works beside a running server).
    Minutes {
        /// pdf (needs Chromium), html or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// vi, en or ar.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// Where to write them.
        #[arg(long)]
        out: PathBuf,
    },
    /// Delete personal data now (the server must be stopped); every purge is journalled.
    Purge {
        /// Face enrolments (embeddings and photos).
        #[arg(long)]
        biometrics: bool,
        /// Document contents (encrypted files, delivery copies, search text); titles and
        /// versions stay in the minutes.
        #[arg(long)]
        documents: bool,
    },
    /// Print the OpenAPI 3.1 description of the REST API (also at GET /api/openapi.json).
    Openapi,
    /// Back up the data folder into a new folder under --to (online: safe while serving).
    Backup {
        /// The backup root (another disk); each backup is a new folder in it.
        #[arg(long)]
        to: PathBuf,
        /// Keep only the newest N backups in --to.
        #[arg(long)]
        keep: Option<usize>,
    },
    /// Restore a backup into a new, empty data folder (given with --data), then verify it.
    Restore {
        /// A backup folder, or a backup root (its newest backup is used).
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 picks a free port).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Folder holding console/dist, tablet-app/dist and kiosk/dist.
    #[arg(long)]
    web_root: Option<PathBuf>,
    /// HTTPS with the congress CA (on, the default) or plain HTTP (off).
    #[arg(long)]
    tls: Option<congress_server::tls::TlsMode>,
    /// Plain-HTTP listener that redirects to HTTPS and serves /ca.pem (with TLS on), or "off".
    #[arg(long)]
    http_redirect_listen: Option<congress_server::config::RedirectListen>,
}

#[derive(Subcommand)]
enum OperatorCmd {
    /// Add (or update) an operator. The password is read from stdin, or generated and printed.
    Add {
        username: String,
        /// One or more of admin, secretariat, credentials, observer.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(congress_server::logging::filter(
            std::env::var("CONGRESS_LOG").ok().as_deref(),
        ))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A hall server holds a socket per tablet: raise the open-file limit as far as allowed.
    if let Err(e) = rlimit::increase_nofile_limit(65_536) {
        tracing::warn!(error = %e, "cannot raise the open-file limit");
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut cfg = Config::load(cli.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Some(d) = &cli.data {
        cfg.data_dir = d.clone();
    }
    Ok(cfg)
}

/// The database of an existing data folder, unlocked (prompting for the passphrase).
fn existing_db(cfg: &mut Config) -> anyhow::Result<congress_store::Db> {
    let path = cfg.database_path();
    if !path.exists() {
        bail!("no database at {}", path.display());
    }
    ask_passphrase(cfg)?;
    Ok(congress_server::keys::unlock_existing(&cfg.data_dir, cfg)?.db)
}

/// When encryption at rest is on and neither `CONGRESS_PASSPHRASE` nor `CONGRESS_SHARES` is
/// set, asks the operator for the passphrase on the terminal (one line on standard input).
/// Without a terminal the environment must give it.
fn ask_passphrase(cfg: &mut Config) -> anyhow::Result<()> {
    use congress_server::keys::{Encryption, Passphrase, Unlock};
    if cfg.unlock.is_some() || cfg.at_rest.encryption == Encryption::Off {
        return Ok(());
    }
    let keyring = congress_server::keys::Keyring::path(&cfg.data_dir);
    let plain_old_folder = !keyring.is_file()
        && cfg.database_path().is_file()
        && congress_store::Db::file_is_plain(&cfg.database_path());
    if plain_old_folder && !std::io::stdin().is_terminal() {
        // A folder from before encryption opens without a passphrase only to be read.
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "the data folder {} is encrypted: set CONGRESS_PASSPHRASE (or CONGRESS_SHARES), or run on a terminal to be asked",
            cfg.data_dir.display()
        );
    }
    if keyring.is_file() {
        eprint!("passphrase for {}: ", cfg.data_dir.display());
    } else {
        eprint!(
            "new passphrase for the data folder {} (it cannot be recovered; keep it safe): ",
            cfg.data_dir.display()
        );
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let pass = line.trim_end_matches(['\r', '\n']).to_string();
    if pass.is_empty() {
        bail!("no passphrase given");
    }
    cfg.unlock = Some(Unlock::Passphrase(Passphrase::new(pass)));
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let mut cfg = load_config(&cli)?;
    let needs_key = !matches!(
        cli.command,
        Cmd::Openapi
            | Cmd::Restore { .. }
            | Cmd::Verify { .. }
            | Cmd::Minutes { .. }
            | Cmd::Backup { .. }
            | Cmd::Demo { .. }
    ) && !matches!(
        cli.command,
        Cmd::Operator {
            command: OperatorCmd::Add {
                password_stdin: true,
                ..
            }
        }
    );
    if needs_key {
        ask_passphrase(&mut cfg)?;
    }
    match cli.command {
        Cmd::Serve(args) => {
            apply_serve_args(&mut cfg, &args);
            let app = congress_server::open(cfg)?;
            serve(app, None).await?;
        }
        Cmd::Demo {
            fixtures,
            serve: args,
        } => {
            apply_serve_args(&mut cfg, &args);
            if cli.data.is_none()
                && std::env::var_os("CONGRESS_DATA_DIR").is_none()
                && cli.config.is_none()
            {
                cfg.data_dir = PathBuf::from(".cache/demo-data");
            }
            if cfg.unlock.is_none()
                && cfg.at_rest.encryption == congress_server::keys::Encryption::On
            {
                // The demo's data folder is encrypted like any other, under a passphrase that
                // is no secret: a real congress sets its own.
                eprintln!(
                    "demo: the data folder is encrypted with the passphrase \"demo\" (set CONGRESS_PASSPHRASE to choose one)"
                );
                cfg.unlock = Some(congress_server::keys::Unlock::Passphrase(
                    congress_server::keys::Passphrase::new("demo"),
                ));
            }
            let app = congress_server::open(cfg)?;
            let fresh = app.engine.read(|s| s.congress.is_none());
            if fresh {
                import_files(
                    &app,
                    Some(&fixtures.join("congress.toml")),
                    Some(&fixtures.join("delegates.csv")),
                )
                .await?;
            }
            let password = auth::new_password();
            setup::save_operator(
                &app.engine,
                "admin",
                "Quản trị viên",
                vec![OperatorRole::Admin],
                &password,
                "cli",
            )
            .await?;
            serve(app, Some(password)).await?;
        }
        Cmd::Import {
            congress,
            delegates,
            photos,
        } => {
            if congress.is_none() && delegates.is_none() && photos.is_none() {
                bail!(
                    "nothing to import: give --congress FILE.toml, --delegates FILE.csv and/or --photos DIR"
                );
            }
            if photos.is_some() {
                if cfg.face_check_in == congress_server::face::FaceMode::Off {
                    bail!("--photos needs face recognition, but face_check_in is off");
                }
                cfg.face_check_in = congress_server::face::FaceMode::On;
            } else {
                cfg.face_check_in = congress_server::face::FaceMode::Off;
            }
            let app = congress_server::open(cfg)?;
            import_files(&app, congress.as_deref(), delegates.as_deref()).await?;
            let n = app.engine.read(|s| s.delegates.len());
            println!("imported; the congress now lists {n} delegates");
            if let Some(dir) = photos {
                let code = photo_import::run(&app, &dir).await?;
                if code != 0 {
                    return Ok(std::process::ExitCode::from(code));
                }
            }
        }
        Cmd::PurgeBiometrics => {
            cfg.face_check_in = congress_server::face::FaceMode::Off;
            let app = congress_server::open(cfg)?;
            let n = congress_server::face::purge_biometrics(&app).await?;
            let left = congress_store::SqliteStore::open(&app.keys.db)?.face_enrolment_count()?;
            println!(
                "purged the face enrolments of {n} delegates (embeddings and photos); {left} left"
            );
        }
        Cmd::Operator {
            command:
                OperatorCmd::Add {
                    username,
                    roles,
                    display_name,
                    password_stdin,
                },
        } => {
            let roles = roles
                .iter()
                .map(|r| {
                    OperatorRole::parse(r).with_context(|| {
                        format!("unknown role {r:?} (admin, secretariat, credentials, observer)")
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                (s.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (auth::new_password(), true)
            };
            let app = congress_server::open(cfg)?;
            let name = display_name.unwrap_or_else(|| username.clone());
            setup::save_operator(&app.engine, &username, &name, roles, &password, "cli").await?;
            if generated {
                println!("operator {username} saved; password: {password}");
            } else {
                println!("operator {username} saved");
            }
        }
        Cmd::Minutes { format, lang, out } => {
            let format = congress_server::minutes::Format::parse(&format)
                .with_context(|| format!("unknown format {format:?}: use pdf, html or csv"))?;
            let lang = congress_minutes::Lang::parse(&lang)
                .with_context(|| format!("unknown language {lang:?}: use vi, en or ar"))?;
            let db = existing_db(&mut cfg)?;
            let bytes = congress_server::minutes::render(db, format, lang, &cfg.minutes)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
        }
        Cmd::Purge {
            biometrics,
            documents,
        } => {
            if !biometrics && !documents {
                bail!("nothing to purge: give --biometrics and/or --documents");
            }
            cfg.face_check_in = congress_server::face::FaceMode::Off;
            let app = congress_server::open(cfg)?;
            let r = congress_server::retention::Retention::from_app(&app);
            if biometrics {
                let n = r.purge_biometrics("cli").await?;
                println!("purged the face enrolments of {n} delegates (embeddings and photos)");
            }
            if documents {
                let p = r.purge_documents("cli", "cli").await?;
                println!(
                    "purged the content of {} document versions ({} files deleted); titles and versions stay in the minutes",
                    p.versions, p.files
                );
            }
        }
        Cmd::Openapi => print!("{}", congress_server::openapi::openapi_json_text()),
        Cmd::Verify { witness } => {
            let mut heads = Vec::new();
            for file in &witness {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                heads.extend(
                    congress_store::witness::parse_heads(&text)
                        .with_context(|| format!("{}", file.display()))?,
                );
            }
            let db = existing_db(&mut cfg)?;
            let report = congress_store::verify(&db)?;
            println!("events: {}", report.events);
            println!("head:   {}", report.head_hash);
            let mut problems = report.problems.clone();
            if report.ok() {
                println!("ok: the hash chain is intact and replaying it rebuilds the stored state");
            }
            if !witness.is_empty() {
                let w = congress_store::verify_witness(&db, &heads)?;
                if w.ok() {
                    println!("ok: the {} witness heads match the journal", heads.len());
                }
                problems.extend(w.problems);
            }
            if !problems.is_empty() {
                for p in &problems {
                    println!("problem: {p}");
                }
                return Ok(std::process::ExitCode::from(2));
            }
        }
        Cmd::VerifyElection { board } => {
            let text = std::fs::read_to_string(&board)
                .with_context(|| format!("cannot read {}", board.display()))?;
            let board: congress_ballot::Board = serde_json::from_str(&text)
                .with_context(|| "the file is not a bulletin board (docs/ballot-crypto.md)")?;
            match congress_ballot::verify_board(&board) {
                Ok(v) => {
                    println!("vote:       {}", board.vote.vote_id);
                    println!(
                        "ballots:    {} (every proof and signature checks)",
                        v.ballots
                    );
                    println!(
                        "key:        dealers {:?}, excluded {:?}",
                        v.qualified, v.excluded
                    );
                    println!("decrypted:  by members {:?}", v.decryptors);
                    println!(
                        "counts:     {:?} (the options in order, then blank)",
                        v.result
                    );
                    println!("ok: the published count follows from the published ballots");
                }
                Err(report) => {
                    for p in &report.problems {
                        println!("problem: {}: {}", p.at, p.what);
                    }
                    return Ok(std::process::ExitCode::from(2));
                }
            }
        }
        Cmd::Backup { to, keep } => {
            let data = cfg.data_dir.clone();
            let db = existing_db(&mut cfg)?;
            let r = tokio::task::spawn_blocking(move || {
                congress_server::backup::backup(&data, &db, &to, keep)
            })
            .await??;
            println!(
                "backup {} — journal seq {}, {} files ({} linked), {:.1} MB copied, {} ms",
                r.path.display(),
                r.manifest.journal.seq,
                r.manifest.files.len() + 1,
                r.linked,
                r.copied_bytes as f64 / 1e6,
                r.took.as_millis()
            );
            for p in &r.removed {
                println!("removed old backup {}", p.display());
            }
        }
        Cmd::Restore { from } => {
            let Some(data) = cli.data.clone() else {
                bail!("give the new data folder with --data DIR (it must be absent or empty)");
            };
            // The backup carries its own keyring: its passphrase (or shares) unlock it.
            ask_passphrase(&mut cfg)?;
            let r = tokio::task::spawn_blocking(move || {
                congress_server::backup::restore(&from, &data, &cfg)
            })
            .await??;
            println!(
                "restored {} (journal seq {}, taken {}) in {} ms",
                r.from.display(),
                r.manifest.journal.seq,
                r.manifest.created_at,
                r.took.as_millis()
            );
            println!(
                "ok: {} events; the hash chain is intact and replaying it rebuilds the stored state",
                r.events
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn apply_serve_args(cfg: &mut Config, args: &ServeArgs) {
    if let Some(l) = args.listen {
        cfg.listen = l;
    }
    if let Some(w) = &args.web_root {
        cfg.web_root = w.clone();
    }
    if let Some(t) = args.tls {
        cfg.tls = t;
    }
    if let Some(r) = args.http_redirect_listen {
        cfg.http_redirect_listen = r;
    }
}

async fn import_files(
    app: &congress_server::AppState,
    congress: Option<&Path>,
    delegates: Option<&Path>,
) -> anyhow::Result<()> {
    // Read and check everything first: a bad file applies nothing.
    let file = congress.map(import::read_congress).transpose()?;
    let parsed = match delegates {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let lines = bytes
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                .saturating_sub(1);
            let bar = if std::io::stderr().is_terminal() {
                ProgressBar::new(lines as u64)
            } else {
                ProgressBar::hidden()
            };
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("checking delegates");
            let ds = import::parse_delegates(&bytes, |n| bar.set_position(n as u64));
            bar.finish_and_clear();
            Some(ds?)
        }
        None => None,
    };
    if let Some(file) = &file {
        setup::define_congress(&app.engine, file, "cli").await?;
    }
    if let Some(ds) = parsed {
        let n = ds.len();
        app.engine
            .run(CongressCommand::ImportDelegates(ds), "cli")
            .await?;
        eprintln!("imported {n} delegates");
    }
    Ok(())
}

async fn serve(app: congress_server::AppState, password: Option<String>) -> anyhow::Result<()> {
    let listen = app.config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (is another server running?)"))?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let scheme = if app.tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{host}:{}", addr.port());
    // With TLS: the plain-HTTP port that redirects to HTTPS and serves the CA certificate.
    let redirect = match (&app.tls, app.config.http_redirect_listen.0) {
        (Some(_), Some(at)) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen on {at} for the HTTP redirect (http_redirect_listen; \"off\" for none)"))?,
        ),
        _ => None,
    };
    let http_url = match &redirect {
        Some(l) => Some(format!("http://{host}:{}", l.local_addr()?.port())),
        None => None,
    };
    let (name, delegates) = app.engine.read(|s| {
        (
            s.congress
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            s.delegates.len(),
        )
    });
    println!("{name} — {delegates} delegates");
    println!("  operator console: {url}/console/");
    println!("  hall projector:   {url}/console/projector.html");
    println!("  tablet app:       {url}/tablet/");
    println!("  kiosk:            {url}/kiosk/");
    let mut ready = serde_json::json!({ "url": url });
    if let Some(tls) = &app.tls {
        let path = std::fs::canonicalize(&tls.ca.path).unwrap_or_else(|_| tls.ca.path.clone());
        println!("  congress CA:      {}", path.display());
        println!("  CA SHA-256:       {}", tls.ca.sha256());
        println!(
            "  (a tablet or kiosk trusts this CA once: see README, \"Trusting the congress CA\")"
        );
        ready["ca_path"] = path.display().to_string().into();
        ready["ca_sha256"] = tls.ca.sha256().into();
    }
    if let Some(h) = &http_url {
        println!("  plain HTTP:       {h}  (redirects to HTTPS; {h}/ca.pem is the CA certificate)");
        ready["http_url"] = h.clone().into();
    }
    if let Some(pw) = &password {
        println!("  operator login:   admin / {pw}   (one-time: a new one each start)");
        ready["admin_user"] = "admin".into();
        ready["admin_password"] = pw.clone().into();
    }
    println!("ready: {ready}");
    if let Some(l) = redirect {
        let app = app.clone();
        let port = addr.port();
        tokio::spawn(async move {
            if let Err(e) = congress_server::serve_redirect(l, &app, port).await {
                tracing::error!(error = %e, "the HTTP redirect listener stopped");
            }
        });
    }
    congress_server::serve(listener, app, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
