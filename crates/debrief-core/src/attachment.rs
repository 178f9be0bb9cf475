//! Evidence attachments on timeline events (PRODUCT.md §3, §11): the
//! metadata a file is kept with (SHA-256, size, types, who added it and
//! when), the checks a new file passes, and the decision how a stored file
//! may be served so that no browser ever runs it.
//!
//! The serving decision is made from the bytes, not from what the uploader
//! declared: a `.png` that is really HTML is detected as markup and served
//! as a download. Only a short allow-list of passive types is ever shown
//! inline; everything else is `application/octet-stream` with
//! `Content-Disposition: attachment`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::FieldErrors;

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// The size limit when the organisation sets none: 25 MiB.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 25 * 1024 * 1024;
/// What every file the server cannot show safely is served as.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// A stored attachment's metadata (never its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub event_id: Uuid,
    pub file_name: String,
    /// The type the uploader declared, normalised (`image/png`).
    pub declared_type: String,
    /// The type detected from the content's first bytes.
    pub detected_type: String,
    pub size: u64,
    /// Lower-case hex of the content's SHA-256, recorded when it was added.
    pub sha256: String,
    pub added_by: String,
    pub added_at: jiff::Timestamp,
    pub description: Option<String>,
}

impl Attachment {
    /// How this attachment may be served (see [`serving`]).
    pub fn serving(&self) -> Serving {
        serving(&self.detected_type)
    }
    /// The first 12 hex digits of the hash, for lists (the full hash is
    /// always one hover or copy away).
    pub fn short_hash(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
    /// Whether what was declared and what the bytes are disagree.
    pub fn type_mismatch(&self) -> bool {
        self.declared_type != self.detected_type
    }
}

/// What the uploader says about a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentDraft {
    pub file_name: String,
    /// The declared media type; empty or `None` means "not said".
    pub content_type: Option<String>,
    pub description: Option<String>,
}

/// A file that passed every check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    pub declared_type: String,
    pub detected_type: String,
    pub size: u64,
    pub sha256: String,
    pub description: Option<String>,
}

impl AttachmentDraft {
    /// Checks the name, the declared type, the description and the content
    /// (not empty, at most `max_bytes`), reporting every problem at once.
    pub fn validate(&self, content: &[u8], max_bytes: u64) -> Result<NewAttachment, FieldErrors> {
        let mut errors = FieldErrors::default();
        let file_name = match sanitise_file_name(&self.file_name) {
            Ok(n) => n,
            Err(m) => {
                errors.push("file_name", m);
                String::new()
            }
        };
        let declared_type = match self
            .content_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => OCTET_STREAM.to_owned(),
            Some(t) => match normalise_media_type(t) {
                Ok(t) => t,
                Err(m) => {
                    errors.push("content_type", m);
                    String::new()
                }
            },
        };
        let description = self
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned);
        if let Some(d) = &description {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION_CHARS {
                errors.push(
                    "description",
                    format!(
                        "the description has {n} characters; at most {MAX_DESCRIPTION_CHARS} are kept"
                    ),
                );
            }
            if d.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
            {
                errors.push(
                    "description",
                    "the description contains control characters; remove them",
                );
            }
        }
        let size = content.len() as u64;
        if size == 0 {
            errors.push(
                "file",
                "the file is empty; attach the evidence itself, not an empty file",
            );
        } else if size > max_bytes {
            errors.push("file", too_large_message(size, max_bytes));
        }
        errors.into_result(NewAttachment {
            file_name,
            declared_type,
            detected_type: detect_type(content).to_owned(),
            size,
            sha256: sha256_hex(content),
            description,
        })
    }
}

