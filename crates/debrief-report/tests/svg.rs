//! The SVG pictures read and drawn by a real renderer (resvg): each parses
//! as XML and SVG, and draws something visible, with and without fonts.

mod common;

use common::{INCIDENT_ID, fixture, incident};
use debrief_core::review::{CauseDraft, ItemDraft, QuestionTemplate, Review, ReviewChange};
use debrief_core::{Lifecycle, LifecycleField, Timestamp};
use debrief_report::{fishbone_svg, phase_bar_svg};
use resvg::{tiny_skia, usvg};

/// Parses and renders `svg`; returns how many pixels are clearly darker
/// than the white background.
fn render(svg: &str, with_fonts: bool) -> usize {
    let mut options = usvg::Options::default();
    if with_fonts {
        options.fontdb_mut().load_system_fonts();
        let families: Vec<String> = options
            .fontdb
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        // Our pictures ask for DejaVu Sans first; make "sans-serif" mean
        // something that exists on this machine.
        if let Some(family) = families.first() {
            options.fontdb_mut().set_sans_serif_family(family.clone());
        }
    }
    let tree = usvg::Tree::from_str(svg, &options)
        .unwrap_or_else(|e| panic!("the SVG does not parse: {e}\n{svg}"));
    let size = tree.size().to_int_size();
    assert!(size.width() > 100 && size.height() > 50, "{size:?}");
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    let pixels = pixmap.pixels();
    assert!(
        pixels.iter().any(|p| p.alpha() > 0),
        "the picture is fully transparent"
    );
    pixels
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() as u32 + p.green() as u32 + p.blue() as u32) < 600)
        .count()
}

fn assert_draws(svg: &str) {
    for with_fonts in [false, true] {
        let ink = render(svg, with_fonts);
        assert!(ink > 500, "only {ink} drawn pixels (fonts: {with_fonts})");
    }
}

