//! `mcdropout info`: the build and the machine as the kernels see them — the version, the
//! SIMD level in use and those this processor has, the worker threads.

use super::common::{CliResult, emit};
use clap::Args;
use mcdropout::simd::{self, Level};

/// Arguments of `mcdropout info` (none).
#[derive(Debug, Args)]
pub struct InfoArgs {}

/// The `--version` line: the version and the SIMD level chosen from `MCDROPOUT_SIMD`
/// before the command line is parsed (`level`; the variable's problem when it is not a
/// level this processor has).
pub fn version_line(level: &mcdropout::Result<Level>) -> String {
    let chosen = match level {
        Ok(l) => l.name().to_string(),
        Err(e) => format!("not set: {e}"),
    };
    format!(
        "{} (SIMD level {chosen}; available: {})",
        env!("CARGO_PKG_VERSION"),
        simd::available_names()
    )
}

/// Runs `mcdropout info`.
pub fn run(_args: InfoArgs) -> CliResult<()> {
    emit(None, |w| {
        writeln!(w, "mcdropout {}", env!("CARGO_PKG_VERSION"))?;
        writeln!(w, "simd level:     {}", simd::level())?;
        writeln!(w, "simd available: {}", simd::available_names())?;
        writeln!(
            w,
            "simd native:    {} (set another with {}=native|avx512|avx2|portable)",
            simd::native(),
            simd::ENV
        )?;
        writeln!(w, "target:         {}", std::env::consts::ARCH)?;
        writeln!(
            w,
            "threads:        {} (rayon's default: all cores, or RAYON_NUM_THREADS)",
            rayon::current_num_threads()
        )?;
        Ok(())
    })
}