/// The message for a file over the limit, naming both numbers.
pub fn too_large_message(size: u64, max_bytes: u64) -> String {
    format!(
        "the file is {size} bytes; the limit is {max_bytes} bytes ({}) — ask an administrator to raise --max-attachment-bytes",
        human_size(max_bytes)
    )
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// `12.3 KiB`, `4 B`, `25.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The file name as kept: the last path component (browsers on some
/// systems send `C:\fakepath\x.png`), trimmed; refused when empty, `.` or
/// `..`, longer than [`MAX_FILE_NAME_CHARS`], or holding control or
/// bidirectional-override characters (which make `evilU+202Egnp.exe` look like
/// a picture).
pub fn sanitise_file_name(raw: &str) -> Result<String, String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
    if base.is_empty() || base == "." || base == ".." {
        return Err(format!(
            "`{}` is not a file name; give the file a name such as `firewall.log`",
            raw.escape_debug()
        ));
    }
    if let Some(c) = base.chars().find(|c| c.is_control() || is_bidi_control(*c)) {
        return Err(format!(
            "the file name contains the control character U+{:04X}; rename the file",
            u32::from(c)
        ));
    }
    let n = base.chars().count();
    if n > MAX_FILE_NAME_CHARS {
        return Err(format!(
            "the file name has {n} characters; at most {MAX_FILE_NAME_CHARS} are allowed"
        ));
    }
    Ok(base.to_owned())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `Image/PNG; charset=x` → `image/png`: type and subtype, lower-case,
/// parameters dropped. Refuses anything that is not `token/token`.
pub fn normalise_media_type(raw: &str) -> Result<String, String> {
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match essence.split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(essence),
        _ => Err(format!(
            "`{}` is not a media type; write it as type/subtype, such as text/plain",
            raw.escape_debug()
        )),
    }
}

/// The type the content's first bytes show. Images, PDF and archives by
/// their magic numbers; UTF-8 text without control characters is
/// `text/plain` unless it starts like markup (`<`), which is `text/html`,
/// `image/svg+xml` or `application/xml` — all never shown inline; anything
/// else is [`OCTET_STREAM`].
pub fn detect_type(content: &[u8]) -> &'static str {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1F\x8B", "application/gzip"),
        (b"\x7FELF", OCTET_STREAM),
        (b"MZ", OCTET_STREAM),
    ];
    for (magic, kind) in MAGIC {
        if content.starts_with(magic) {
            return kind;
        }
    }
    if content.len() >= 12 && &content[..4] == b"RIFF" && &content[8..12] == b"WEBP" {
        return "image/webp";
    }
    let text = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let Ok(text) = std::str::from_utf8(text) else {
        return OCTET_STREAM;
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
    {
        return OCTET_STREAM;
    }
    let start = text.trim_start();
    if start.starts_with('<') {
        let head: String = start
            .chars()
            .take(1024)
            .collect::<String>()
            .to_ascii_lowercase();
        return if head.contains("<svg") {
            "image/svg+xml"
        } else if head.starts_with("<?xml") && !head.contains("<html") {
            "application/xml"
        } else {
            "text/html"
        };
    }
    // Text a browser might still take for markup when it sniffs is served
    // with nosniff anyway; these catch the obvious disguises.
    let lower: String = start
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.contains("<script") || lower.contains("<html") || lower.contains("<!doctype") {
        return "text/html";
    }
    "text/plain"
}

/// How a stored file is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serving {
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// `inline` (shown in the browser) or `attachment` (downloaded).
    pub inline: bool,
}

/// The types shown inline: raster images and plain text, which a browser
/// only displays. Everything else — HTML, SVG, XML, PDF (its viewer runs
/// scripts), archives, unknown bytes — is downloaded as octet-stream.
pub const INLINE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
];

/// The safe way to serve content whose detected type is `detected`. A pure
/// function of the detected type only: what the uploader declared never
/// makes a file more trusted.
pub fn serving(detected: &str) -> Serving {
    match detected {
        "text/plain" => Serving {
            content_type: "text/plain; charset=utf-8",
            inline: true,
        },
        t => match INLINE_TYPES.iter().find(|i| **i == t) {
            Some(i) => Serving {
                content_type: i,
                inline: true,
            },
            None => Serving {
                content_type: OCTET_STREAM,
                inline: false,
            },
        },
    }
}

