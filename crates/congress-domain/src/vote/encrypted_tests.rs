//! An encrypted secret vote from the board's key ceremony to the declared result, through
//! the domain's rules only (the tablets and members are played with `congress-ballot`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use congress_ballot::{
    Ballot, Complaint, Credential, Dealer, KeyShare, Selection, WireCiphertext, partial_decrypt,
    receive_share, verify_and_tally,
};
use congress_proto::{AttendanceSource, AttendanceStatus, SealedShare};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::board::BoardCommand;
use crate::command::Command;
use crate::error::DomainError;
use crate::testkit::{congress_with, run};
use crate::vote::{Outcome, Secrecy, VoteCommand, VoteId, VoteKind, VoteOption, VoteSpec};
use crate::{AttendanceCommand, CongressState};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn present(s: &mut CongressState, ids: &[&str]) {
    for id in ids {
        run(
            s,
            &AttendanceCommand::SetAttendance {
                delegate_id: (*id).into(),
                status: AttendanceStatus::Present,
                source: AttendanceSource::Operator {
                    username: "op".into(),
                },
                kiosk: None,
                reason: Some("CCCD".into()),
            }
            .into(),
        )
        .unwrap();
    }
}

/// D0001..D0003 hold the board (2 of 3); every delegate has a credential seeded by its number.
fn with_board(rng: &mut ChaCha20Rng) -> (CongressState, Vec<Credential>, BTreeMap<u16, KeyShare>) {
    let mut s = congress_with(5);
    present(&mut s, &["D0001", "D0002", "D0003", "D0004", "D0005"]);
    let creds: Vec<Credential> = (1..=5u8).map(|i| Credential::from_seed(&[i; 32])).collect();
    let members: Vec<(String, String)> = (0..3)
        .map(|i| (format!("D000{}", i + 1), hex(&creds[i].public())))
        .collect();
    run(
        &mut s,
        &BoardCommand::DefineBoard {
            threshold: 2,
            members,
        }
        .into(),
    )
    .unwrap();
    let setup = s.board.setup.clone().unwrap();
    let mut dealers = Vec::new();
    for i in 1..=3u16 {
        let (dealer, msg) = Dealer::new(rng, &setup, i, &creds[usize::from(i) - 1]).unwrap();
        // The domain keeps shares sealed without reading them; here they travel as hex.
        let shares = (1..=3u16)
            .map(|to| SealedShare {
                member: to,
                age: hex(&dealer.share_envelope(to, &creds[usize::from(i) - 1])),
            })
            .collect();
        run(
            &mut s,
            &BoardCommand::Deal {
                delegate_id: format!("D000{i}"),
                dealer: msg,
                shares,
            }
            .into(),
        )
        .unwrap();
        dealers.push(dealer);
    }
    for i in 1..=3u16 {
        run(
            &mut s,
            &BoardCommand::Check {
                delegate_id: format!("D000{i}"),
                complaints: Vec::<Complaint>::new(),
            }
            .into(),
        )
        .unwrap();
    }
    assert!(s.board.key.is_some(), "the key is ready");
    let q = s.board.qualified().unwrap();
    let mut shares = BTreeMap::new();
    for j in 1..=3u16 {
        let mut received = BTreeMap::new();
        for (i, dealer) in dealers.iter().enumerate() {
            let from = i as u16 + 1;
            let env = dealer.share_envelope(j, &creds[i]);
            let msg = &s.board.dealers[&from];
            received.insert(from, receive_share(&setup, msg, j, &env).unwrap());
        }
        shares.insert(j, KeyShare::combine(&q, j, &received).unwrap());
    }
    (s, creds, shares)
}

fn election() -> VoteSpec {
    VoteSpec::new(
        VoteId(0),
        "Bầu Ban Chấp hành",
        VoteKind::Election {
            seats: 2,
            candidates: (1..=3)
                .map(|i| VoteOption::new(i, format!("Ứng viên {i}")))
                .collect(),
        },
        Secrecy::Secret,
    )
}

