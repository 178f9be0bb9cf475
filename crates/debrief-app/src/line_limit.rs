//! A reader that refuses over-long lines before they are buffered, so a
//! 50 MB line costs 1 MiB of memory and a clear error, not 50 MB.

use std::io::{self, Read};

/// The longest line an import accepts.
pub const MAX_LINE_BYTES: usize = 1 << 20;

pub struct LineLimit<R> {
    inner: R,
    line: u64,
    current: usize,
}

impl<R: Read> LineLimit<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            line: 1,
            current: 0,
        }
    }
}

/// The message of the error [`LineLimit`] raises; importers look for it.
pub fn too_long_message(line: u64) -> String {
    format!(
        "line {line} is longer than {} MiB; is this the right file?",
        MAX_LINE_BYTES >> 20
    )
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.current = 0;
            } else {
                self.current += 1;
                if self.current > MAX_LINE_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        LineTooLong(self.line),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// Carried inside the `io::Error` so importers can report the line.
#[derive(Debug)]
pub struct LineTooLong(pub u64);

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&too_long_message(self.0))
    }
}

impl std::error::Error for LineTooLong {}

/// The line number if `e` is (or wraps) a [`LineTooLong`].
pub fn line_too_long(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LineTooLong>())
        .map(|l| l.0)
}
