//! Resource limits: requests that would need absurd memory or time are refused before
//! anything is allocated, with the estimate in the message.
//!
//! Two budgets, each overridable by an environment variable (read by the library, so the
//! command line and the Python binding honour the same limits):
//!
//! | variable | default | what it bounds |
//! |---|---|---|
//! | `MCDROPOUT_MAX_MEMORY` | `8G` (bytes; suffixes `K`, `M`, `G`, `T`) | the largest single model or buffer: a network's parameters with the optimiser's state, the T × rows kept MC samples, a GP's n × n kernel matrix |
//! | `MCDROPOUT_MAX_WORK` | `1e15` (floating-point operations, about a day on one core) | training (epochs × rows × parameters), MC prediction (T × rows × parameters), GP fitting ((restarts + 1) × iterations × n³) |
//!
//! A value of `0` or a malformed value is an error naming the variable. Fixed bounds:
//! kernel expressions nest parentheses at most [`MAX_KERNEL_DEPTH`] deep and hold at most
//! [`MAX_KERNEL_TERMS`] kernels; the tool starts at most [`MAX_THREADS`] worker threads.

use crate::error::{Error, Result};

/// Default of `MCDROPOUT_MAX_MEMORY`: 8 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 8 << 30;
/// Default of `MCDROPOUT_MAX_WORK`: 10¹⁵ floating-point operations.
pub const DEFAULT_MAX_WORK: f64 = 1e15;
/// Environment variable overriding [`DEFAULT_MAX_MEMORY`].
pub const MEMORY_VAR: &str = "MCDROPOUT_MAX_MEMORY";
/// Environment variable overriding [`DEFAULT_MAX_WORK`].
pub const WORK_VAR: &str = "MCDROPOUT_MAX_WORK";
/// Largest weight decay λ a layer may get (Gal's settings are 1e-7 … 1e-2): beyond it the
/// decay term swamps the data and the first steps overflow.
pub const MAX_WEIGHT_DECAY: f64 = 1e6;
/// Most worker threads the command-line tool starts (`--threads`, `--jobs`).
pub const MAX_THREADS: usize = 1024;
/// Deepest nesting of parentheses a kernel expression may have.
pub const MAX_KERNEL_DEPTH: usize = 32;
/// Most terms (base kernels) a kernel expression may have.
pub const MAX_KERNEL_TERMS: usize = 256;

/// The memory budget in bytes (`MCDROPOUT_MAX_MEMORY` or the default).
pub fn max_memory() -> Result<u64> {
    match std::env::var(MEMORY_VAR) {
        Err(_) => Ok(DEFAULT_MAX_MEMORY),
        Ok(v) => parse_bytes(&v)
            .filter(|&b| b > 0)
            .ok_or_else(|| Error::InvalidParameter {
                name: MEMORY_VAR.into(),
                reason: format!("expected a positive size such as 16G or 500M, got {v:?}"),
            }),
    }
}

/// The work budget in floating-point operations (`MCDROPOUT_MAX_WORK` or the default).
pub fn max_work() -> Result<f64> {
    match std::env::var(WORK_VAR) {
        Err(_) => Ok(DEFAULT_MAX_WORK),
        Ok(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && *w > 0.0)
            .ok_or_else(|| Error::InvalidParameter {
                name: WORK_VAR.into(),
                reason: format!("expected a positive number such as 1e16, got {v:?}"),
            }),
    }
}

fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'K' | 'k') => (&s[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'G' | 'g') => (&s[..i], 1 << 30),
        (i, 'T' | 't') => (&s[..i], 1 << 40),
        _ => (s, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult as f64).min(u64::MAX as f64) as u64)
}