#[test]
fn an_encrypted_election_from_the_key_ceremony_to_the_result() {
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let (mut s, creds, shares) = with_board(&mut rng);
    run(
        &mut s,
        &VoteCommand::CreateVote {
            spec: election(),
            duration_s: None,
        }
        .into(),
    )
    .unwrap();
    let v = &s.votes[&1];
    assert!(
        v.spec.encrypted,
        "a secret vote is encrypted once the key exists"
    );
    run(&mut s, &VoteCommand::OpenVote { vote_id: 1 }.into()).unwrap();
    let ctx = s.votes[&1].encrypted.as_ref().unwrap().context().unwrap();
    let choices = [
        Selection::Options(vec![0, 1]),
        Selection::Options(vec![0]),
        Selection::Options(vec![0, 2]),
        Selection::Blank,
        Selection::Options(vec![]),
    ];
    let mut ballots = Vec::new();
    for (i, sel) in choices.iter().enumerate() {
        let b = Ballot::cast(&mut rng, &ctx, &creds[i], sel).unwrap();
        let cast = |cred: [u8; 32], delegate: &str| -> Command {
            VoteCommand::CastEncrypted {
                vote_id: 1,
                delegate_id: delegate.into(),
                credential: cred,
                ballot: Box::new(congress_ballot::SignedBallot::check(b.to_bytes()).unwrap()),
            }
            .into()
        };
        let me = format!("D000{}", i + 1);
        // Another tablet's credential is refused; the right one is accepted once.
        let other = creds[(i + 1) % 5].public();
        assert!(run(&mut s, &cast(other, &me)).is_err());
        assert_eq!(run(&mut s, &cast(creds[i].public(), &me)), Ok(1));
        assert!(matches!(
            run(&mut s, &cast(creds[i].public(), &me)),
            Err(DomainError::Vote(_))
        ));
        ballots.push(b);
    }
    // A plaintext ballot is not taken by an encrypted vote.
    assert_eq!(s.votes[&1].cast(), 5);
    run(&mut s, &VoteCommand::CloseVote { vote_id: 1 }.into()).unwrap();
    let refs: Vec<&Ballot> = ballots.iter().collect();
    let tally = verify_and_tally(&ctx, &refs, 1).unwrap();
    run(
        &mut s,
        &VoteCommand::RecordTally {
            vote_id: 1,
            tally: tally.iter().map(WireCiphertext::from).collect(),
            rejected: vec![],
        }
        .into(),
    )
    .unwrap();
    // Member 1 decrypts: not enough yet. A partial in another member's name is refused.
    let p1 = partial_decrypt(&mut rng, &ctx, &shares[&1], &tally);
    let as_other = VoteCommand::SubmitPartial {
        vote_id: 1,
        delegate_id: "D0002".into(),
        partial: p1.clone(),
    };
    assert!(run(&mut s, &as_other.into()).is_err());
    run(
        &mut s,
        &VoteCommand::SubmitPartial {
            vote_id: 1,
            delegate_id: "D0001".into(),
            partial: p1,
        }
        .into(),
    )
    .unwrap();
    assert!(s.votes[&1].result.is_none());
    let p3 = partial_decrypt(&mut rng, &ctx, &shares[&3], &tally);
    run(
        &mut s,
        &VoteCommand::SubmitPartial {
            vote_id: 1,
            delegate_id: "D0003".into(),
            partial: p3,
        }
        .into(),
    )
    .unwrap();
    let r = s.votes[&1].result.clone().expect("declared");
    assert_eq!(
        s.votes[&1].encrypted.as_ref().unwrap().counts,
        Some(vec![3, 1, 1, 1])
    );
    assert_eq!(r.ballots.cast, 5);
    assert_eq!(r.ballots.blank, 1);
    // 5 valid ballots: candidate 1 has 3 (> half), the others 1 each.
    match r.outcome {
        Outcome::Election(e) => assert_eq!(e.elected.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_ceremony_refuses_outsiders_and_a_second_deal() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let mut s = congress_with(4);
    let creds: Vec<Credential> = (1..=3u8).map(|i| Credential::from_seed(&[i; 32])).collect();
    let members = (0..3)
        .map(|i| (format!("D000{}", i + 1), hex(&creds[i].public())))
        .collect();
    run(
        &mut s,
        &BoardCommand::DefineBoard {
            threshold: 2,
            members,
        }
        .into(),
    )
    .unwrap();
    let setup = s.board.setup.clone().unwrap();
    let (dealer, msg) = Dealer::new(&mut rng, &setup, 1, &creds[0]).unwrap();
    let shares: Vec<SealedShare> = (1..=3u16)
        .map(|to| SealedShare {
            member: to,
            age: hex(&dealer.share_envelope(to, &creds[0])),
        })
        .collect();
    let deal = |who: &str, shares: Vec<SealedShare>| -> Command {
        BoardCommand::Deal {
            delegate_id: who.into(),
            dealer: msg.clone(),
            shares,
        }
        .into()
    };
    // Not a member; a member dealing in another's name; a missing share.
    assert!(run(&mut s, &deal("D0004", shares.clone())).is_err());
    assert!(run(&mut s, &deal("D0002", shares.clone())).is_err());
    assert!(run(&mut s, &deal("D0001", shares[..2].to_vec())).is_err());
    assert_eq!(run(&mut s, &deal("D0001", shares.clone())), Ok(1));
    // The same message again changes nothing; checking before everyone dealt is refused.
    assert_eq!(run(&mut s, &deal("D0001", shares)), Ok(0));
    let check = BoardCommand::Check {
        delegate_id: "D0001".into(),
        complaints: vec![],
    };
    assert!(run(&mut s, &check.into()).is_err());
    // Without the key, a secret vote stays unencrypted (sealed) for now.
    run(
        &mut s,
        &VoteCommand::CreateVote {
            spec: election(),
            duration_s: None,
        }
        .into(),
    )
    .unwrap();
    assert!(!s.votes[&1].spec.encrypted);
}
