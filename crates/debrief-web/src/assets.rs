//! Static assets, compiled into the binary so nothing is loaded from another
//! host. Cached for a day; the URL carries the crate version to bust caches.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use debrief_app::App;

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");

/// The path pages link the stylesheet under.
pub const CSS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");
pub const JS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");

pub fn routes() -> Router<App> {
    Router::new()
        .route(CSS_PATH, get(css))
        .route(JS_PATH, get(js))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        JS,
    )
}

#[cfg(test)]
mod tests {
    /// Every block of the stylesheet closes where it should: a missing `}`
    /// after a media query once put every later rule inside it, so the
    /// dashboard, accounts and plans lost their styles on a desktop.
    #[test]
    fn the_stylesheet_closes_every_block_and_nests_rules_only_in_at_rules() {
        let mut depth = 0usize;
        let mut in_at_rule = Vec::new();
        let mut rest = super::CSS;
        let mut line = 1;
        let mut head = String::new();
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("/*") {
                let end = rest.find("*/").expect("an unclosed comment") + 2;
                line += rest[..end].matches('\n').count();
                rest = &rest[end..];
                continue;
            }
            match c {
                '{' => {
                    let at = head.trim_start().starts_with('@');
                    assert!(
                        depth == 0 || in_at_rule.last() == Some(&true),
                        "line {line}: a rule inside a rule ({})",
                        head.trim()
                    );
                    in_at_rule.push(at);
                    depth += 1;
                    head.clear();
                }
                '}' => {
                    assert!(depth > 0, "line {line}: a `}}` closes nothing");
                    depth -= 1;
                    in_at_rule.pop();
                    head.clear();
                }
                ';' => head.clear(),
                '\n' => {
                    line += 1;
                    head.push(c);
                }
                _ => head.push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
        assert_eq!(depth, 0, "a block is still open at the end");
    }
}