#[test]
fn the_fishbone_parses_and_draws() {
    let input = fixture();
    let svg = fishbone_svg(input.review.as_ref().unwrap(), &input.incident.fields.title);
    assert_draws(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"<title id="fishbone-title">"#));
    for label in [
        "People",
        "Process",
        "Technology",
        "Policy",
        "Training",
        "Communication",
        "External / third party",
    ] {
        assert!(
            svg.contains(&format!(">{label}</text>")),
            "bone {label} missing"
        );
    }
    assert!(
        svg.contains("★ The VPN accepted"),
        "root causes are starred"
    );
    assert!(svg.contains("…"), "long statements are shortened");
    // Fonts loaded or not, the text is there: the more ink with fonts.
    assert!(render(&svg, true) >= render(&svg, false));
}

#[test]
fn the_fishbone_of_an_empty_review_draws_seven_light_bones() {
    let review = Review::open(
        INCIDENT_ID,
        QuestionTemplate::nist_default(),
        "Priya",
        "2026-09-10T08:00:00Z".parse().unwrap(),
    );
    let svg = fishbone_svg(&review, "");
    assert_draws(&svg);
    assert_eq!(svg.matches("no causes recorded").count(), 7 * 2);
    assert!(svg.contains("the incident"));
}

#[test]
fn the_fishbone_escapes_what_it_is_given() {
    let mut review = Review::open(
        INCIDENT_ID,
        QuestionTemplate::nist_default(),
        "Priya",
        "2026-09-10T08:00:00Z".parse().unwrap(),
    );
    review
        .apply(
            ReviewChange::AddItem {
                item: ItemDraft::Cause(CauseDraft {
                    kind: "root_cause".into(),
                    category: "people".into(),
                    statement: r#"<&"'> </svg><script>x</script>"#.into(),
                    ..Default::default()
                }),
            },
            "Priya",
            "2026-09-10T09:00:00Z".parse().unwrap(),
        )
        .unwrap();
    let svg = fishbone_svg(&review, "Effect <&\"'>");
    assert_draws(&svg);
    assert!(svg.contains("&lt;&amp;&quot;&#39;&gt;"));
    assert!(svg.contains("Effect &lt;&amp;&quot;&#39;&gt;"));
    assert!(!svg.contains("<script"));
    assert_eq!(svg.matches("</svg>").count(), 1);
}

#[test]
fn the_fishbone_with_many_causes_on_one_bone_says_how_many_more() {
    let mut review = Review::open(
        INCIDENT_ID,
        QuestionTemplate::nist_default(),
        "Priya",
        "2026-09-10T08:00:00Z".parse().unwrap(),
    );
    for i in 0..11 {
        review
            .apply(
                ReviewChange::AddItem {
                    item: ItemDraft::Cause(CauseDraft {
                        kind: "contributing_factor".into(),
                        category: "process".into(),
                        statement: format!("Process cause number {i}"),
                        ..Default::default()
                    }),
                },
                "Priya",
                "2026-09-10T09:00:00Z".parse().unwrap(),
            )
            .unwrap();
    }
    let svg = fishbone_svg(&review, "Outage");
    assert_draws(&svg);
    assert!(svg.contains(">+6 more</text>"));
}

#[test]
fn the_phase_bar_parses_and_draws() {
    let input = fixture();
    let svg = phase_bar_svg(&input.incident, &input.zone);
    assert_draws(&svg);
    assert!(svg.contains(r#"<title id="phase-bar-title">"#));
    assert!(svg.contains("Time to detect"));
    assert!(svg.contains("Time to contain"));
    assert!(svg.contains("Time to recover"));
    assert!(
        !svg.contains("unknown"),
        "every moment of the fixture is known"
    );
}

#[test]
fn the_phase_bar_shows_unknown_moments_dashed_and_grey() {
    let mut incident = incident();
    let mut lifecycle = Lifecycle::default();
    lifecycle.set(
        LifecycleField::Detected,
        Some(Timestamp::parse("2026-09-03T06:40+02:00").unwrap()),
    );
    lifecycle.set(
        LifecycleField::Contained,
        Some(Timestamp::parse("2026-09-03T09:10+02:00").unwrap()),
    );
    incident.fields.lifecycle = lifecycle;
    let svg = phase_bar_svg(&incident, &jiff::tz::TimeZone::UTC);
    assert_draws(&svg);
    assert!(svg.contains("stroke-dasharray"));
    assert!(svg.contains(">unknown</text>"));
    assert!(svg.contains("Time to contain: 2 h 30 min"));
    assert!(svg.contains("3 Sep 04:40 UTC"));

    incident.fields.lifecycle = Lifecycle::default();
    let svg = phase_bar_svg(&incident, &jiff::tz::TimeZone::UTC);
    assert_draws(&svg);
    assert_eq!(svg.matches(">unknown</text>").count(), 4 + 5);
}

#[test]
fn the_burn_down_parses_and_draws() {
    use debrief_core::action::{ActionStatus, StatusChange, burn_down};
    let t = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    let ids: Vec<uuid::Uuid> = (1..=5).map(uuid::Uuid::from_u128).collect();
    let mut changes: Vec<StatusChange> = ids
        .iter()
        .map(|id| StatusChange {
            action_id: *id,
            at: t(0),
            to: ActionStatus::Open,
        })
        .collect();
    changes.push(StatusChange {
        action_id: ids[0],
        at: t(48),
        to: ActionStatus::Done,
    });
    changes.push(StatusChange {
        action_id: ids[1],
        at: t(60),
        to: ActionStatus::Cancelled,
    });
    changes.push(StatusChange {
        action_id: ids[0],
        at: t(100),
        to: ActionStatus::Verified,
    });
    let points = burn_down(&changes, &[t(72), t(120)], t(150));
    let svg = debrief_report::burn_down_svg(&points, &jiff::tz::TimeZone::UTC);
    assert_draws(&svg);
    assert!(svg.contains("3 of 4 actions still open; 0 done, 1 verified; 2 follow-up sessions."));
    // An empty chart still parses.
    render(
        &debrief_report::burn_down_svg(&[], &jiff::tz::TimeZone::UTC),
        false,
    );
}
