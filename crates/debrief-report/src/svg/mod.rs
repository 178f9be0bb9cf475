//! Hand-built SVG pictures of an incident and its review: the fishbone
//! (Ishikawa) diagram of the causes and the phase bar of the lifecycle.
//!
//! Built as strings, not with a drawing library: the pictures are a few
//! dozen elements, and owning the markup keeps them small, deterministic
//! (snapshot-testable) and embeddable inline in HTML. Every piece of user
//! text goes through [`xml_escape`].

pub mod burn_down;
pub mod fishbone;
pub mod phase_bar;
pub mod trend;

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`,
/// `'`), and drops the control characters XML 1.0 does not allow, so a
/// stray byte from an import cannot make the picture unreadable.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, so the markup stays short and
/// stable across platforms.
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A rough text width in pixels for a sans-serif face (no font metrics at
/// hand): used only to decide whether a label fits.
pub(crate) fn text_width(s: &str, font_size: f64) -> f64 {
    s.chars().count() as f64 * font_size * 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_escapes_the_five_markup_characters() {
        assert_eq!(xml_escape(r#"<&"'>"#), "&lt;&amp;&quot;&#39;&gt;");
        assert_eq!(xml_escape("plain ★ text"), "plain ★ text");
    }

    #[test]
    fn xml_escape_drops_control_characters_xml_forbids() {
        assert_eq!(xml_escape("a\u{0}b\u{1b}c\td"), "abc\td");
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
