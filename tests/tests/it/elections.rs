//! Elections over the real server: the turnout safeguard, nominations, withdrawals decided by
//! open votes, the list approved, rounds made from results in one step, and the counting
//! board's report signed from the members' tablets.

use congress_domain::{AttendanceCommand, Command, CongressCommand};
use congress_proto::*;

use crate::util::*;

/// Makes the test congress a hall of `listed` delegates (`H0001`…), `convened` of them
/// convened, and checks the first `present` in through the engine (fast, no HTTP).
pub async fn hall(s: &TestServer, listed: usize, present: usize) {
    let engine = s.engine();
    let ds: Vec<Delegate> = (1..=listed)
        .map(|i| Delegate {
            id: format!("H{i:04}"),
            full_name: format!("Đại biểu số {i}"),
            unit: "Đảng bộ thử".into(),
            seat: format!("B-{i:04}"),
            group: format!("Tổ {}", i % 12 + 1),
            roles: vec![Role::Delegate],
        })
        .collect();
    engine
        .run(
            Command::Congress(CongressCommand::ImportDelegates(ds)),
            "test",
        )
        .await
        .expect("hall");
    engine
        .run(
            Command::Congress(CongressCommand::DefineCongress(Congress {
                name: "Đại hội thử nghiệm".into(),
                venue: "Hội trường A".into(),
                starts_on: "2026-12-01".into(),
                ends_on: "2026-12-03".into(),
                convened: listed as u32,
                quorum: QuorumRule {
                    numerator: 2,
                    denominator: 3,
                },
            })),
            "test",
        )
        .await
        .expect("congress");
    for i in 1..=present {
        engine
            .run(
                Command::Attendance(AttendanceCommand::SetAttendance {
                    delegate_id: format!("H{i:04}"),
                    status: AttendanceStatus::Present,
                    source: AttendanceSource::Operator {
                        username: "test".into(),
                    },
                    kiosk: None,
                    reason: Some("test".into()),
                }),
                "test",
            )
            .await
            .expect("check-in");
    }
}

fn names(n: u32) -> Vec<VoteOption> {
    (1..=n)
        .map(|i| VoteOption::new(i, format!("Ứng cử viên {i}")))
        .collect()
}

/// The bug this safeguard closes: a secret election with one ballot of 301 present declared
/// three people elected (each had 1 of 1 valid ballot: "more than half").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ballot_of_301_present_elects_nobody() {
    let s = TestServer::start().await;
    hall(&s, 450, 301).await;
    let (tablet, _) = s.pair_for(DeviceKind::Tablet, Some("H0001")).await;
    let req: CreateVote = serde_json::from_value(serde_json::json!({
        "client_id": cid("vote"),
        "title": "Bầu Ban Chấp hành",
        "kind": { "kind": "election", "seats": 3, "candidates": names(5) },
        "secrecy": "secret",
    }))
    .unwrap();
    let v = s.secretariat.create_vote(&req).await.unwrap();
    let id = v.spec.id;
    s.secretariat
        .vote_action(id, "open", &cid("open"))
        .await
        .unwrap();
    let (mut live, _) = live(&tablet, "tablet", None).await;
    let kept = vec![OptionId(1), OptionId(2), OptionId(3)];
    live.cast_ballot(
        &cid("ballot-0123456789"),
        id.0,
        BallotChoice::Election { kept },
    )
    .await
    .unwrap();
    within(live.next_ballot_reply()).await.unwrap().unwrap();
    let closed = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let r = closed.result.expect("a closed vote has a result");
    assert_eq!(r.ballots.cast, 1);
    assert_eq!(
        r.outcome,
        Outcome::InsufficientTurnout,
        "1 ballot of 301 present must not elect anyone"
    );
    let tc = r
        .turnout
        .expect("the result records the turnout and attendance");
    assert_eq!(
        (tc.cast, tc.present, tc.convened, tc.needed, tc.met),
        (1, 301, 450, 151, false)
    );
    assert_eq!(tc.rule, TurnoutRule::MORE_THAN_HALF_OF_PRESENT);
    // The result still states its basis and threshold.
    assert_eq!(r.rule, MajorityRule::MORE_THAN_HALF_OF_VALID);
    assert_eq!((r.basis_value, r.votes_needed), (1, Some(1)));
}
