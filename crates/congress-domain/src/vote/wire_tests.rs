//! The wire mirrors in `congress_proto::vote` serialise exactly like these types.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn same<A, B>(a: &A)
where
    A: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    B: serde::Serialize + serde::de::DeserializeOwned,
{
    let b: B = convert(a).expect("converts to the wire type");
    assert_eq!(
        serde_json::to_value(a).unwrap(),
        serde_json::to_value(&b).unwrap()
    );
    let back: A = convert(&b).expect("converts back");
    assert_eq!(&back, a);
}

#[test]
fn specs_ballots_and_results_match_their_wire_mirrors() {
    let candidates = (1..=4)
        .map(|i| VoteOption::new(i, format!("Ứng viên {i}")))
        .collect();
    let mut spec = VoteSpec::new(
        VoteId(7),
        "Bầu Ban Chấp hành",
        VoteKind::Election {
            seats: 2,
            candidates,
        },
        Secrecy::Secret,
    );
    spec.rule.threshold = Threshold::AtLeastFraction { num: 2, den: 3 };
    spec.runoff_of = Some(VoteId(3));
    same::<VoteSpec, congress_proto::VoteSpec>(&spec);
    let ballots: Vec<CastBallot> = [
        BallotChoice::Election {
            kept: vec![OptionId(1), OptionId(2)],
        },
        BallotChoice::Election {
            kept: vec![OptionId(1), OptionId(3)],
        },
        BallotChoice::Election {
            kept: vec![OptionId(1), OptionId(2), OptionId(3)],
        },
        BallotChoice::Blank,
    ]
    .iter()
    .map(|c| validate(&spec, c).unwrap())
    .collect();
    for b in &ballots {
        same::<BallotChoice, congress_proto::BallotChoice>(b.choice());
    }
    let r = tally(
        &spec,
        &ballots,
        BasisCounts {
            present: 10,
            convened: 12,
        },
    )
    .unwrap();
    same::<VoteResult, congress_proto::VoteResult>(&r);
    let motion = VoteSpec::new(VoteId(1), "M", VoteKind::Motion, Secrecy::Open);
    let b = validate(
        &motion,
        &BallotChoice::Motion {
            position: MotionPosition::For,
        },
    )
    .unwrap();
    same::<BallotChoice, congress_proto::BallotChoice>(b.choice());
    let r = tally(&motion, [&b], BasisCounts::default()).unwrap();
    same::<VoteResult, congress_proto::VoteResult>(&r);
    let choice = VoteSpec::new(
        VoteId(2),
        "C",
        VoteKind::Choice {
            options: vec![VoteOption::new(1, "a"), VoteOption::new(2, "b")],
        },
        Secrecy::Open,
    );
    let b = validate(
        &choice,
        &BallotChoice::Choice {
            option: OptionId(2),
        },
    )
    .unwrap();
    let r = tally(&choice, [&b], BasisCounts::default()).unwrap();
    same::<VoteResult, congress_proto::VoteResult>(&r);
    same::<lifecycle::VotePhase, congress_proto::VotePhase>(&lifecycle::VotePhase::Open {
        opened_at: 5,
        closes_at: Some(9),
    });
}
