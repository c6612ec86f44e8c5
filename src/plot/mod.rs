//! Figures as PNG or SVG (chosen by the file extension), written atomically: panels of
//! line and scatter series, used for reliability diagrams and the digits experiments; and
//! the CO2 extrapolation figure.

mod co2;
mod panels;
mod reliability;

pub use co2::{SIZE, co2_figure};
pub use panels::{Figure, LegendAt, Panel, Series, Style};
pub use reliability::reliability_figure;

use crate::error::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Draws `fig` into `path` (`.png` or `.svg`, case-insensitive) at `size` pixels; the
/// file appears complete or not at all.
pub fn save(fig: &Figure, path: &Path, size: (u32, u32)) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
                fig.draw(root).map_err(|e| plot_err(path, e))?;
            }
            crate::output::write_atomic(path, |w| w.write_all(s.as_bytes()))
        }
        Some("png") => {
            let (w, h) = size;
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                fig.draw(root).map_err(|e| plot_err(path, e))?;
            }
            crate::output::write_atomic(path, |out| {
                let mut enc = png::Encoder::new(out, w, h);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                let mut writer = enc.write_header().map_err(std::io::Error::other)?;
                writer
                    .write_image_data(&buf)
                    .map_err(std::io::Error::other)?;
                writer.finish().map_err(std::io::Error::other)
            })
        }
        _ => Err(Error::InvalidParameter {
            name: "figure file".into(),
            reason: format!("{}: the extension must be .png or .svg", path.display()),
        }),
    }
}
pub mod active;
pub mod bandit;
