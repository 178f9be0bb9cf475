//! The demo's evidence files on the ransomware case: an EDR log excerpt on
//! the detection event and a small screenshot-like PNG (drawn here, so the
//! repository carries no binary) on the first impact event. Added through
//! the use case, as a responder would, on the morning of the incident.

use debrief_core::attachment::AttachmentDraft;
use debrief_store::EventFilter;

use crate::{App, AppError, Caller};

const KEY: &str = "INC-2026-0001";

const EDR_LOG: &str = "\
2026-09-14T01:11:58Z LYON-FS01 proc=svchost.exe pid=4412 user=CORP\\svc-backup-sync spawned pid=5120 image=C:\\ProgramData\\lkx\\lkx.exe
2026-09-14T01:12:03Z LYON-FS01 pid=5120 file_rename count=118 ext=.lkx path=\\\\lyon-fs01\\finance\\2026\\
2026-09-14T01:12:04Z LYON-FS01 pid=5120 file_write name=README-LKX.txt path=\\\\lyon-fs01\\finance\\
2026-09-14T03:47:12Z LYON-FS01 ALERT rule=\"Suspicious mass file modification\" severity=high files_modified_10min=48211
2026-09-14T03:47:12Z LYON-FS01 ALERT parent_chain=services.exe>svchost.exe>lkx.exe account=svc-backup-sync
";

impl App {
    /// Attaches the demo evidence (once; the demo runs only on an empty
    /// database).
    pub(crate) async fn load_demo_evidence(&self) -> Result<(), AppError> {
        let events = self.events(KEY, &EventFilter::default()).await?;
        let find = |start: &str| {
            events
                .iter()
                .find(|e| e.event.text.starts_with(start))
                .map(|e| e.id.to_string())
                .ok_or_else(|| AppError::NotFound(format!("the demo event `{start}…`")))
        };
        let detection = find("EDR alert")?;
        let impact = find("First files renamed")?;
        let app = self.with_clock(super::demo_clock("2026-09-14T04:20:00Z")?);
        let priya = Caller::system("Priya Raman");
        app.add_attachment(
            &priya,
            KEY,
            &detection,
            &AttachmentDraft {
                file_name: "edr-alert-LYON-FS01.log".into(),
                content_type: Some("text/plain".into()),
                description: Some(
                    "EDR console export around the alert: process tree and the first renames."
                        .into(),
                ),
            },
            EDR_LOG.as_bytes(),
        )
        .await?;
        let app = self.with_clock(super::demo_clock("2026-09-14T05:02:00Z")?);
        app.add_attachment(
            &Caller::system("Tomás Ortega"),
            KEY,
            &impact,
            &AttachmentDraft {
                file_name: "finance-share-encrypted.png".into(),
                content_type: Some("image/png".into()),
                description: Some("Screenshot of the finance share with .lkx files.".into()),
            },
            &demo_png(),
        )
        .await?;
        Ok(())
    }
}

/// A 160×90 PNG: a dark window with rows of "files", the renamed ones red.
pub(crate) fn demo_png() -> Vec<u8> {
    const W: usize = 160;
    const H: usize = 90;
    let mut raw = Vec::with_capacity((W * 3 + 1) * H);
    for y in 0..H {
        raw.push(0); // filter: none
        for x in 0..W {
            let frame = y < 12 || !(4..W - 4).contains(&x) || y >= H - 4;
            let pixel: [u8; 3] = if frame {
                [0x2b, 0x3a, 0x55]
            } else if (y - 12) % 10 < 6 && (8..120).contains(&x) {
                if ((y - 12) / 10) % 3 == 0 {
                    [0x4a, 0x90, 0x4a]
                } else {
                    [0xc0, 0x39, 0x2b]
                }
            } else {
                [0xf4, 0xf4, 0xf4]
            };
            raw.extend_from_slice(&pixel);
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(W as u32).to_be_bytes());
    ihdr.extend_from_slice(&(H as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// zlib with uncompressed ("stored") deflate blocks: valid and simple.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_png_is_detected_as_png_and_its_checksums_are_right() {
        let png = demo_png();
        assert_eq!(debrief_core::attachment::detect_type(&png), "image/png");
        // CRC-32 of "IEND" is the well-known AE 42 60 82.
        assert_eq!(&png[png.len() - 4..], &[0xAE, 0x42, 0x60, 0x82]);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
