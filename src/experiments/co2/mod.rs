//! The paper's CO2 extrapolation experiment (its Figure 2).

mod data;
mod run;

pub use data::{Co2Series, decimal_year, load_co2};
pub use run::{Co2Config, Co2Model, Co2Result, run_co2};
