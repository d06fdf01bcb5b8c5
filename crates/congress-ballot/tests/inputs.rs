//! Every bad input is refused: malformed and non-canonical encodings, wrong lengths and counts,
//! selections outside the rules, proofs moved to another credential or vote, bad DKG messages,
//! envelopes and complaints, bad partial decryptions; and the batch path names the bad ballot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use congress_ballot::testkit::{SimBoard, run_dkg};
use congress_ballot::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn setup() -> (SimBoard, ChaCha20Rng) {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    (run_dkg(&mut rng, "inputs", 5, 3, None).unwrap(), rng)
}

fn ctx(sim: &SimBoard, id: &str, q: Question) -> VoteContext {
    let joint = sim.qualified.joint_key().compress().to_bytes();
    VoteContext::new(
        sim.setup.clone(),
        VoteParams {
            vote_id: id.into(),
            question: q,
        },
        &joint,
    )
    .unwrap()
}

/// Offset of slot 0's first bit proof's c0 in a ballot of n slots.
fn c0_offset(n: usize) -> usize {
    1 + 32 + 32 + 2 + n * 64 + 4 * 32
}

#[test]
fn selections_outside_the_rules_are_refused() {
    let (sim, mut rng) = setup();
    let e = ctx(&sim, "e", Question::election(5, 2));
    let c = Credential::generate(&mut rng);
    for bad in [vec![0, 1, 2], vec![5], vec![1, 1]] {
        assert!(Ballot::cast(&mut rng, &e, &c, &Selection::Options(bad)).is_err());
    }
    let m = ctx(&sim, "m", Question::motion());
    assert!(Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![])).is_err());
    assert!(Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![0, 1])).is_err());
    let no_blank = ctx(
        &sim,
        "nb",
        Question {
            options: 3,
            blank: false,
            min: 1,
            max: 1,
        },
    );
    assert!(Ballot::cast(&mut rng, &no_blank, &c, &Selection::Blank).is_err());
    // Parameters that make no sense.
    let joint = sim.qualified.joint_key().compress().to_bytes();
    for q in [
        Question {
            options: 0,
            blank: true,
            min: 0,
            max: 1,
        },
        Question {
            options: 3,
            blank: true,
            min: 2,
            max: 1,
        },
        Question {
            options: 3,
            blank: true,
            min: 0,
            max: 4,
        },
        Question {
            options: 3,
            blank: true,
            min: 0,
            max: 0,
        },
        Question {
            options: 1024,
            blank: true,
            min: 0,
            max: 1,
        },
    ] {
        let v = VoteParams {
            vote_id: "x".into(),
            question: q,
        };
        assert!(
            VoteContext::new(sim.setup.clone(), v, &joint).is_err(),
            "{q:?}"
        );
    }
    let v = VoteParams {
        vote_id: "x".into(),
        question: Question::motion(),
    };
    assert!(
        VoteContext::new(sim.setup.clone(), v.clone(), &[0u8; 32]).is_err(),
        "identity key"
    );
    assert!(
        VoteContext::new(sim.setup.clone(), v, &[0xff; 32]).is_err(),
        "non-canonical key"
    );
}