/// The `Content-Disposition` value (RFC 6266): an ASCII fallback name
/// (non-ASCII, quotes and backslashes become `_`) and the exact name in
/// `filename*` (RFC 8187, percent-encoded UTF-8).
pub fn content_disposition(file_name: &str, inline: bool) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// What happened to an attachment, in its chain-of-custody log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyAction {
    /// Stored; the hash was computed from the bytes received.
    Added,
    /// Served after the stored bytes matched the recorded hash.
    Downloaded,
    /// Read to check, and the bytes matched.
    Verified,
    /// The stored bytes no longer match the recorded hash; nothing was served.
    IntegrityFailed,
    /// Brought in by a bundle import, its hash checked.
    Imported,
}

impl CustodyAction {
    pub const ALL: [CustodyAction; 5] = [
        Self::Added,
        Self::Downloaded,
        Self::Verified,
        Self::IntegrityFailed,
        Self::Imported,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Downloaded => "downloaded",
            Self::Verified => "verified",
            Self::IntegrityFailed => "integrity_failed",
            Self::Imported => "imported",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "Added",
            Self::Downloaded => "Downloaded, hash matched",
            Self::Verified => "Verified, hash matched",
            Self::IntegrityFailed => "Integrity check FAILED",
            Self::Imported => "Imported, hash matched",
        }
    }
}

impl std::str::FromStr for CustodyAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown custody action `{s}`"))
    }
}

