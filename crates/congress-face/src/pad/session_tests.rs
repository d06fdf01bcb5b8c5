//! Unit tests of `PadSession`: a still never confirms, a planar-moved picture is flagged, a
//! turning head is live, a challenge answered / unanswered / answered the wrong way / faked
//! by tilting a picture, a new presentation after a gap.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::align::Point;

/// Landmarks of a head (eyes/mouth near one plane, nose 0.55 eye distances in front) at
/// the given yaw (degrees), position and scale, seen by a perspective camera.
fn head(yaw_deg: f64, tx: f64, scale: f64) -> Landmarks {
    let pts3 = [
        (-0.5, -0.45, 0.0),
        (0.5, -0.45, 0.0),
        (0.0, 0.1, -0.55),
        (-0.42, 0.55, -0.05),
        (0.42, 0.55, -0.05),
    ];
    let (c, s) = (yaw_deg.to_radians().cos(), yaw_deg.to_radians().sin());
    pts3.map(|(x, y, z)| {
        let (x1, z1) = (c * x + s * z, -s * x + c * z);
        let w = 8.0 / (8.0 + z1);
        Point::new(
            (320.0 + tx + 70.0 * scale * x1 * w) as f32,
            (240.0 + 70.0 * scale * y * w) as f32,
        )
    })
}

/// A flat picture of `l` moved by a similarity (shift, rotation, scale) about its centre.
fn card(l: &Landmarks, tx: f32, rot_deg: f32, scale: f32) -> Landmarks {
    let (c, s) = (rot_deg.to_radians().cos(), rot_deg.to_radians().sin());
    l.map(|p| {
        let (x, y) = (p.x - 320.0, p.y - 240.0);
        Point::new(
            320.0 + tx + scale * (c * x - s * y),
            240.0 + scale * (s * x + c * y),
        )
    })
}

fn thumbs(seed: u8) -> PadFeatures {
    let face = Thumb {
        w: 32,
        h: 32,
        px: (0..1024u32)
            .map(|i| ((i * 7 + u32::from(seed) * 13) % 251) as u8)
            .collect(),
    };
    let scene = Thumb {
        w: 40,
        h: 30,
        px: (0..1200u32)
            .map(|i| ((i * 3 + u32::from(seed) * 5) % 199) as u8)
            .collect(),
    };
    PadFeatures {
        face,
        scene,
        passive: None,
    }
}

fn run(s: &mut PadSession, frames: &[(Landmarks, PadFeatures)]) -> Vec<PadVerdict> {
    frames
        .iter()
        .enumerate()
        .map(|(i, (l, f))| s.observe(i as u64 * 200, Some((l, f))))
        .collect()
}

#[test]
fn a_still_never_confirms() {
    let mut s = PadSession::new(PadConfig::default(), 7);
    let f = thumbs(1);
    let l = head(0.0, 0.0, 1.0);
    let v = run(&mut s, &vec![(l, f); 10]);
    assert!(v.iter().all(|v| !v.is_live()), "{v:?}");
    assert!(matches!(
        v.last().unwrap(),
        PadVerdict::Spoof {
            reason: SpoofReason::StillImage { .. }
        }
    ));
    // and it stays refused while the picture is shown
    let again = s.observe(2_400, Some((&l, &thumbs(1))));
    assert!(again.is_spoof());
    assert_eq!(
        SpoofReason::StillImage {
            frames: 4,
            max_change: 0.0
        }
        .message_key(),
        "face.pad.spoof.still_image"
    );
}

#[test]
fn a_planar_moved_picture_is_flagged() {
    let mut s = PadSession::new(PadConfig::default(), 7);
    let base = head(0.0, 0.0, 1.0);
    let frames: Vec<_> = (0..45)
        .map(|i| {
            let k = (i as f32 * 0.7).sin() * 4.0;
            (
                card(&base, 12.0 * k, 2.0 * k, 1.0 + 0.03 * k),
                thumbs(i as u8),
            )
        })
        .collect();
    let v = run(&mut s, &frames);
    assert!(v.iter().all(|v| !v.is_live()), "{v:?}");
    assert!(
        v.iter().any(|v| matches!(
            v,
            PadVerdict::Spoof {
                reason: SpoofReason::PlanarMotion { .. }
            }
        )),
        "{v:?}"
    );
}