#[test]
fn malformed_ballots_are_refused() {
    let (sim, mut rng) = setup();
    let m = ctx(&sim, "m", Question::motion());
    let c = Credential::generate(&mut rng);
    let good = Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![1])).unwrap();
    let bytes = good.to_bytes().to_vec();
    assert!(verify_ballot(&m, &Ballot::from_bytes(&bytes).unwrap()).is_ok());

    assert!(matches!(
        Ballot::from_bytes(&bytes[..bytes.len() - 1]),
        Err(Error::Length(_))
    ));
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(Ballot::from_bytes(&long), Err(Error::Length(_))));
    assert!(Ballot::from_bytes(&[]).is_err());
    let mut v = bytes.clone();
    v[0] = 2;
    assert!(matches!(Ballot::from_bytes(&v), Err(Error::Range(_))));
    let mut zero_slots = bytes.clone();
    zero_slots[65] = 0;
    zero_slots[66] = 0;
    assert!(Ballot::from_bytes(&zero_slots).is_err());

    // A non-canonical scalar (≥ ℓ) in a proof.
    let mut s = bytes.clone();
    let off = c0_offset(4);
    s[off..off + 32].fill(0xff);
    assert!(matches!(Ballot::from_bytes(&s), Err(Error::Scalar(_))));

    // A non-canonical point as α: decodes, then fails verification (signature first, since the
    // bytes changed; a re-signed one fails on the point).
    let mut p = bytes.clone();
    p[67..99].fill(0xff);
    let b = Ballot::from_bytes(&p).unwrap();
    assert!(verify_ballot(&m, &b).is_err());

    // Another question's shape.
    let e = ctx(&sim, "m", Question::choice(4));
    assert!(matches!(verify_ballot(&e, &good), Err(Error::WrongVote)));

    // The ballot replayed into another vote.
    let other = ctx(&sim, "m2", Question::motion());
    assert!(matches!(
        verify_ballot(&other, &good),
        Err(Error::WrongVote)
    ));

    // The ciphertexts and proofs taken over under another credential (re-signed by the thief):
    // the proofs are bound to the first credential.
    let thief = Credential::generate(&mut rng);
    let mut stolen = Ballot::from_bytes(&bytes).unwrap();
    stolen.credential = thief.public();
    let body = stolen.body();
    let sig = thief.sign(&hash::signed_message(hash::TAG_BALLOT_SIGNATURE, &body));
    let mut stolen_bytes = body;
    stolen_bytes.extend_from_slice(&sig);
    let stolen = Ballot::from_bytes(&stolen_bytes).unwrap();
    assert!(matches!(verify_ballot(&m, &stolen), Err(Error::Proof(_))));

    // A signature changed.
    let mut sig = bytes.clone();
    let n = sig.len();
    sig[n - 1] ^= 1;
    assert!(matches!(
        verify_ballot(&m, &Ballot::from_bytes(&sig).unwrap()),
        Err(Error::Signature(_))
    ));
}

#[test]
fn an_over_marked_ballot_cannot_be_proved() {
    // A dishonest tablet encrypting 2 for one option, or 3 names for 2 seats, cannot make proofs
    // that verify: simulate by flipping a ciphertext between two honest ballots.
    let (sim, mut rng) = setup();
    let e = ctx(&sim, "e", Question::election(5, 2));
    let c = Credential::generate(&mut rng);
    let a = Ballot::cast(&mut rng, &e, &c, &Selection::Options(vec![0, 1])).unwrap();
    let b = Ballot::cast(&mut rng, &e, &c, &Selection::Options(vec![2])).unwrap();
    let mut mixed = a.clone();
    mixed.ciphertexts[2] = b.ciphertexts[2];
    mixed.bits[2] = b.bits[2].clone();
    let body = mixed.body();
    let mut bytes = body.clone();
    bytes.extend_from_slice(&c.sign(&hash::signed_message(hash::TAG_BALLOT_SIGNATURE, &body)));
    let mixed = Ballot::from_bytes(&bytes).unwrap();
    assert!(matches!(verify_ballot(&e, &mixed), Err(Error::Proof(_))));
}

#[test]
fn batch_names_the_bad_ballots() {
    let (sim, mut rng) = setup();
    let e = ctx(&sim, "e", Question::election(4, 2));
    let mut ballots: Vec<Ballot> = (0..70)
        .map(|i| {
            let c = Credential::generate(&mut rng);
            Ballot::cast(&mut rng, &e, &c, &Selection::Options(vec![(i % 4) as u32])).unwrap()
        })
        .collect();
    for k in [5usize, 40] {
        let mut bytes = ballots[k].to_bytes().to_vec();
        let off = c0_offset(5) + 32; // s0 of the first bit proof
        bytes[off] ^= 1;
        ballots[k] = Ballot::from_bytes(&bytes).unwrap();
    }
    let refs: Vec<&Ballot> = ballots.iter().collect();
    let bad = verify_and_tally(&e, &refs, 2).unwrap_err();
    let mut idx: Vec<usize> = bad.iter().map(|(i, _)| *i).collect();
    idx.sort();
    assert_eq!(idx, vec![5, 40]);
    // Without them the tally is the sum.
    let good: Vec<&Ballot> = ballots
        .iter()
        .enumerate()
        .filter(|(i, _)| ![5, 40].contains(i))
        .map(|(_, b)| b)
        .collect();
    let tally = verify_and_tally(&e, &good, 3).unwrap();
    assert_eq!(tally.len(), 5);
}

