//! The wheel-bandit regret-over-time figure.

use super::active::{BandPanel, render_bands};
use crate::error::Result;
use std::path::Path;

fn size(panels: &[BandPanel]) -> (u32, u32) {
    let rows = panels.len().div_ceil(3).max(1) as u32;
    (1500, 420 * rows)
}

/// The bytes of one panel per δ (three columns) as the file `path` (`.png` or `.svg`);
/// nothing is written.
pub fn render_bandit_figure(panels: &[BandPanel], path: &Path) -> Result<Vec<u8>> {
    render_bands(panels, 3, path, size(panels))
}

/// Draws one panel per δ (three columns) into `path`, atomically.
pub fn save_bandit_figure(panels: &[BandPanel], path: &Path) -> Result<()> {
    let bytes = render_bandit_figure(panels, path)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}
