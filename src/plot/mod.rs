//! Figures as PNG or SVG (chosen by the file extension), written atomically: panels of
//! line and scatter series, used for reliability diagrams and the digits experiments; and
//! the CO2 extrapolation figure.

mod co2;
mod panels;
mod reliability;

pub use co2::{SIZE, co2_figure, render_co2_figure};
pub use panels::{Figure, LegendAt, Panel, Series, Style};
pub use reliability::reliability_figure;

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Draws into memory, as the extension of `path` says (`.png` or `.svg`,
/// case-insensitive), at `size` pixels: `svg` or `bitmap` draws on the root area. Returns
/// the file's bytes; nothing is written.
pub(crate) fn render_with(
    path: &Path,
    size: (u32, u32),
    svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> std::result::Result<(), String>,
    bitmap: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> std::result::Result<(), String>,
) -> Result<Vec<u8>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => {
            let mut s = String::new();
            svg(SVGBackend::with_string(&mut s, size).into_drawing_area())
                .map_err(|e| plot_err(path, e))?;
            Ok(s.into_bytes())
        }
        Some("png") => {
            let (w, h) = size;
            let mut buf = vec![0u8; (w as usize) * (h as usize) * 3];
            bitmap(BitMapBackend::with_buffer(&mut buf, size).into_drawing_area())
                .map_err(|e| plot_err(path, e))?;
            let mut out = Vec::new();
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.write_header()
                .and_then(|mut writer| {
                    writer.write_image_data(&buf)?;
                    writer.finish()
                })
                .map_err(|e| plot_err(path, e))?;
            Ok(out)
        }
        _ => Err(Error::InvalidParameter {
            name: "figure file".into(),
            reason: format!("{}: the extension must be .png or .svg", path.display()),
        }),
    }
}

/// The bytes of `fig` as the file `path` (`.png` or `.svg`, case-insensitive) at `size`
/// pixels; nothing is written (see [`save`]).
pub fn render(fig: &Figure, path: &Path, size: (u32, u32)) -> Result<Vec<u8>> {
    render_with(
        path,
        size,
        |root| fig.draw(root).map_err(|e| e.to_string()),
        |root| fig.draw(root).map_err(|e| e.to_string()),
    )
}

/// Draws `fig` into `path` (`.png` or `.svg`, case-insensitive) at `size` pixels; the
/// file appears complete or not at all.
pub fn save(fig: &Figure, path: &Path, size: (u32, u32)) -> Result<()> {
    let bytes = render(fig, path, size)?;
    crate::output::write_atomic(path, |w| w.write_all(&bytes))
}

pub mod active;
pub mod bandit;