#[test]
fn dkg_refuses_bad_messages_envelopes_and_complaints() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let keys: Vec<Credential> = (0..4).map(|_| Credential::generate(&mut rng)).collect();
    let setup = BoardSetup {
        board_id: "dkg".into(),
        threshold: 2,
        members: keys
            .iter()
            .enumerate()
            .map(|(i, k)| Member {
                index: i as u16 + 1,
                key: Hex32(k.public()),
            })
            .collect(),
    };
    // Bad setups.
    let mut s = setup.clone();
    s.threshold = 5;
    assert!(s.check().is_err());
    s.threshold = 0;
    assert!(s.check().is_err());
    let mut s = setup.clone();
    s.members.swap(0, 1);
    assert!(s.check().is_err());
    // Someone else's key.
    assert!(Dealer::new(&mut rng, &setup, 1, &keys[1]).is_err());

    let (d1, m1) = Dealer::new(&mut rng, &setup, 1, &keys[0]).unwrap();
    let (_d2, m2) = Dealer::new(&mut rng, &setup, 2, &keys[1]).unwrap();
    let (_d3, m3) = Dealer::new(&mut rng, &setup, 3, &keys[2]).unwrap();
    assert!(check_dealer(&setup, &m1).is_ok());
    // A changed commitment (signature fails), a bad proof of knowledge re-signed is still caught
    // by the PoK, the wrong number of commitments.
    let mut bad = m1.clone();
    bad.commitments.swap(0, 1);
    assert!(matches!(
        check_dealer(&setup, &bad),
        Err(Error::Signature(_))
    ));
    let mut bad = m1.clone();
    bad.commitments.pop();
    assert!(check_dealer(&setup, &bad).is_err());
    let mut bad = m1.clone();
    bad.dealer = 2;
    assert!(check_dealer(&setup, &bad).is_err());

    // Envelopes.
    let env = d1.share_envelope(2, &keys[0]);
    assert!(receive_share(&setup, &m1, 2, &env).is_ok());
    assert!(
        receive_share(&setup, &m1, 3, &env).is_err(),
        "addressed to 2"
    );
    assert!(
        receive_share(&setup, &m2, 2, &env).is_err(),
        "from 1, not 2"
    );
    let mut e = env.clone();
    e[40] ^= 1;
    assert!(matches!(
        open_envelope(&setup, &e),
        Err(Error::Signature(_))
    ));
    assert!(open_envelope(&setup, &env[..env.len() - 1]).is_err());
    let mut other = setup.clone();
    other.board_id = "other".into();
    assert!(open_envelope(&other, &env).is_err());

    // A false complaint (the share is right) is ignored; two different messages signed by one
    // dealer exclude that dealer.
    let (_d3b, m3b) = Dealer::new(&mut rng, &setup, 3, &keys[2]).unwrap();
    let transcript = DkgTranscript {
        dealers: vec![m1.clone(), m2.clone(), m3.clone(), m3b],
        complaints: vec![Complaint {
            accuser: 2,
            envelope: HexBytes(env.clone()),
        }],
    };
    let q = qualify(&setup, &transcript).unwrap();
    assert_eq!(q.dealers, vec![1, 2]);
    assert_eq!(q.ignored_complaints.len(), 1);
    assert_eq!(q.excluded, vec![(3, "more than one message".to_string())]);
    // A complaint by someone else than the recipient is ignored too.
    let t2 = DkgTranscript {
        dealers: vec![m1.clone(), m2.clone()],
        complaints: vec![Complaint {
            accuser: 3,
            envelope: HexBytes(env),
        }],
    };
    assert_eq!(qualify(&setup, &t2).unwrap().ignored_complaints.len(), 1);
    // Fewer dealers than the threshold.
    let t3 = DkgTranscript {
        dealers: vec![m1],
        complaints: vec![],
    };
    assert!(matches!(qualify(&setup, &t3), Err(Error::NotEnough(_))));
}

