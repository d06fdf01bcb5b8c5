//! Discussion groups over real HTTP and websockets: secretaries, written opinions (members who
//! are checked in, length limit, replayed client ids, frozen once the summary is submitted),
//! summaries to the secretariat, and audience isolation (another group gets nothing, live,
//! on resume or in its views), group-only documents.

use congress_domain::CongressCommand;
use std::time::Duration;

use congress_client::{Api, Live, Start};
use congress_domain::Command;
use congress_proto::*;

use crate::util::*;

use crate::documents::pdfgen;

/// Delegates of the second group (D1..D4 are in "Tổ 1").
pub const G2A: &str = "D5";
pub const G2B: &str = "D6";
pub const G1: &str = "Tổ 1";
pub const G2: &str = "Tổ 2";

/// Adds D5 and D6 in "Tổ 2".
pub async fn two_groups(s: &TestServer) {
    let d = |id: &str, name: &str| Delegate {
        id: id.into(),
        full_name: name.into(),
        unit: "Đảng bộ khối doanh nghiệp".into(),
        seat: format!("B-01-{id}"),
        group: G2.into(),
        roles: vec![Role::Delegate],
    };
    s.engine()
        .run(
            Command::Congress(CongressCommand::ImportDelegates(vec![
                d(G2A, "Phạm Văn Hai"),
                d(G2B, "Võ Thị Sáu"),
            ])),
            "test",
        )
        .await
        .unwrap();
}

/// A tablet for `delegate`, connected live (after its snapshot).
pub async fn tablet(s: &TestServer, delegate: &str) -> (Api, Live, Snapshot) {
    let (api, _) = s.pair_for(DeviceKind::Tablet, Some(delegate)).await;
    let (live, start) = live(&api, "tablet", None).await;
    let snap = match start {
        Start::Snapshot(s) => *s,
        other => panic!("expected a snapshot, got {other:?}"),
    };
    (api, live, snap)
}

/// The answer to the message sent with `client_id` (pushes in between are skipped).
pub async fn reply(live: &mut Live, client_id: &str) -> Result<u64, (String, String)> {
    loop {
        match within(live.next_raw()).await.unwrap() {
            ServerMsg::Acked { client_id: c, seq } if c == client_id => return Ok(seq),
            ServerMsg::Refused {
                client_id: c,
                error,
                message,
            } if c == client_id => return Err((error, message)),
            ServerMsg::Push { seq, .. } => live.last_seq = seq,
            ServerMsg::Error { fatal: true, .. } => panic!("fatal error"),
            _ => {}
        }
    }
}

pub async fn send(live: &mut Live, msg: ClientMsg) {
    live.send(&msg).await.unwrap();
}

pub fn opinion(client_id: &str, item: &str, text: &str) -> ClientMsg {
    ClientMsg::SendOpinion {
        client_id: client_id.into(),
        item_id: item.into(),
        text: text.into(),
    }
}

pub fn summary(client_id: &str, item: &str, text: &str, submit: bool) -> ClientMsg {
    ClientMsg::SaveSummary {
        client_id: client_id.into(),
        item_id: item.into(),
        text: text.into(),
        submit,
    }
}

/// Publishes a push every client sees (the agenda's current item) and returns its seq: a
/// client whose next push is this one got nothing in between.
pub async fn marker(s: &TestServer, item: &str) -> u64 {
    s.set_current(Some(item)).await.seq
}

/// The pushes up to the marker `seq` (which must arrive).
pub async fn pushes_until(live: &mut Live, seq: u64) -> Vec<Push> {
    let mut out = Vec::new();
    loop {
        let (got, push) = live.next_push_within(Duration::from_secs(5)).await.unwrap();
        if got == seq {
            return out;
        }
        assert!(got < seq, "push {got} after the marker {seq}");
        out.push(push);
    }
}

pub async fn set_secretary(s: &TestServer, group: &str, delegate: Option<&str>) -> GroupInfo {
    s.secretariat
        .put(
            "/api/groups/secretary",
            &SetSecretary {
                client_id: cid("sec"),
                group: group.into(),
                delegate_id: delegate.map(str::to_string),
            },
        )
        .await
        .unwrap()
}

