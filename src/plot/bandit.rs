//! The wheel-bandit regret-over-time figure.

use super::active::{BandPanel, save_bands};
use crate::error::Result;
use std::path::Path;

/// Draws one panel per δ (three columns) into `path`.
pub fn save_bandit_figure(panels: &[BandPanel], path: &Path) -> Result<()> {
    let rows = panels.len().div_ceil(3).max(1) as u32;
    save_bands(panels, 3, path, (1500, 420 * rows))
}