#[test]
fn key_shares_partials_and_logs() {
    let (sim, mut rng) = setup();
    let share = sim.shares.get(&2).unwrap();
    let back = KeyShare::from_bytes(&share.to_bytes()).unwrap();
    assert_eq!(back.index, 2);
    assert!(KeyShare::from_bytes(&[0u8; 33]).is_err());
    // A key share built from a wrong share does not match its verification key.
    let mut wrong = BTreeMap::new();
    for d in &sim.qualified.dealers {
        wrong.insert(*d, Scalar::from(7u64));
    }
    assert!(KeyShare::combine(&sim.qualified, 2, &wrong).is_err());

    let m = ctx(&sim, "m", Question::motion());
    let c = Credential::generate(&mut rng);
    let b = Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![0])).unwrap();
    let tally = verify_and_tally(&m, &[&b], 1).unwrap();
    let p2 = partial_decrypt(&mut rng, &m, share, &tally);
    assert!(verify_partial(&m, &sim.qualified, &tally, &p2).is_ok());
    // Claiming to be member 3, for another vote, with a slot missing.
    let mut p = p2.clone();
    p.member = 3;
    assert!(verify_partial(&m, &sim.qualified, &tally, &p).is_err());
    let other = ctx(&sim, "m2", Question::motion());
    assert!(verify_partial(&other, &sim.qualified, &tally, &p2).is_err());
    let mut p = p2.clone();
    p.factors.pop();
    assert!(verify_partial(&m, &sim.qualified, &tally, &p).is_err());
    let mut p = p2.clone();
    p.proofs[0].c = Hex32([0xff; 32]);
    assert!(matches!(
        verify_partial(&m, &sim.qualified, &tally, &p),
        Err(Error::Scalar(_))
    ));
    let mut p = p2.clone();
    p.member = 9;
    assert!(verify_partial(&m, &sim.qualified, &tally, &p).is_err());

    // Two of the threshold three are not enough; a duplicate is rejected, not counted twice.
    let p4 = partial_decrypt(&mut rng, &m, sim.shares.get(&4).unwrap(), &tally);
    assert!(decrypt_tally(&m, &sim.qualified, &tally, &[p2.clone(), p4.clone()], 1).is_err());
    assert!(
        decrypt_tally(
            &m,
            &sim.qualified,
            &tally,
            &[p2.clone(), p4.clone(), p2.clone()],
            1
        )
        .is_err()
    );
    let p5 = partial_decrypt(&mut rng, &m, sim.shares.get(&5).unwrap(), &tally);
    let d = decrypt_tally(&m, &sim.qualified, &tally, &[p2, p4, p5], 1).unwrap();
    assert_eq!(d.counts, vec![1, 0, 0, 0]);

    assert!(lagrange_at_zero(&[1, 1]).is_err());
    assert!(lagrange_at_zero(&[0, 1]).is_err());
    let points: Vec<_> = [0u64, 1, 57, 2000]
        .iter()
        .map(|k| curve25519_dalek_point(*k))
        .collect();
    assert_eq!(discrete_logs(&points, 2000).unwrap(), vec![0, 1, 57, 2000]);
    assert!(matches!(
        discrete_logs(&points, 1999),
        Err(Error::CountTooLarge(_))
    ));
}

fn curve25519_dalek_point(k: u64) -> curve25519_dalek::ristretto::RistrettoPoint {
    curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT * Scalar::from(k)
}

/// A board of four members (t = 2), their keys, and three dealers' messages and polynomials.
fn small_dkg(seed: u64) -> (BoardSetup, Vec<Credential>, Vec<(Dealer, DealerMessage)>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let keys: Vec<Credential> = (0..4).map(|_| Credential::generate(&mut rng)).collect();
    let setup = BoardSetup {
        board_id: "dkg".into(),
        threshold: 2,
        members: keys
            .iter()
            .enumerate()
            .map(|(i, k)| Member {
                index: i as u16 + 1,
                key: Hex32(k.public()),
            })
            .collect(),
    };
    let dealers = (1..=3u16)
        .map(|i| Dealer::new(&mut rng, &setup, i, &keys[usize::from(i) - 1]).unwrap())
        .collect();
    (setup, keys, dealers)
}