#[test]
fn a_turning_head_is_live_without_challenge() {
    let mut s = PadSession::new(PadConfig::default(), 7);
    let frames: Vec<_> = (0..6)
        .map(|i| (head(4.0 * i as f64, 3.0 * i as f64, 1.0), thumbs(i as u8)))
        .collect();
    let v = run(&mut s, &frames);
    assert!(
        v.iter().any(|v| matches!(
            v,
            PadVerdict::Live {
                evidence: Evidence::Parallax { .. }
            }
        )),
        "{v:?}"
    );
}

fn challenged(seed: u64) -> (PadSession, Prompt, u64) {
    // a person standing almost still: changes, but no parallax -> challenge
    let mut s = PadSession::new(PadConfig::default(), seed);
    let frames: Vec<_> = (0..6)
        .map(|i| (head(0.0, (i % 2) as f64 * 1.5, 1.0), thumbs(i as u8)))
        .collect();
    let v = run(&mut s, &frames);
    let PadVerdict::Challenge {
        prompt,
        deadline_ms,
    } = *v.last().unwrap()
    else {
        panic!("expected a challenge, got {v:?}");
    };
    assert!(v.iter().all(|v| !v.is_spoof()));
    (s, prompt, deadline_ms)
}

#[test]
fn a_challenge_answered_is_live() {
    let (mut s, prompt, deadline) = challenged(7);
    // person's left = nose towards image right = negative model yaw in `head` (see geometry)
    let dir = match prompt {
        Prompt::TurnLeft => 1.0,
        Prompt::TurnRight => -1.0,
    };
    let mut got = None;
    for (k, t) in (1_400..deadline).step_by(200).enumerate() {
        let l = head(-dir * 4.0 * k as f64, 0.0, 1.0);
        let v = s.observe(t, Some((&l, &thumbs(50 + k as u8))));
        if v.is_live() || v.is_spoof() {
            got = Some(v);
            break;
        }
    }
    assert!(
        matches!(
            got,
            Some(PadVerdict::Live {
                evidence: Evidence::Challenge { .. }
            })
        ),
        "{got:?}"
    );
}

#[test]
fn a_challenge_unanswered_or_answered_the_wrong_way_is_refused() {
    let (mut s, prompt, deadline) = challenged(9);
    let mut last = PadVerdict::Collecting { frames: 0 };
    for (k, t) in (1_400..=deadline + 200).step_by(200).enumerate() {
        let l = head(0.0, (k % 2) as f64, 1.0);
        last = s.observe(t, Some((&l, &thumbs(60 + k as u8))));
        assert!(!last.is_live());
    }
    assert!(
        matches!(
            last,
            PadVerdict::Spoof {
                reason: SpoofReason::ChallengeNotAnswered { .. }
            }
        ),
        "{last:?}"
    );
    // the wrong direction does not answer either
    let (mut s, prompt2, deadline) = challenged(11);
    let wrong = match prompt2 {
        Prompt::TurnLeft => -1.0,
        Prompt::TurnRight => 1.0,
    };
    for (k, t) in (1_400..=deadline + 200).step_by(200).enumerate() {
        let l = head(-wrong * 3.0 * k as f64, 0.0, 1.0);
        last = s.observe(t, Some((&l, &thumbs(70 + k as u8))));
        assert!(
            !last.is_live(),
            "{prompt2:?} answered the wrong way: {last:?}"
        );
    }
    assert!(last.is_spoof());
    let _ = prompt;
}

