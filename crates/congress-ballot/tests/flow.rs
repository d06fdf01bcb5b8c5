//! End to end: DKG with a cheating dealer, ballots, tally, threshold decryption, and a board
//! that verifies; then every tampering of the board is caught.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use congress_ballot::testkit::{SimBoard, run_dkg, run_vote};
use congress_ballot::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn election() -> (SimBoard, Board, Vec<Credential>, ChaCha20Rng) {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let sim = run_dkg(&mut rng, "test-board", 5, 3, Some((4, 2))).unwrap();
    let selections = vec![
        Selection::Options(vec![0, 2]),
        Selection::Options(vec![2]),
        Selection::Options(vec![]),
        Selection::Blank,
        Selection::Options(vec![1, 4]),
        Selection::Options(vec![0, 4]),
    ];
    let vote = VoteParams {
        vote_id: "vote-1".into(),
        question: Question::election(5, 2),
    };
    let (board, voters) = run_vote(&mut rng, &sim, vote, &selections, 2, &[1, 3, 5]).unwrap();
    (sim, board, voters, rng)
}

#[test]
fn full_election_verifies_and_counts() {
    let (sim, board, _, _) = election();
    assert_eq!(sim.qualified.dealers, vec![1, 2, 3, 5]);
    assert_eq!(sim.qualified.excluded.len(), 1);
    let v = verify_board(&board).unwrap();
    assert_eq!(v.result, vec![2, 1, 2, 0, 2, 1]);
    assert_eq!(v.ballots, 6);
    assert_eq!(v.decryptors, vec![1, 3, 5]);
    // JSON round trip.
    let json = serde_json::to_string(&board).unwrap();
    let back: Board = serde_json::from_str(&json).unwrap();
    assert_eq!(back, board);
}

#[test]
fn motion_with_any_three_members() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let sim = run_dkg(&mut rng, "b", 5, 3, None).unwrap();
    let sel = |o: u32| Selection::Options(vec![o]);
    let selections = vec![sel(0), sel(0), sel(1), sel(2), Selection::Blank, sel(0)];
    for decryptors in [&[1u16, 2, 3][..], &[2, 4, 5], &[1, 2, 3, 4, 5]] {
        let vote = VoteParams {
            vote_id: "m".into(),
            question: Question::motion(),
        };
        let (board, _) = run_vote(&mut rng, &sim, vote, &selections, 0, decryptors).unwrap();
        assert_eq!(verify_board(&board).unwrap().result, vec![3, 1, 1, 1]);
    }
}

fn problems(board: &Board) -> Vec<String> {
    verify_board(board)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.at, p.what))
        .collect()
}