#[test]
fn a_forged_dealer_message_does_not_exclude_the_honest_dealer() {
    // The server relays the transcript. A message it makes up for dealer 3 (any content, no
    // valid signature by member 3) proves nothing about member 3: neither as a second message
    // nor in front of the real one may it exclude that dealer.
    let (setup, _, dealers) = small_dkg(11);
    let m: Vec<DealerMessage> = dealers.iter().map(|(_, m)| m.clone()).collect();
    let mut forged = m[2].clone();
    forged.commitments[1] = m[0].commitments[1];
    assert!(matches!(
        check_dealer(&setup, &forged),
        Err(Error::Signature(_))
    ));
    for dealers in [
        vec![m[0].clone(), m[1].clone(), m[2].clone(), forged.clone()],
        vec![forged.clone(), m[0].clone(), m[1].clone(), m[2].clone()],
    ] {
        let q = qualify(
            &setup,
            &DkgTranscript {
                dealers,
                complaints: vec![],
            },
        )
        .unwrap();
        assert_eq!(q.dealers, vec![1, 2, 3], "excluded: {:?}", q.excluded);
        assert!(q.excluded.is_empty());
    }
    // The same message relayed twice is one message, not an equivocation.
    let q = qualify(
        &setup,
        &DkgTranscript {
            dealers: vec![m[0].clone(), m[1].clone(), m[2].clone(), m[2].clone()],
            complaints: vec![],
        },
    )
    .unwrap();
    assert_eq!(q.dealers, vec![1, 2, 3]);
    // Two different messages both signed by dealer 3 are an equivocation: excluded.
    let (setup2, keys2, _) = small_dkg(11);
    assert_eq!(setup2, setup);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let (_, again) = Dealer::new(&mut rng, &setup, 3, &keys2[2]).unwrap();
    let q = qualify(
        &setup,
        &DkgTranscript {
            dealers: vec![m[0].clone(), m[1].clone(), m[2].clone(), again],
            complaints: vec![],
        },
    )
    .unwrap();
    assert_eq!(q.dealers, vec![1, 2]);
    assert_eq!(q.excluded, vec![(3, "more than one message".to_string())]);
}

#[test]
fn an_envelope_of_another_polynomial_frames_nobody() {
    // Dealer 1 dealt twice under the same setup (a ceremony restarted, or a device that crashed
    // and dealt again); only the second message is on the transcript. Member 2 (or anyone
    // holding a published complaint of the first run) produces dealer 1's signed envelope of the
    // first polynomial: it does not match the second commitments, but it is no evidence against
    // them, so dealer 1 stays. Its recipient is told it is not for these commitments (resend),
    // not that the share is bad (complain).
    let (setup, keys, first) = small_dkg(21);
    let mut rng = ChaCha20Rng::seed_from_u64(22);
    let (d1b, m1b) = Dealer::new(&mut rng, &setup, 1, &keys[0]).unwrap();
    let old = first[0].0.share_envelope(2, &keys[0]);
    assert!(matches!(
        receive_share(&setup, &m1b, 2, &old),
        Err(e) if e != Error::BadShare
    ));
    assert!(receive_share(&setup, &m1b, 2, &d1b.share_envelope(2, &keys[0])).is_ok());
    let q = qualify(
        &setup,
        &DkgTranscript {
            dealers: vec![m1b, first[1].1.clone(), first[2].1.clone()],
            complaints: vec![Complaint {
                accuser: 2,
                envelope: HexBytes(old),
            }],
        },
    )
    .unwrap();
    assert_eq!(q.dealers, vec![1, 2, 3], "excluded: {:?}", q.excluded);
    assert_eq!(q.ignored_complaints.len(), 1);
}