#[test]
fn a_picture_tilted_as_asked_is_refused() {
    let (mut s, prompt, deadline) = challenged(7);
    let base = head(0.0, 0.0, 1.0);
    let dir = match prompt {
        Prompt::TurnLeft => 1.0f32,
        Prompt::TurnRight => -1.0,
    };
    let mut last = PadVerdict::Collecting { frames: 0 };
    for (k, t) in (1_400..=deadline + 200).step_by(200).enumerate() {
        // the attacker shifts and squeezes the card sideways: a flat transform
        let l = base.map(|p| {
            Point::new(
                320.0 + (p.x - 320.0) * (1.0 - 0.04 * k as f32) + dir * 6.0 * k as f32,
                p.y,
            )
        });
        last = s.observe(t, Some((&l, &thumbs(80 + k as u8))));
        assert!(!last.is_live(), "{last:?}");
    }
    assert!(last.is_spoof(), "{last:?}");
}

#[test]
fn a_new_presentation_after_a_gap_starts_afresh() {
    let mut s = PadSession::new(PadConfig::default(), 7);
    let l = head(0.0, 0.0, 1.0);
    let v = run(&mut s, &vec![(l, thumbs(1)); 5]);
    assert!(v.last().unwrap().is_spoof());
    // the picture is taken away; 2 s later a real, turning person arrives
    assert!(s.observe(1_200, None).is_spoof());
    let mut live = false;
    for i in 0..6u64 {
        let l = head(4.0 * i as f64, 2.0 * i as f64, 1.0);
        live |= s
            .observe(3_500 + 200 * i, Some((&l, &thumbs(20 + i as u8))))
            .is_live();
    }
    assert!(live);
}

#[test]
fn disabled_pad_is_always_live_and_config_validates() {
    let cfg = PadConfig {
        enabled: false,
        ..PadConfig::default()
    };
    let mut s = PadSession::new(cfg, 1);
    assert!(s.observe(0, None).is_live());
    assert!(PadConfig::default().validate().is_ok());
    assert!(
        PadConfig {
            still_frames: 1,
            ..PadConfig::default()
        }
        .validate()
        .is_err()
    );
}

#[test]
fn a_live_verdict_does_not_carry_over_to_another_face() {
    let mut s = PadSession::new(PadConfig::default(), 7);
    let frames: Vec<_> = (0..6)
        .map(|i| (head(4.0 * i as f64, 3.0 * i as f64, 1.0), thumbs(i as u8)))
        .collect();
    assert!(run(&mut s, &frames).iter().any(|v| v.is_live()));
    // the same face a little later and a little moved: still live
    let near = head(20.0, 18.0, 1.0);
    assert!(s.observe(1_200, Some((&near, &thumbs(30)))).is_live());
    // a photo of someone else pushed in at once, elsewhere and bigger: not live any more
    let other = card(&head(0.0, 0.0, 1.0), 200.0, 0.0, 1.6);
    let v = s.observe(1_400, Some((&other, &thumbs(31))));
    assert!(!v.is_live(), "{v:?}");
}

#[test]
fn an_early_challenge_does_not_let_a_still_through() {
    // the server asks at once when a delegate is recognised (frame 2): a still image is still
    // refused by the still-image rule, not answered by the challenge
    let mut s = PadSession::new(PadConfig::default(), 7);
    let (l, f) = (head(0.0, 0.0, 1.0), thumbs(1));
    s.observe(0, Some((&l, &f)));
    s.observe(200, Some((&l, &f)));
    assert!(matches!(s.challenge_now(200), PadVerdict::Challenge { .. }));
    // asked once: a second call keeps the same prompt and deadline
    assert_eq!(s.challenge_now(300), s.challenge_now(300));
    let v: Vec<_> = (2..10u64)
        .map(|i| s.observe(i * 200, Some((&l, &f))))
        .collect();
    assert!(v.iter().all(|v| !v.is_live()), "{v:?}");
    assert!(matches!(
        v.last().unwrap(),
        PadVerdict::Spoof {
            reason: SpoofReason::StillImage { .. }
        }
    ));
    // without any face yet there is nothing to ask about
    let mut empty = PadSession::new(PadConfig::default(), 7);
    assert!(matches!(
        empty.challenge_now(0),
        PadVerdict::Collecting { .. }
    ));
}