/// Human-readable bytes.
fn show_bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if v >= 1e4 {
        format!("{b:.3e} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// Refuses `what` if it needs more than the memory budget. `bytes` is the estimate (an
/// `f64`, so that absurd sizes do not overflow).
pub fn check_memory(what: &str, bytes: f64) -> Result<()> {
    let max = max_memory()?;
    if bytes.is_nan() || bytes > max as f64 {
        return Err(Error::TooLarge {
            what: what.into(),
            estimate: format!("about {} of memory", show_bytes(bytes)),
            limit: format!("{} ({MEMORY_VAR})", show_bytes(max as f64)),
        });
    }
    Ok(())
}

/// Refuses `what` if it needs more than the work budget of floating-point operations.
pub fn check_work(what: &str, flops: f64) -> Result<()> {
    let max = max_work()?;
    if flops.is_nan() || flops > max {
        return Err(Error::TooLarge {
            what: what.into(),
            estimate: format!("about {flops:.1e} floating-point operations"),
            limit: format!("{max:.1e} ({WORK_VAR})"),
        });
    }
    Ok(())
}

/// Refuses per-layer weight decays `lambdas` that are not finite or exceed
/// [`MAX_WEIGHT_DECAY`], naming the argument they come from (`--tau` implies
/// λ = l² (1 − p) / (2 N τ), so a tiny τ gives a huge λ).
pub fn check_weight_decay(lambdas: &[f64], from: &str) -> Result<()> {
    match lambdas
        .iter()
        .find(|l| !(l.is_finite() && **l <= MAX_WEIGHT_DECAY))
    {
        Some(l) => Err(Error::InvalidParameter {
            name: from.into(),
            reason: format!(
                "implies a weight decay λ = {l:.4e}, above {MAX_WEIGHT_DECAY:e}: training would overflow (λ = l² (1 − p) / (2 N τ); use a larger τ or a smaller weight decay)"
            ),
        }),
        None => Ok(()),
    }
}

/// Parameters of a dense network with layer widths `sizes` (as `f64`: never overflows).
pub fn n_params(sizes: &[usize]) -> f64 {
    sizes
        .windows(2)
        .map(|w| (w[0] as f64 + 1.0) * w[1] as f64)
        .sum()
}

/// Refuses a network whose parameters, gradients and optimiser state (4 copies of 8
/// bytes each) would not fit the memory budget.
pub fn check_network(sizes: &[usize]) -> Result<()> {
    check_memory(
        &format!("a network of layer widths {sizes:?}"),
        n_params(sizes) * 8.0 * 4.0,
    )
}

/// Refuses training `epochs` epochs on `rows` rows of a network of layer widths `sizes`
/// (about 6 operations per parameter per row per epoch: forward and backward).
pub fn check_training(sizes: &[usize], rows: usize, epochs: usize) -> Result<()> {
    check_work(
        &format!("training {epochs} epochs on {rows} rows with layer widths {sizes:?}"),
        6.0 * n_params(sizes) * rows as f64 * epochs as f64,
    )
}

/// Refuses `samples` Monte-Carlo passes over `rows` rows (2 operations per parameter),
/// and, when `kept` buffers of T × rows samples are requested, their memory.
///
/// Each worker thread also holds the T outputs of the row it works on.
pub fn check_mc(sizes: &[usize], rows: usize, samples: usize, kept: usize) -> Result<()> {
    let cells = samples as f64 * rows as f64;
    let outputs = sizes.last().copied().unwrap_or(1) as f64;
    check_memory(
        &format!("{samples} Monte-Carlo samples per row"),
        samples as f64 * outputs * 8.0 * rayon::current_num_threads() as f64,
    )?;
    check_memory(
        &format!("keeping {samples} samples for each of {rows} rows"),
        cells * 8.0 * kept as f64,
    )?;
    check_work(
        &format!("{samples} Monte-Carlo passes over {rows} rows"),
        2.0 * n_params(sizes) * cells,
    )
}

/// Refuses a Gaussian process on `n` training points: its n × n kernel matrix and
/// Cholesky factor (2 n² × 8 bytes).
pub fn check_gp_points(n: usize) -> Result<()> {
    let n = n as f64;
    check_memory(
        &format!("a Gaussian process on {n} training points (n × n kernel matrix)"),
        2.0 * n * n * 8.0,
    )
}

/// Refuses GP fitting of `starts` starting points × `iterations` L-BFGS iterations on `n`
/// points with `params` kernel parameters (n³/3 for the factorisation and about
/// n² × params for the gradient per evaluation).
pub fn check_gp_fit(n: usize, params: usize, starts: usize, iterations: usize) -> Result<()> {
    let n = n as f64;
    let per_eval = n * n * n / 3.0 + n * n * (params as f64 + 2.0);
    check_work(
        &format!(
            "fitting a Gaussian process on {n} points from {starts} starting points with up to {iterations} iterations each"
        ),
        per_eval * starts as f64 * iterations as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_bytes("8G"), Some(8 << 30));
        assert_eq!(parse_bytes("500 M"), Some(500 << 20));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("1.5k"), Some(1536));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("-1G"), None);
    }

    #[test]
    fn absurd_requests_are_refused_with_the_estimate() {
        let e = check_network(&[10, 100_000_000, 1])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("GiB of memory") && e.contains("MCDROPOUT_MAX_MEMORY"),
            "{e}"
        );
        let e = check_gp_points(1_000_000).unwrap_err().to_string();
        assert!(e.contains("1000000 training points"), "{e}");
        assert!(check_network(&[13, 50, 1]).is_ok());
        assert!(check_training(&[13, 50, 1], 455, 4000).is_ok());
        assert!(check_training(&[13, 50, 1], 455, usize::MAX).is_err());
        assert!(check_mc(&[13, 50, 1], 1000, 10_000, 1).is_ok());
        assert!(check_mc(&[13, 50, 1], 1_000_000, 1_000_000, 1).is_err());
    }
}