#[test]
fn tampered_boards_are_caught() {
    let (sim, board, voters, mut rng) = election();

    // A ballot's bytes changed by the server: its signature no longer verifies.
    let mut b = board.clone();
    let mut bytes = b.ballots[2].ballot.0.clone();
    let off = 1 + 32 + 32 + 2 + 6 * 64 + 4 * 32; // first bit proof's c0
    bytes[off] ^= 1;
    b.ballots[2].ballot.0 = bytes.clone();
    let p = problems(&b);
    assert!(
        p.iter()
            .any(|s| s.starts_with("ballots[2]: signature does not verify")),
        "{p:?}"
    );

    // The same change made and signed by the voter's own tablet: now the proof is what fails
    // (tracker and order recomputed, so nothing else is wrong with the board but the tally).
    let cred = Ballot::from_bytes(&bytes).unwrap().credential;
    let voter = voters.iter().find(|v| v.public() == cred).unwrap();
    let n = bytes.len() - 64;
    let sig = voter.sign(&hash::signed_message(
        hash::TAG_BALLOT_SIGNATURE,
        &bytes[..n],
    ));
    bytes[n..].copy_from_slice(&sig);
    let mut b = board.clone();
    b.ballots[2] = BoardBallot::from(&Ballot::from_bytes(&bytes).unwrap());
    b.ballots.sort_by_key(|x| x.tracker);
    let at = b.ballots.iter().position(|x| x.ballot.0 == bytes).unwrap();
    let p = problems(&b);
    assert_eq!(
        p,
        vec![format!(
            "ballots[{at}]: proof does not verify: ballot proofs"
        )],
        "{p:?}"
    );

    // Reordered.
    let mut b = board.clone();
    b.ballots.swap(0, 1);
    assert!(problems(&b).iter().any(|s| s.contains("ascending")));

    // Dropped (the participation no longer matches, and the tally no longer is the sum).
    let mut b = board.clone();
    b.ballots.remove(3);
    let p = problems(&b);
    assert!(p.iter().any(|s| s.starts_with("participation")), "{p:?}");

    // Dropped and the participation adjusted: the tally is not the sum.
    b.participation -= 1;
    assert!(problems(&b).iter().any(|s| s.starts_with("tally")));

    // Duplicated.
    let mut b = board.clone();
    let dup = b.ballots[1].clone();
    b.ballots.insert(1, dup);
    b.participation += 1;
    let p = problems(&b);
    assert!(p.iter().any(|s| s.contains("already used")), "{p:?}");

    // Unregistered credential.
    let mut b = board.clone();
    let cred = Ballot::from_bytes(&b.ballots[0].ballot.0)
        .unwrap()
        .credential;
    b.credentials.retain(|c| c.0 != cred);
    assert!(problems(&b).iter().any(|s| s.contains("not registered")));

    // A wrong partial decryption: member 3's first factor replaced.
    let mut b = board.clone();
    b.partials[1].factors[0] = b.partials[0].factors[0];
    assert_eq!(
        problems(&b),
        vec!["partials[1]: member 3: proof does not verify: decryption proof".to_string()]
    );

    // A changed result.
    let mut b = board.clone();
    b.result[0] += 1;
    assert_eq!(
        problems(&b),
        vec![format!(
            "result: slot 0: the decryption is not {}",
            b.result[0]
        )]
    );

    // A changed tally.
    let mut b = board.clone();
    b.tally.swap(0, 1);
    let p = problems(&b);
    assert_eq!(p[0], "tally: not the sum of the ballots", "{p:?}");

    // A replaced joint key.
    let mut b = board.clone();
    b.joint_public_key = b.dkg.dealers[0].commitments[0];
    assert!(
        problems(&b)
            .iter()
            .any(|s| s.starts_with("joint_public_key"))
    );

    // A DKG message changed: its signature fails, so it is not dealer 1's and is ignored;
    // without dealer 1 the key is not the one published.
    let mut b = board.clone();
    b.dkg.dealers[0].commitments[1] = b.dkg.dealers[1].commitments[1];
    let p = problems(&b);
    assert!(
        p.len() == 1 && p[0].starts_with("joint_public_key"),
        "{p:?}"
    );

    // Too few partials.
    let mut b = board.clone();
    b.partials.truncate(2);
    assert!(problems(&b).iter().any(|s| s.starts_with("partials")));

    // A ballot from another vote (same board key), slipped in with its credential registered.
    let vote = VoteParams {
        vote_id: "vote-2".into(),
        question: Question::election(5, 2),
    };
    let (other, _) = run_vote(
        &mut rng,
        &sim,
        vote,
        &[Selection::Options(vec![0])],
        0,
        &[1, 2, 3],
    )
    .unwrap();
    let mut b = board.clone();
    b.ballots.push(other.ballots[0].clone());
    b.credentials.extend(other.credentials.clone());
    b.credentials.sort();
    b.ballots.sort_by_key(|x| x.tracker);
    b.participation += 1;
    assert!(problems(&b).iter().any(|s| s.contains("another vote")));

    // A partial listed twice (counted once, reported), one for an unknown member, a proof of
    // another slot.
    let mut b = board.clone();
    b.partials.push(b.partials[0].clone());
    assert_eq!(
        problems(&b),
        vec!["partials[3]: member 1 listed twice".to_string()]
    );
    let mut b = board.clone();
    b.partials[2].member = 9;
    assert!(problems(&b)[0].starts_with("partials[2]: member 9: out of range"));
    let mut b = board.clone();
    b.partials[0].proofs.swap(0, 1);
    b.partials[0].factors.swap(0, 1);
    assert!(problems(&b)[0].starts_with("partials[0]: member 1: proof does not verify"));

    // The participation inflated; the credentials out of order; a complaint made up; the
    // result with a slot too many.
    let mut b = board.clone();
    b.participation += 1;
    assert_eq!(
        problems(&b),
        vec!["participation: 6 ballots, 7 participations".to_string()]
    );
    let mut b = board.clone();
    b.credentials.swap(0, 1);
    assert!(
        problems(&b)
            .iter()
            .any(|s| s.starts_with("credentials[1]: not ascending"))
    );
    let mut b = board.clone();
    let mut env = b.dkg.complaints[0].envelope.0.clone();
    env[70] ^= 1; // the share: the dealer's signature no longer covers it
    b.dkg.complaints[0].envelope.0 = env;
    assert!(
        problems(&b)[0].starts_with("joint_public_key"),
        "dealer 4 back in QUAL"
    );
    let mut b = board.clone();
    b.result.push(0);
    assert_eq!(
        problems(&b),
        vec!["result: wrong number of slots".to_string()]
    );

    // A tracker that is not the hash.
    let mut b = board.clone();
    b.ballots[0].tracker.0[31] ^= 1;
    assert!(problems(&b).iter().any(|s| s.contains("tracker")));
}

#[test]
fn a_board_with_absurd_parameters_is_reported_not_a_crash() {
    // options + blank overflowed u32 in the parameter check: a panic in a debug build, and in
    // a release build a "valid" question of 2^32 slots whose buffers the verifier then tried to
    // allocate. `verify-election` must report such a board, never crash on it.
    let (_, board, _, _) = election();
    let mut b = board.clone();
    b.vote.question.options = u32::MAX;
    let p = problems(&b);
    assert!(p.len() == 1 && p[0].starts_with("vote"), "{p:?}");
    b.vote.question.blank = false;
    b.vote.question.max = u32::MAX;
    let p = problems(&b);
    assert!(p.len() == 1 && p[0].starts_with("vote"), "{p:?}");
}
