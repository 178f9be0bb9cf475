//! The demo data: three realistic incidents with full chronologies, loaded
//! through the ordinary bundle import so the demo exercises the real path.

use crate::bundle::BundleReport;
use crate::{App, AppError};

/// The demo bundle, shipped inside the binary.
pub const DEMO_BUNDLE: &str = include_str!("demo/demo-bundle.json");

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded(BundleReport),
    /// The database already holds incidents; the demo never mixes with real data.
    NotEmpty {
        incidents: u64,
    },
}

impl App {
    /// Fills an empty database with the demo incidents.
    pub async fn load_demo(&self) -> Result<DemoOutcome, AppError> {
        let incidents = self.store().count_incidents().await?;
        if incidents > 0 {
            return Ok(DemoOutcome::NotEmpty { incidents });
        }
        let report = self.import_bundle(DEMO_BUNDLE.as_bytes(), &|_| {}).await?;
        Ok(DemoOutcome::Loaded(report))
    }
}
