//! The credentials rules, one by one: decisions with reasons, withdrawn seats and the quorum,
//! substitutes taking the seat (and changing the quorum), the report and its vote.
#![allow(clippy::unwrap_used)]

use congress_proto::{
    AttendanceStatus, Composition, CredentialStatus, DelegateComposition, Device, DeviceKind,
};

use super::*;
use crate::access::PairedDevice;
use crate::attendance::AttendanceError;
use crate::testkit::{check_in, congress_with, motion_vote, run};
use crate::{AttendanceCommand, Command};

fn decide_cmd(ids: &[&str], status: CredentialStatus, reason: &str) -> Command {
    CredentialsCommand::Decide {
        delegate_ids: ids.iter().map(|s| (*s).to_string()).collect(),
        status,
        reason: reason.into(),
        by: "operator:thamtra".into(),
    }
    .into()
}

fn substitute(replaced: &str, id: &str) -> Command {
    CredentialsCommand::SeatSubstitute {
        replaced: replaced.into(),
        id: id.into(),
        full_name: "Trần Văn Dự Khuyết".into(),
        unit: "Đảng bộ huyện".into(),
        composition: Composition {
            gender: Some("Nam".into()),
            ..Composition::default()
        },
        reason: "Đại biểu chính thức ốm, Ban Thường vụ cử đại biểu dự khuyết".into(),
        by: "operator:thamtra".into(),
    }
    .into()
}

fn desk(id: &str) -> Command {
    AttendanceCommand::SetAttendance {
        delegate_id: id.into(),
        status: AttendanceStatus::Present,
        source: congress_proto::AttendanceSource::Operator {
            username: "op".into(),
        },
        kiosk: None,
        reason: Some("ID checked".into()),
    }
    .into()
}

#[test]
fn a_decision_records_status_reason_and_who() {
    let mut s = congress_with(3);
    run(
        &mut s,
        &decide_cmd(
            &["D0001", "D0002"],
            CredentialStatus::Recognised,
            " hồ sơ hợp lệ ",
        ),
    )
    .unwrap();
    let c = s.credentials.info("D0001");
    assert_eq!(c.status, CredentialStatus::Recognised);
    assert_eq!(c.reason.as_deref(), Some("hồ sơ hợp lệ"));
    assert_eq!(c.decided_by.as_deref(), Some("operator:thamtra"));
    assert_eq!(c.decided_at, Some(crate::testkit::CTX.now));
    assert_eq!(s.credentials.status("D0003"), CredentialStatus::Pending);
    // A contested delegate still sits.
    run(
        &mut s,
        &decide_cmd(&["D0003"], CredentialStatus::Contested, "khiếu nại"),
    )
    .unwrap();
    assert!(s.credentials.may_sit("D0003"));
    run(&mut s, &desk("D0003")).unwrap();
}

#[test]
fn bad_decisions_are_refused() {
    let mut s = congress_with(2);
    let err = |c: Command, s: &mut CongressState| run(s, &c).unwrap_err();
    assert_eq!(
        err(decide_cmd(&[], CredentialStatus::Recognised, "r"), &mut s),
        CredentialsError::BadBatch.into()
    );
    assert_eq!(
        err(
            decide_cmd(&["D0001", "D0001"], CredentialStatus::Recognised, "r"),
            &mut s
        ),
        CredentialsError::BadBatch.into()
    );
    assert_eq!(
        err(
            decide_cmd(&["D0001"], CredentialStatus::Replaced, "r"),
            &mut s
        ),
        CredentialsError::UseSubstitute.into()
    );
    assert_eq!(
        err(
            decide_cmd(&["D0001"], CredentialStatus::Pending, "r"),
            &mut s
        ),
        CredentialsError::UseSubstitute.into()
    );
    assert_eq!(
        err(
            decide_cmd(&["D9999"], CredentialStatus::Recognised, "r"),
            &mut s
        ),
        DomainError::UnknownDelegate("D9999".into())
    );
    assert!(matches!(
        err(
            decide_cmd(&["D0001"], CredentialStatus::Recognised, "  "),
            &mut s
        ),
        DomainError::Invalid(_)
    ));
    assert!(matches!(
        err(
            decide_cmd(&["D0001"], CredentialStatus::Recognised, &"x".repeat(501)),
            &mut s
        ),
        DomainError::TooLong { .. }
    ));
    assert_eq!(
        s.credentials,
        CredentialsState::default(),
        "nothing changed"
    );
}

