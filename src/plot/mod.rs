//! Figures (PNG and SVG, with plotters), one file per figure.

mod co2;

pub use co2::{SIZE, co2_figure};
