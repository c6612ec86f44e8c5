//! The SIMD level of the crate's kernels from Python: read, set and list
//! (`mcdropout.simd_level`, `set_simd_level`, `available_simd_levels`).

use pyo3::prelude::*;

/// The level the kernels run at: "avx512", "avx2" or "portable".
#[pyfunction]
pub fn simd_level() -> &'static str {
    mcdropout::simd::level().name()
}

/// Makes every kernel run at `level` ("native", "avx512", "avx2" or "portable") from now
/// on; `ValueError` when it is not a level or the processor lacks it.
#[pyfunction]
pub fn set_simd_level(level: &str) -> PyResult<()> {
    let l = mcdropout::simd::parse(level, mcdropout::simd::Source::Call)
        .map_err(super::errors::to_py)?;
    mcdropout::simd::set_level(l).map_err(super::errors::to_py)
}

/// The levels this processor has, best first.
#[pyfunction]
pub fn available_simd_levels() -> Vec<&'static str> {
    mcdropout::simd::available()
        .into_iter()
        .map(|l| l.name())
        .collect()
}

/// At import: the level from `MCDROPOUT_SIMD`, or `ValueError` naming the variable.
pub fn init() -> PyResult<()> {
    mcdropout::simd::init_from_env()
        .map(|_| ())
        .map_err(super::errors::to_py)
}
