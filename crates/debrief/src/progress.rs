//! The progress bar of long imports: drawn on stderr when stderr is a
//! terminal, absent when it is piped or redirected, so scripts and logs get
//! only the final report (§12: "progress on a terminal, quiet when piped").

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A count of records read; the total is unknown while a file streams.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner labelled `what` (`events`, `bundle events`) on a terminal,
    /// nothing otherwise.
    pub fn start(what: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar = ProgressBar::new_spinner();
        let template = format!("{{spinner}} {{human_pos}} {what} read ({{per_sec}}, {{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        // A steady tick keeps the spinner alive while a batch is being written.
        bar.enable_steady_tick(Duration::from_millis(120));
        Self { bar: Some(bar) }
    }

    /// What the use case calls with the number of records read so far.
    pub fn update(&self, read: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(read);
        }
    }

    /// Removes the bar so the final report stands alone.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // On an error the bar must not stay on screen above the message.
        self.finish();
    }
}