#[test]
fn a_setup_giving_one_device_two_seats_or_a_weak_key_is_refused() {
    // Two indices under one device key: that device would receive two shares, so t − 1 other
    // members would be enough to decrypt. A member key that is not a strict Ed25519 key could
    // never sign, or could sign ambiguously.
    let (setup, _, _) = small_dkg(31);
    assert!(setup.check().is_ok());
    let mut s = setup.clone();
    s.members[3].key = s.members[0].key;
    assert!(
        matches!(s.check(), Err(Error::Params(_))),
        "{:?}",
        s.check()
    );
    let mut s = setup.clone();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    s.members[1].key = Hex32(identity);
    assert!(s.check().is_err());
}

#[test]
fn a_ballot_whose_fields_differ_from_its_bytes_is_refused() {
    // `Ballot`'s fields are public, its bytes are not: a value whose fields were changed after
    // decoding must not verify, since its tracker, its stored bytes and the batch weights all
    // come from the bytes, not from what was checked.
    let (sim, mut rng) = setup();
    let m = ctx(&sim, "m", Question::motion());
    let c = Credential::generate(&mut rng);
    let a = Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![0])).unwrap();
    let b = Ballot::cast(&mut rng, &m, &c, &Selection::Options(vec![1])).unwrap();
    let mut franken = a.clone();
    franken.ciphertexts = b.ciphertexts.clone();
    franken.bits = b.bits.clone();
    franken.range = b.range.clone();
    franken.signature = b.signature;
    assert_eq!(franken.tracker(), a.tracker());
    assert!(verify_ballot(&m, &franken).is_err());
    assert!(verify_and_tally(&m, &[&franken], 1).is_err());
}

#[test]
fn a_member_decrypts_only_the_sum_of_ballots_it_verified() {
    let (sim, mut rng) = setup();
    let m = ctx(&sim, "m", Question::motion());
    let voters: Vec<Credential> = (0..3).map(|_| Credential::generate(&mut rng)).collect();
    let ballots: Vec<Ballot> = voters
        .iter()
        .enumerate()
        .map(|(i, c)| Ballot::cast(&mut rng, &m, c, &Selection::Options(vec![i as u32])).unwrap())
        .collect();
    let registered: std::collections::BTreeSet<[u8; 32]> =
        voters.iter().map(|c| c.public()).collect();
    let refs: Vec<&Ballot> = ballots.iter().collect();
    let share = sim.shares.get(&1).unwrap();

    // Why: a tally handed over by the server may be one ballot; t members decrypting it
    // reveal that ballot's choice.
    let one = verify_and_tally(&m, &refs[..1], 1).unwrap();
    let partials: Vec<_> = [1u16, 2, 3]
        .iter()
        .map(|j| partial_decrypt(&mut rng, &m, sim.shares.get(j).unwrap(), &one))
        .collect();
    let d = decrypt_tally(&m, &sim.qualified, &one, &partials, 1).unwrap();
    assert_eq!(d.counts, vec![1, 0, 0, 0], "the first voter's choice");

    // The member's path: it verifies and sums the list itself.
    let (tally, p) = partial_decrypt_ballots(&mut rng, &m, share, &refs, &registered, 1).unwrap();
    assert_eq!(tally, verify_and_tally(&m, &refs, 1).unwrap());
    assert!(verify_partial(&m, &sim.qualified, &tally, &p).is_ok());
    // A ballot twice, an unregistered credential, a ballot that does not verify: refused.
    let twice = [refs[0], refs[1], refs[0]];
    let bad = partial_decrypt_ballots(&mut rng, &m, share, &twice, &registered, 1).unwrap_err();
    assert_eq!(bad.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![2]);
    let mut fewer = registered.clone();
    fewer.remove(&voters[1].public());
    let bad = partial_decrypt_ballots(&mut rng, &m, share, &refs, &fewer, 1).unwrap_err();
    assert_eq!(bad.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![1]);
    let mut bytes = ballots[2].to_bytes().to_vec();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    let broken = Ballot::from_bytes(&bytes).unwrap();
    let list = [refs[0], refs[1], &broken];
    let bad = partial_decrypt_ballots(&mut rng, &m, share, &list, &registered, 1).unwrap_err();
    assert!(
        matches!(bad.as_slice(), [(2, Error::Signature(_))]),
        "{bad:?}"
    );
}
