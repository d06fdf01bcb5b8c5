//! The inline SVG chart: delegates present over time as a step line, with the quorum line.
//! Plain SVG (no script, no external font), so it prints the same in any browser and PDF.

use std::fmt::Write as _;

use crate::html::escape;
use crate::model::PresencePoint;

/// Chart size in SVG user units (the page scales it to the printable width).
const W: f64 = 700.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

/// The chart, or an empty string when there is nothing to draw.
///
/// `end` is the right edge (the last journal time), `required` the quorum line, `convened`
/// the top of the scale; `fmt` formats a time for the axis; `labels` = (title, quorum label).
pub fn presence_svg(
    points: &[PresencePoint],
    end: i64,
    required: u32,
    convened: u32,
    fmt: &dyn Fn(i64) -> String,
    labels: (&str, &str),
) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let start = first.at;
    let end = end
        .max(points.last().map_or(start, |p| p.at))
        .max(start + 60_000);
    let top = points
        .iter()
        .map(|p| p.present)
        .max()
        .unwrap_or(0)
        .max(convened)
        .max(required)
        .max(1);
    let x = |t: i64| LEFT + (t - start) as f64 / (end - start) as f64 * (W - LEFT - RIGHT);
    let y = |n: u32| TOP + (1.0 - f64::from(n) / f64::from(top)) * (H - TOP - BOTTOM);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-label="{title}" direction="ltr" style="direction:ltr">"##,
        title = escape(labels.0)
    );
    // Axes and grid: 0, half, top.
    for n in [0, top / 2, top] {
        let yy = y(n);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{x2}" y2="{yy:.1}" stroke="#ccc" stroke-width="0.5"/><text x="{tx}" y="{ty:.1}" font-size="10" text-anchor="end">{n}</text>"##,
            x2 = W - RIGHT,
            tx = LEFT - 4.0,
            ty = yy + 3.5
        );
    }
    for (t, anchor) in [
        (start, "start"),
        (start + (end - start) / 2, "middle"),
        (end, "end"),
    ] {
        let _ = write!(
            svg,
            r##"<text x="{xx:.1}" y="{ty}" font-size="10" text-anchor="{anchor}">{label}</text>"##,
            xx = x(t),
            ty = H - 10.0,
            label = escape(&fmt(t))
        );
    }
    // Quorum line.
    let qy = y(required);
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{qy:.1}" x2="{x2}" y2="{qy:.1}" stroke="#b00" stroke-width="1.2" stroke-dasharray="5 3"/><text x="{tx}" y="{ty:.1}" font-size="10" fill="#b00" text-anchor="end">{ql}</text>"##,
        x2 = W - RIGHT,
        tx = W - RIGHT - 2.0,
        ty = qy - 4.0,
        ql = escape(labels.1)
    );
    // Step line of the present count.
    let mut d = format!("M{:.1},{:.1}", x(start), y(0));
    for p in points {
        let _ = write!(d, " H{:.1} V{:.1}", x(p.at), y(p.present));
    }
    let _ = write!(d, " H{:.1}", x(end));
    let _ = write!(
        svg,
        r##"<path d="{d}" fill="none" stroke="#123a6b" stroke-width="1.6"/></svg>"##
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_step_line_and_the_quorum_line() {
        let pts = [
            PresencePoint {
                seq: 1,
                at: 0,
                present: 1,
            },
            PresencePoint {
                seq: 2,
                at: 60_000,
                present: 3,
            },
        ];
        let svg = presence_svg(&pts, 120_000, 2, 3, &|t| t.to_string(), ("P", "Q <2>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("Q &lt;2&gt;"));
        assert_eq!(svg.matches(" V").count(), 2);
        assert!(presence_svg(&[], 0, 2, 3, &|t| t.to_string(), ("P", "Q")).is_empty());
    }
}
