//! The counting board from outside the server: members' tablets (each with a voting credential
//! and an age identity) go through the key ceremony over the real API and websockets, and
//! decrypt a closed secret vote's tally, as the tablet app does (`docs/ballot-crypto.md`).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use congress_ballot::{
    BoardSetup, Credential, Dealer, DkgTranscript, KeyShare, Question, Scalar, VoteContext,
    VoteParams, WireCiphertext, partial_decrypt, qualify, receive_share,
};
use congress_client::{Api, Live};
use congress_proto::*;
use rand_core::{CryptoRng, RngCore};

/// A tablet paired with a voting credential and an age identity (what the tablet app
/// generates at pairing).
pub struct CredentialTablet {
    pub api: Api,
    pub credential: Credential,
    pub identity: age::x25519::Identity,
}

/// Pairs a tablet for `delegate`, registering a fresh credential and age recipient.
pub async fn pair_with_credential<R: RngCore + CryptoRng>(
    admin: &Api,
    delegate: &str,
    rng: &mut R,
) -> anyhow::Result<CredentialTablet> {
    let credential = Credential::generate(rng);
    let identity = age::x25519::Identity::generate();
    let (api, _) = admin
        .pair_device_with(
            DeviceKind::Tablet,
            Some(delegate),
            Some(identity.to_public().to_string()),
            Some(hex::encode(credential.public())),
        )
        .await?;
    Ok(CredentialTablet {
        api,
        credential,
        identity,
    })
}

/// A board member's tablet after the ceremony: its socket and its key share.
pub struct Member {
    pub index: u16,
    pub live: Live,
    pub key: KeyShare,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn answer(live: &mut Live, client_id: &str) -> anyhow::Result<()> {
    match tokio::time::timeout(Duration::from_secs(60), live.next_answer(client_id))
        .await
        .context("no answer within 60 s")??
    {
        Ok(_) => Ok(()),
        Err((code, msg)) => bail!("{client_id} refused: {code}: {msg}"),
    }
}

async fn transcript(api: &Api) -> anyhow::Result<(BoardTranscript, BoardSetup, DkgTranscript)> {
    let t: BoardTranscript = api.get("/api/board/transcript").await?;
    let setup: BoardSetup = serde_json::from_str(&t.setup)?;
    let dkg: DkgTranscript = serde_json::from_str(&t.transcript)?;
    Ok((t, setup, dkg))
}

/// The secretariat (`admin`) defines the board of `tablets` (in member order, their delegates
/// `delegates`) with `threshold`; every member deals, checks what it received and combines its
/// key share. Returns the members once the board's key is ready.
pub async fn elect_board<R: RngCore + CryptoRng>(
    admin: &Api,
    tablets: &[CredentialTablet],
    delegates: &[String],
    threshold: u16,
    rng: &mut R,
) -> anyhow::Result<Vec<Member>> {
    let view: BoardView = admin
        .post(
            "/api/board",
            &DefineBoard {
                client_id: format!("bench-board-{}", rng.next_u64()),
                members: delegates.to_vec(),
                threshold,
            },
        )
        .await?;
    if view.phase != BoardPhase::Dealing {
        bail!("the board is {:?}, not dealing", view.phase);
    }
    let n = tablets.len() as u16;
    let mut lives = Vec::new();
    for (i, t) in tablets.iter().enumerate() {
        let (mut live, _) = Live::connect(&t.api, "tablet", None).await?;
        let (_, setup, _) = transcript(&t.api).await?;
        let index = i as u16 + 1;
        let (dealer, msg) = Dealer::new(rng, &setup, index, &t.credential)?;
        let mut shares = Vec::new();
        for to in 1..=n {
            let recipient = tablets[usize::from(to) - 1].identity.to_public();
            let envelope = dealer.share_envelope(to, &t.credential);
            shares.push(SealedShare {
                member: to,
                age: b64(&age::encrypt(&recipient, &envelope)?),
            });
        }
        let id = format!("bench-deal-{index}");
        live.send(&ClientMsg::BoardDeal {
            client_id: id.clone(),
            dealer: serde_json::to_string(&msg)?,
            shares,
        })
        .await?;
        answer(&mut live, &id).await?;
        lives.push(live);
    }
    let mut members = Vec::new();
    for (i, (t, mut live)) in tablets.iter().zip(lives).enumerate() {
        let index = i as u16 + 1;
        let (tr, setup, dkg) = transcript(&t.api).await?;
        let mut received: BTreeMap<u16, Scalar> = BTreeMap::new();
        for sealed in &tr.my_shares {
            let bytes = base64::engine::general_purpose::STANDARD.decode(&sealed.age)?;
            let envelope = age::decrypt(&t.identity, &bytes)?;
            let dealer = dkg
                .dealers
                .iter()
                .find(|d| d.dealer == sealed.member)
                .context("a share without its dealer's message")?;
            received.insert(
                sealed.member,
                receive_share(&setup, dealer, index, &envelope)?,
            );
        }
        let id = format!("bench-check-{index}");
        live.send(&ClientMsg::BoardCheck {
            client_id: id.clone(),
            complaints: vec![],
        })
        .await?;
        answer(&mut live, &id).await?;
        let q = qualify(&setup, &dkg)?;
        members.push(Member {
            index,
            live,
            key: KeyShare::combine(&q, index, &received)?,
        });
    }
    let view: BoardView = admin.get("/api/board").await?;
    if view.phase != BoardPhase::Ready {
        bail!("the board is {:?} after the ceremony", view.phase);
    }
    Ok(members)
}

/// The ballot context of an encrypted vote, from what the server publishes about it.
pub fn context_of(info: &VoteInfo) -> anyhow::Result<VoteContext> {
    let e = info
        .encryption
        .as_ref()
        .context("the vote is not encrypted")?;
    let setup: BoardSetup = serde_json::from_str(&e.setup)?;
    let mut key = [0u8; 32];
    hex::decode_to_slice(&e.joint_key, &mut key)?;
    Ok(VoteContext::new(
        setup,
        VoteParams {
            vote_id: e.vote_key.clone(),
            question: Question {
                options: e.options,
                blank: e.blank,
                min: e.min,
                max: e.max,
            },
        },
        &key,
    )?)
}

/// Each of `members` decrypts the published encrypted `tally` of `vote_id` and submits its
/// partial decryption.
pub async fn decrypt<R: RngCore + CryptoRng>(
    members: &mut [Member],
    ctx: &VoteContext,
    vote_id: u64,
    tally: &str,
    rng: &mut R,
) -> anyhow::Result<()> {
    let tally: Vec<WireCiphertext> = serde_json::from_str(tally)?;
    let tally = tally
        .iter()
        .map(WireCiphertext::decode)
        .collect::<Result<Vec<_>, _>>()?;
    for m in members {
        let p = partial_decrypt(rng, ctx, &m.key, &tally);
        let id = format!("bench-partial-{vote_id}-{}", m.index);
        m.live
            .send(&ClientMsg::SubmitPartial {
                client_id: id.clone(),
                vote_id,
                partial: serde_json::to_string(&p)?,
            })
            .await?;
        answer(&mut m.live, &id).await?;
    }
    Ok(())
}