/// One entry of an attachment's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    pub at: jiff::Timestamp,
    pub actor: String,
    pub action: CustodyAction,
    /// The hash computed from the bytes at that moment.
    pub sha256: String,
    /// What else is worth knowing (the mismatch, the bundle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn draft(name: &str) -> AttachmentDraft {
        AttachmentDraft {
            file_name: name.into(),
            content_type: Some("text/plain".into()),
            description: None,
        }
    }

    #[test]
    fn a_valid_file_gets_its_hash_size_and_detected_type() {
        let a = draft("vpn.log").validate(b"hello\n", 100).unwrap();
        assert_eq!(a.size, 6);
        assert_eq!(
            a.sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert_eq!(a.detected_type, "text/plain");
        assert_eq!(a.declared_type, "text/plain");
    }

    #[test]
    fn an_empty_file_and_one_over_the_limit_are_refused_naming_the_numbers() {
        let e = draft("x.log").validate(b"", 10).unwrap_err();
        assert!(e.for_field("file").unwrap().contains("empty"));
        let e = draft("x.log").validate(&[b'a'; 11], 10).unwrap_err();
        let m = e.for_field("file").unwrap();
        assert!(
            m.contains("11 bytes") && m.contains("limit is 10 bytes"),
            "{m}"
        );
    }

    #[test]
    fn file_names_lose_their_folders_and_refuse_control_and_bidi_characters() {
        assert_eq!(
            sanitise_file_name("C:\\fakepath\\shot.png").unwrap(),
            "shot.png"
        );
        assert_eq!(sanitise_file_name("../../etc/passwd").unwrap(), "passwd");
        assert!(sanitise_file_name("..").is_err());
        assert!(sanitise_file_name("a/").is_err());
        assert!(sanitise_file_name("a\u{0}b").is_err());
        assert!(sanitise_file_name("evil\u{202E}gnp.exe").is_err());
        assert!(sanitise_file_name(&"a".repeat(201)).is_err());
        let e = draft("").validate(b"x", 10).unwrap_err();
        assert!(e.for_field("file_name").is_some());
    }

    #[test]
    fn media_types_are_normalised_and_nonsense_is_refused_naming_the_field() {
        assert_eq!(normalise_media_type("Image/PNG; q=1").unwrap(), "image/png");
        assert!(normalise_media_type("png").is_err());
        assert!(normalise_media_type("text/<b>").is_err());
        let mut d = draft("a.txt");
        d.content_type = Some("nonsense".into());
        assert!(
            d.validate(b"x", 10)
                .unwrap_err()
                .for_field("content_type")
                .is_some()
        );
        d.content_type = None;
        assert_eq!(d.validate(b"x", 10).unwrap().declared_type, OCTET_STREAM);
    }

    #[test]
    fn the_bytes_decide_the_type_not_the_name() {
        assert_eq!(detect_type(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(detect_type(b"\xFF\xD8\xFF\xE0"), "image/jpeg");
        assert_eq!(detect_type(b"GIF89a.."), "image/gif");
        assert_eq!(detect_type(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(detect_type(b"%PDF-1.7"), "application/pdf");
        assert_eq!(detect_type(b"  <!DOCTYPE html><p>hi"), "text/html");
        assert_eq!(detect_type(b"<?xml version='1.0'?><svg/>"), "image/svg+xml");
        assert_eq!(detect_type(b"<?xml version='1.0'?><a/>"), "application/xml");
        assert_eq!(detect_type(b"hello <script>alert(1)</script>"), "text/html");
        assert_eq!(detect_type(b"2026-11-02 login ok\n"), "text/plain");
        assert_eq!(detect_type(b"\xEF\xBB\xBFbom text"), "text/plain");
        assert_eq!(detect_type(b"\x00\x01\x02"), OCTET_STREAM);
        assert_eq!(detect_type(b"\xC3\x28"), OCTET_STREAM);
    }

    #[test]
    fn only_passive_types_are_inline_and_everything_else_downloads() {
        for t in INLINE_TYPES {
            assert!(serving(t).inline, "{t}");
        }
        assert_eq!(
            serving("text/plain").content_type,
            "text/plain; charset=utf-8"
        );
        for t in [
            "text/html",
            "image/svg+xml",
            "application/xml",
            "application/pdf",
            "application/javascript",
            "application/zip",
            OCTET_STREAM,
            "whatever/else",
        ] {
            assert_eq!(
                serving(t),
                Serving {
                    content_type: OCTET_STREAM,
                    inline: false
                },
                "{t}"
            );
        }
    }

    #[test]
    fn a_png_named_file_holding_html_is_served_as_a_download() {
        let mut d = draft("cat.png");
        d.content_type = Some("image/png".into());
        let a = d.validate(b"<html><script>alert(1)</script>", 100).unwrap();
        assert_eq!(a.detected_type, "text/html");
        assert!(!serving(&a.detected_type).inline);
    }

    #[test]
    fn content_disposition_quotes_safely_and_keeps_the_exact_name() {
        assert_eq!(
            content_disposition("a \"b\".txt", false),
            "attachment; filename=\"a _b_.txt\"; filename*=UTF-8''a%20%22b%22.txt"
        );
        assert_eq!(
            content_disposition("é.png", true),
            "inline; filename=\"_.png\"; filename*=UTF-8''%C3%A9.png"
        );
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human_size(4), "4 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(DEFAULT_MAX_ATTACHMENT_BYTES), "25.0 MiB");
    }

    proptest! {
        #[test]
        fn no_bytes_or_name_make_validation_panic(
            name in ".{0,300}",
            kind in proptest::option::of(".{0,40}"),
            content in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let d = AttachmentDraft { file_name: name, content_type: kind, description: None };
            if let Ok(a) = d.validate(&content, 200) {
                prop_assert!(!a.file_name.contains(['/', '\\']));
                prop_assert!(!a.file_name.chars().any(char::is_control));
                prop_assert_eq!(a.size as usize, content.len());
                let s = serving(&a.detected_type);
                prop_assert!(s.inline || s.content_type == OCTET_STREAM);
                let cd = content_disposition(&a.file_name, s.inline);
                prop_assert!(cd.is_ascii() && !cd.contains(['\r', '\n']));
            }
        }

        #[test]
        fn markup_is_never_inline(prefix in "[ \t\n]{0,5}", rest in "[a-z <>/=\"]{0,80}") {
            let content = format!("{prefix}<{rest}");
            prop_assert!(!serving(detect_type(content.as_bytes())).inline);
        }
    }
}