#[test]
fn a_seat_withdrawn_lowers_convened_and_the_quorum_and_checks_out() {
    // 9 convened, 2/3: 6 needed.
    let mut s = congress_with(9);
    check_in(&mut s, 6);
    assert!(s.summary().quorum.reached);
    run(
        &mut s,
        &decide_cmd(
            &["D0001", "D0009"],
            CredentialStatus::NotRecognised,
            "không đủ tư cách",
        ),
    )
    .unwrap();
    // D0001 was present: checked out. Convened 7, quorum ⌈14/3⌉ = 5, present 5.
    assert_eq!(s.status_of("D0001"), AttendanceStatus::Absent);
    let sum = s.summary();
    assert_eq!((s.convened(), sum.quorum.required, sum.present), (7, 5, 5));
    assert_eq!(sum.listed, 7);
    assert!(sum.quorum.reached);
    // They can no longer check in.
    assert_eq!(
        run(&mut s, &desk("D0001")),
        Err(AttendanceError::NotSeated.into())
    );
    // Recognised again on appeal: the seat is back.
    run(
        &mut s,
        &decide_cmd(&["D0009"], CredentialStatus::Recognised, "phúc tra"),
    )
    .unwrap();
    assert_eq!(s.convened(), 8);
}

#[test]
fn a_substitute_takes_the_seat_the_tablet_and_changes_the_quorum() {
    let mut s = congress_with(9);
    s.delegates
        .get_mut("D0002")
        .unwrap()
        .roles
        .push(congress_proto::Role::Presidium);
    s.devices.insert(
        "T-1".into(),
        PairedDevice {
            device: Device {
                id: "T-1".into(),
                kind: DeviceKind::Tablet,
                label: "tablet".into(),
                delegate_id: Some("D0002".into()),
                direction: None,
                recipient: None,
                credential: None,
                code_by: None,
                paired_at: 0,
                revoked: false,
            },
            token_hash: "h".into(),
        },
    );
    check_in(&mut s, 6);
    // A seat withdrawn: convened 8, quorum ⌈16/3⌉ = 6; 5 present after D0001 is checked out.
    run(
        &mut s,
        &decide_cmd(&["D0001"], CredentialStatus::NotRecognised, "r"),
    )
    .unwrap();
    assert_eq!((s.convened(), s.summary().quorum.required), (8, 6));
    assert!(!s.summary().quorum.reached);
    // A substitute for the withdrawn seat: convened back to 9 (quorum 6), and once checked in,
    // present 6: the quorum is reached again.
    run(&mut s, &substitute("D0001", "S0001")).unwrap();
    assert_eq!((s.convened(), s.summary().quorum.required), (9, 6));
    assert_eq!(s.summary().listed, 9);
    run(&mut s, &desk("S0001")).unwrap();
    assert!(s.summary().quorum.reached);
    // A substitute for a present delegate: the delegate is checked out, their tablet, seat,
    // group and roles go to the substitute; present drops until the substitute checks in.
    let evs = crate::decide(&s, &substitute("D0002", "S0002"), crate::testkit::CTX).unwrap();
    for e in &evs {
        s.apply(e);
    }
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::Access(AccessEvent::DeviceReassigned { device_id, delegate_id, .. })
            if device_id == "T-1" && delegate_id == "S0002"
    )));
    assert_eq!(s.status_of("D0002"), AttendanceStatus::Absent);
    assert_eq!(s.summary().present, 5);
    assert!(!s.summary().quorum.reached);
    let sub = &s.delegates["S0002"];
    let old = &s.delegates["D0002"];
    assert_eq!(
        (&sub.seat, &sub.group, &sub.roles),
        (&old.seat, &old.group, &old.roles)
    );
    assert_eq!(
        s.devices["T-1"].device.delegate_id.as_deref(),
        Some("S0002")
    );
    assert_eq!(s.credentials.status("D0002"), CredentialStatus::Replaced);
    assert_eq!(
        s.credentials.info("D0002").replaced_by.as_deref(),
        Some("S0002")
    );
    assert_eq!(
        s.credentials.info("S0002").substitute_for.as_deref(),
        Some("D0002")
    );
    assert_eq!(
        s.credentials.info("S0002").composition.gender.as_deref(),
        Some("Nam")
    );
    assert_eq!(
        run(&mut s, &desk("D0002")),
        Err(AttendanceError::NotSeated.into())
    );
    run(&mut s, &desk("S0002")).unwrap();
    assert!(s.summary().quorum.reached);
    assert_eq!(s.convened(), 9);
    // Not twice, and not under a taken id.
    assert_eq!(
        run(&mut s, &substitute("D0002", "S0003")),
        Err(CredentialsError::AlreadyReplaced("D0002".into()).into())
    );
    assert_eq!(
        run(&mut s, &substitute("D0003", "S0002")),
        Err(CredentialsError::IdTaken("S0002".into()).into())
    );
    assert!(matches!(
        run(&mut s, &substitute("D0003", "bad id!")),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn the_report_counts_by_composition_and_is_voted_as_a_motion() {
    let mut s = congress_with(6);
    let comp = |id: &str, g: &str, age: &str| DelegateComposition {
        delegate_id: id.into(),
        composition: Composition {
            gender: Some(g.into()),
            age_band: Some(age.into()),
            ..Composition::default()
        },
    };
    run(
        &mut s,
        &CredentialsCommand::RecordComposition(vec![
            comp("D0001", "Nữ", "<40"),
            comp("D0002", "Nam", "40-50"),
            comp("D0003", "Nữ", "40-50"),
            comp("D0004", "Nam", ">50"),
            comp("D0005", "Nam", ">50"),
            comp("D0006", "Nam", ">50"),
        ])
        .into(),
    )
    .unwrap();
    check_in(&mut s, 5);
    run(
        &mut s,
        &decide_cmd(
            &["D0001", "D0002", "D0003", "D0004"],
            CredentialStatus::Recognised,
            "hợp lệ",
        ),
    )
    .unwrap();
    run(
        &mut s,
        &decide_cmd(&["D0005"], CredentialStatus::Contested, "khiếu nại"),
    )
    .unwrap();
    let r = report(&s, 5);
    assert_eq!(
        (
            r.convened,
            r.seated,
            r.present,
            r.recognised,
            r.contested,
            r.pending
        ),
        (6, 6, 5, 4, 1, 1)
    );
    let fields: Vec<&str> = r.composition.iter().map(|t| t.field.as_str()).collect();
    assert_eq!(
        fields,
        ["gender", "age_band"],
        "only the fields the list carries"
    );
    let women = r.composition[0]
        .rows
        .iter()
        .find(|x| x.value == "Nữ")
        .unwrap();
    assert_eq!((women.seated, women.present, women.recognised), (2, 2, 2));
    assert_eq!(r.exceptions.len(), 1);
    assert_eq!(r.exceptions[0].delegate_id, "D0005");

    // Put to the vote: the numbers are frozen in the event; the close decides it.
    let cmd: Command = CredentialsCommand::PutReportToVote {
        title: "Thông qua Báo cáo thẩm tra tư cách đại biểu".into(),
        item_id: None,
    }
    .into();
    let evs = crate::decide(&s, &cmd, crate::testkit::CTX).unwrap();
    let frozen = evs
        .iter()
        .find_map(|e| match e {
            Event::Credentials(CredentialsEvent::ReportPutToVote { report, .. }) => {
                Some(report.clone())
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(frozen.present, 5);
    for e in &evs {
        s.apply(e);
    }
    let vote = s.credentials.report_vote.unwrap();
    assert_eq!(
        run(&mut s, &cmd),
        Err(CredentialsError::VotePending(vote).into())
    );
    motion_vote(&mut s, vote, 5, true);
    assert_eq!(s.credentials.report_adopted, Some(true));
    assert_eq!(report(&s, 6).adopted, Some(true));
}