fn kinds(pushes: &[Push]) -> Vec<&'static str> {
    pushes
        .iter()
        .map(|p| match p {
            Push::Opinion { .. } => "opinion",
            Push::GroupSummary { .. } => "summary",
            Push::GroupSecretary { .. } => "secretary",
            Push::Notice { .. } => "notice",
            Push::NoticeRead { .. } => "notice_read",
            Push::Document { .. } => "document",
            Push::Agenda { .. } => "agenda",
            Push::Attendance { .. } => "attendance",
            _ => "other",
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opinions_go_to_the_secretary_and_summaries_to_the_secretariat_only() {
    let s = TestServer::start().await;
    two_groups(&s).await;
    for d in [VIET, ARAB, G2A] {
        s.check_in(d).await;
    }
    let info = set_secretary(&s, G1, Some(ARAB)).await;
    assert_eq!(info.secretary.as_deref(), Some(ARAB));
    assert_eq!((info.members, info.present), (4, 2));
    set_secretary(&s, G2, Some(G2B)).await;

    let (api1, mut member, _) = tablet(&s, VIET).await;
    let (sec_api, mut sec, _) = tablet(&s, ARAB).await;
    let (_, mut absent, _) = tablet(&s, PLAIN).await;
    let (api5, mut other, _) = tablet(&s, G2A).await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    let early = member.last_seq;

    // A member who is checked in: acknowledged, pushed to them and to the secretary only.
    let text = "Đề nghị bổ sung chỉ tiêu chuyển đổi số vào Báo cáo chính trị.";
    send(&mut member, opinion("op-viet-1", "A2", text)).await;
    let seq = reply(&mut member, "op-viet-1").await.unwrap();
    let m = marker(&s, "A2").await;
    for (who, live) in [("member", &mut member), ("secretary", &mut sec)] {
        let got = pushes_until(live, m).await;
        assert_eq!(kinds(&got), vec!["opinion"], "{who}");
        match &got[0] {
            Push::Opinion { opinion } => {
                assert_eq!(opinion.text, text);
                assert_eq!(
                    (opinion.group.as_str(), opinion.delegate_id.as_str()),
                    (G1, VIET)
                );
            }
            other => panic!("{other:?}"),
        }
    }
    for (who, live) in [
        ("other group", &mut other),
        ("console", &mut console),
        ("absent", &mut absent),
    ] {
        assert_eq!(pushes_until(live, m).await, vec![], "{who}");
    }

    // The same message again (a retry): the same answer, nothing new in the journal.
    let head = s.head().await;
    send(&mut member, opinion("op-viet-1", "A2", text)).await;
    assert_eq!(reply(&mut member, "op-viet-1").await, Ok(seq));
    assert_eq!(s.head().await, head);
    // The same client id for another text: refused.
    send(&mut member, opinion("op-viet-1", "A2", "khác")).await;
    assert_eq!(
        reply(&mut member, "op-viet-1").await.unwrap_err().0,
        "conflict"
    );

    // Refusals, each with a clear code and message.
    send(
        &mut absent,
        opinion("op-absent", "A2", "Tôi chưa điểm danh"),
    )
    .await;
    assert_eq!(
        reply(&mut absent, "op-absent").await.unwrap_err().0,
        "not_present"
    );
    let long = "ý".repeat(MAX_OPINION_CHARS + 1);
    send(&mut member, opinion("op-long", "A2", &long)).await;
    let (code, message) = reply(&mut member, "op-long").await.unwrap_err();
    assert_eq!(code, "too_long");
    assert!(
        message.contains("4000") && message.contains("4001"),
        "{message}"
    );
    send(&mut member, opinion("op-empty", "A2", "   ")).await;
    assert_eq!(reply(&mut member, "op-empty").await.unwrap_err().0, "empty");
    send(&mut member, opinion("op-item", "A9", "x")).await;
    assert_eq!(
        reply(&mut member, "op-item").await.unwrap_err().0,
        "not_found"
    );
    send(
        &mut member,
        summary("sum-member", "A2", "Tôi không phải thư ký", false),
    )
    .await;
    assert_eq!(
        reply(&mut member, "sum-member").await.unwrap_err().0,
        "not_secretary"
    );
    assert_eq!(s.head().await, head, "refusals write nothing");

    // The other group's member writes on the same item; Tổ 1 sees none of it.
    send(&mut other, opinion("op-g2", "A2", "Ý kiến của Tổ 2")).await;
    reply(&mut other, "op-g2").await.unwrap();

    // The secretary's view: every member's opinion in the group, nobody else's.
    let mine: MyGroup = sec_api.get("/api/groups/mine").await.unwrap();
    assert!(mine.is_secretary);
    assert_eq!(mine.members.len(), 4);
    assert_eq!(
        mine.opinions
            .iter()
            .map(|o| o.delegate_id.as_str())
            .collect::<Vec<_>>(),
        vec![VIET]
    );
    let mine: MyGroup = api5.get("/api/groups/mine").await.unwrap();
    assert!(!mine.is_secretary && mine.members.is_empty());
    assert_eq!(mine.secretary.as_ref().map(|m| m.id.as_str()), Some(G2B));
    assert_eq!(
        mine.opinions
            .iter()
            .map(|o| o.text.as_str())
            .collect::<Vec<_>>(),
        vec!["Ý kiến của Tổ 2"]
    );

    // A draft reaches only the secretary's tablets.
    send(
        &mut sec,
        summary("sum-draft", "A2", "Nháp: bổ sung chuyển đổi số", false),
    )
    .await;
    reply(&mut sec, "sum-draft").await.unwrap();
    let m = marker(&s, "A3").await;
    assert_eq!(kinds(&pushes_until(&mut sec, m).await), vec!["summary"]);
    for (who, live) in [
        ("member", &mut member),
        ("other group", &mut other),
        ("console", &mut console),
    ] {
        let got = pushes_until(live, m).await;
        assert!(!kinds(&got).contains(&"summary"), "{who}: {got:?}");
    }
    let members_view: MyGroup = api1.get("/api/groups/mine").await.unwrap();
    assert!(
        members_view.summaries.is_empty(),
        "a member does not see the draft"
    );

    // Submitted: the group and the operators get it, the other group does not.
    let final_text = "Tổ 1 thống nhất bổ sung chỉ tiêu chuyển đổi số.";
    send(&mut sec, summary("sum-final", "A2", final_text, true)).await;
    reply(&mut sec, "sum-final").await.unwrap();
    let m = marker(&s, "A2").await;
    for (who, live) in [("member", &mut member), ("console", &mut console)] {
        let got = pushes_until(live, m).await;
        assert_eq!(kinds(&got), vec!["summary"], "{who}");
    }
    assert_eq!(pushes_until(&mut other, m).await, vec![]);

    // Frozen: no more edits to the summary or the group's opinions on that item.
    send(&mut member, opinion("op-late", "A2", "Sửa muộn")).await;
    assert_eq!(
        reply(&mut member, "op-late").await.unwrap_err().0,
        "submitted"
    );
    send(&mut sec, summary("sum-again", "A2", "lại", false)).await;
    assert_eq!(
        reply(&mut sec, "sum-again").await.unwrap_err().0,
        "submitted"
    );
    // The other group may still edit its own.
    send(&mut other, opinion("op-g2-2", "A2", "Ý kiến của Tổ 2, sửa")).await;
    reply(&mut other, "op-g2-2").await.unwrap();

    // The secretariat's overview: every group, and the one submitted summary.
    let overview: GroupsOverview = s.observer.get("/api/groups").await.unwrap();
    assert_eq!(
        overview
            .groups
            .iter()
            .map(|g| g.group.as_str())
            .collect::<Vec<_>>(),
        vec![G1, G2]
    );
    assert_eq!(overview.summaries.len(), 1);
    assert_eq!(overview.summaries[0].text, final_text);
    assert_eq!(overview.summaries[0].by, ARAB);

    // Resume from before it all: the other group's tablet gets only what is its own.
    other.close().await;
    let (_, start) = live(&api5, "tablet", Some(early)).await;
    let missed = match start {
        Start::Resumed(m) => m,
        other => panic!("expected a resume, got {other:?}"),
    };
    for (_, p) in &missed {
        match p {
            Push::Opinion { opinion } => assert_eq!(opinion.group, G2),
            Push::GroupSummary { summary } => assert_eq!(summary.group, G2),
            _ => {}
        }
    }
    assert!(
        missed
            .iter()
            .any(|(_, p)| matches!(p, Push::Opinion { .. }))
    );

    // Everything is journalled and replays to the same state.
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secretaries_are_members_designated_by_the_secretariat() {
    let s = TestServer::start().await;
    two_groups(&s).await;
    let put = |api: &Api, group: &str, d: Option<&str>| {
        let api = api.clone();
        let body = SetSecretary {
            client_id: cid("sec"),
            group: group.into(),
            delegate_id: d.map(str::to_string),
        };
        async move {
            api.put::<_, GroupInfo>("/api/groups/secretary", &body)
                .await
        }
    };
    assert_eq!(
        status_of(put(&s.secretariat, G1, Some(G2A)).await),
        (422, "not_member".into())
    );
    assert_eq!(
        status_of(put(&s.secretariat, "Tổ 99", Some(VIET)).await),
        (404, "not_found".into())
    );
    assert_eq!(
        status_of(put(&s.secretariat, G1, Some("D999")).await),
        (404, "not_found".into())
    );
    assert_eq!(
        status_of(put(&s.credentials, G1, Some(VIET)).await),
        (403, "forbidden".into())
    );
    let (_, mut g1, _) = tablet(&s, PLAIN).await;
    let (_, mut g2, _) = tablet(&s, G2A).await;
    put(&s.admin, G1, Some(VIET)).await.unwrap();
    let m = marker(&s, "A2").await;
    assert_eq!(kinds(&pushes_until(&mut g1, m).await), vec!["secretary"]);
    assert_eq!(pushes_until(&mut g2, m).await, vec![]);
    // Malformed bodies.
    let (status, _) = s
        .secretariat
        .raw(
            reqwest::Method::PUT,
            "/api/groups/secretary",
            "application/json",
            br#"{"client_id":"x","group":1}"#.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400);
    // The new secretary survives a restart.
    drop((g1, g2));
    let s = s.restart().await;
    let o: GroupsOverview = s.observer.get("/api/groups").await.unwrap();
    assert_eq!(o.groups[0].secretary.as_deref(), Some(VIET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablet_messages_from_the_wrong_caller_or_malformed_are_refused() {
    let s = TestServer::start().await;
    // Operators may not send tablet messages.
    let (mut console, _) = live(&s.secretariat, "console", None).await;
    console
        .send(&opinion("op-console", "A1", "x"))
        .await
        .unwrap();
    assert_eq!(
        reply(&mut console, "op-console").await.unwrap_err().0,
        "forbidden"
    );
    // Wrong types, unknown fields, a too-long client id.
    let (_, mut t, _) = tablet(&s, VIET).await;
    for bad in [
        r#"{"type":"send_opinion","client_id":"a","item_id":"A1"}"#,
        r#"{"type":"send_opinion","client_id":"a","item_id":"A1","text":5}"#,
        r#"{"type":"read_notice","client_id":"a","notice_id":"one"}"#,
        r#"{"type":"save_summary","client_id":"a","item_id":"A1","text":"x","submit":true,"extra":1}"#,
    ] {
        t.send_text(bad.into()).await.unwrap();
        match within(t.next_raw()).await.unwrap() {
            ServerMsg::Error { error, fatal, .. } => {
                assert_eq!(error, "invalid_json", "{bad}");
                assert!(!fatal);
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    // A delegate in no discussion group (a guest) is no member: refused even when present.
    s.engine()
        .run(
            Command::Congress(CongressCommand::ImportDelegates(vec![Delegate {
                id: "D7".into(),
                full_name: "Khách mời".into(),
                unit: "Đoàn khách quốc tế".into(),
                seat: "C-01-01".into(),
                group: String::new(),
                roles: vec![Role::Delegate],
            }])),
            "test",
        )
        .await
        .unwrap();
    s.check_in("D7").await;
    let (guest, mut g, _) = tablet(&s, "D7").await;
    g.send(&opinion("op-guest", "A1", "Ý kiến")).await.unwrap();
    assert_eq!(reply(&mut g, "op-guest").await.unwrap_err().0, "not_member");
    let mine = guest.get::<MyGroup>("/api/groups/mine").await.unwrap();
    assert!(mine.group.is_empty() && mine.opinions.is_empty());
    // The longest summary fits in one websocket message; one character more is refused.
    set_secretary(&s, G1, Some(VIET)).await;
    let longest = "ễ".repeat(MAX_SUMMARY_CHARS - 1) + "😀";
    t.send(&summary("sum-longest", "A1", &longest, false))
        .await
        .unwrap();
    reply(&mut t, "sum-longest").await.unwrap();
    t.send(&summary("sum-over", "A1", &(longest + "x"), false))
        .await
        .unwrap();
    assert_eq!(reply(&mut t, "sum-over").await.unwrap_err().0, "too_long");
    let long_id = "x".repeat(101);
    t.send(&opinion(&long_id, "A1", "x")).await.unwrap();
    assert_eq!(reply(&mut t, &long_id).await.unwrap_err().0, "invalid_json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_only_document_is_listed_and_pushed_to_that_group_only() {
    if !have("pdfinfo") {
        return;
    }
    let s = TestServer::start().await;
    two_groups(&s).await;
    let (api1, mut g1, _) = tablet(&s, VIET).await;
    let (api2, mut g2, _) = tablet(&s, G2A).await;
    let pdf = pdfgen::make_pdf(&[&["Góp ý của Tổ 2 về dự thảo"]], false);
    let (status, body) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=T%E1%BB%95%202&audience=group:T%E1%BB%95%202",
            "application/pdf",
            pdf.clone(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let doc = serde_json::from_str::<UploadAck>(&body).unwrap().document;
    let m = marker(&s, "A2").await;
    assert!(kinds(&pushes_until(&mut g2, m).await).contains(&"document"));
    assert!(!kinds(&pushes_until(&mut g1, m).await).contains(&"document"));
    let ids = |d: Vec<Document>| d.iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(api2.get("/api/documents").await.unwrap()), vec![doc.id]);
    assert_eq!(
        ids(api1.get("/api/documents").await.unwrap()),
        Vec::<i64>::new()
    );
    // A group nobody is in: refused, not stored for no reader.
    let (status, body) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=x&audience=group:T%E1%BB%95%2042",
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("Tổ 42"), "{body}");
}
