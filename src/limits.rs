//! Resource limits: requests that would need absurd memory or time are refused before
//! anything is allocated, with the estimate in the message.
//!
//! Two budgets, each overridable by an environment variable (read by the library, so the
//! command line and the Python binding honour the same limits):
//!
//! | variable | default | what it bounds |
//! |---|---|---|
//! | `MCDROPOUT_MAX_MEMORY` | `8G` or less (bytes; suffixes `K`, `M`, `G`, `T`) | the largest single model or buffer: a network's parameters with the optimiser's state, the T × rows kept MC samples, a GP's n × n kernel matrix |
//! | `MCDROPOUT_MAX_WORK` | `1e15` (floating-point operations, about a day on one core) | training (epochs × rows × parameters), MC prediction (T × rows × parameters), GP fitting ((restarts + 1) × iterations × n³) |
//!
//! Without `MCDROPOUT_MAX_MEMORY` the limit is the smaller of 8 GiB and 90 % of what the
//! process may still get ([`system::room`]: the room under `RLIMIT_AS`, `RLIMIT_DATA`, the
//! cgroup memory limit, and `MemAvailable`); the other 10 % is headroom for what the
//! estimates leave out (the inputs, small buffers, libraries' own scratch). A value set in
//! the variable is honoured even beyond that; the buffers are then allocated fallibly
//! ([`alloc`]), so a refusal by the system is still an error, never an abort.
//!
//! A value of `0`, a malformed value, a non-finite one or one that overflows 2⁶⁴ bytes is
//! an error naming the variable. Fixed bounds:
//! kernel expressions nest parentheses at most [`MAX_KERNEL_DEPTH`] deep and hold at most
//! [`MAX_KERNEL_TERMS`] kernels; the tool starts at most [`MAX_THREADS`] worker threads.

use crate::error::{Error, Result};

pub mod alloc;
pub mod products;
pub mod system;

/// Default of `MCDROPOUT_MAX_MEMORY` when the system allows more: 8 GiB.
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

/// Share of what the system lets the process still get that the default limit takes.
pub const SYSTEM_SHARE: f64 = 0.9;

/// The memory limit in force and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryLimit {
    /// Bytes a single model or buffer may take.
    pub bytes: u64,
    /// Where the limit comes from and how to change it (for messages).
    pub source: String,
}

/// The memory limit: `MCDROPOUT_MAX_MEMORY` when set, else the smaller of
/// [`DEFAULT_MAX_MEMORY`] and [`SYSTEM_SHARE`] of [`system::room`].
pub fn memory_limit() -> Result<MemoryLimit> {
    if let Ok(v) = std::env::var(MEMORY_VAR) {
        let bytes = parse_bytes(&v).map_err(|why| Error::InvalidParameter {
            name: MEMORY_VAR.into(),
            reason: format!("expected a positive size such as 16G or 500M, got {v:?}{why}"),
        })?;
        return Ok(MemoryLimit {
            bytes,
            source: format!("set by {MEMORY_VAR}"),
        });
    }
    let default = MemoryLimit {
        bytes: DEFAULT_MAX_MEMORY,
        source: format!("the default; set {MEMORY_VAR}, e.g. to 16G, to change it"),
    };
    Ok(match system::room() {
        Some(room) if (room.bytes as f64 * SYSTEM_SHARE) < DEFAULT_MAX_MEMORY as f64 => {
            MemoryLimit {
                bytes: (room.bytes as f64 * SYSTEM_SHARE) as u64,
                source: format!(
                    "{:.0} % of what this process may still get: {}; raise that limit, or set {MEMORY_VAR} to override",
                    SYSTEM_SHARE * 100.0,
                    room.source
                ),
            }
        }
        _ => default,
    })
}

/// The memory budget in bytes ([`memory_limit`]).
pub fn max_memory() -> Result<u64> {
    memory_limit().map(|l| l.bytes)
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
                reason: format!("expected a positive finite number such as 1e16, got {v:?}"),
            }),
    }
}

/// A size such as `16G`, `500 M`, `1.5k` or `1024` in bytes; `Err` holds what is wrong
/// beyond "not a size" (an overflow), for the message.
fn parse_bytes(s: &str) -> std::result::Result<u64, &'static str> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        None => return Err(""),
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        Some((i, 'T' | 't')) => (&s[..i], 1 << 40),
        _ => (s, 1),
    };
    let num = num.trim();
    // Whole numbers exactly (an f64 rounds beyond 2⁵³), fractions through f64.
    let bytes = match num.parse::<u128>() {
        Ok(n) => n.checked_mul(mult as u128).ok_or(OVERFLOW)?,
        Err(_) => {
            let v: f64 = num.parse().map_err(|_| "")?;
            if v.is_nan() || v < 0.0 {
                return Err("");
            }
            if v.is_infinite() {
                return Err(OVERFLOW);
            }
            let b = (v * mult as f64).round();
            if b >= 18_446_744_073_709_551_616.0 {
                return Err(OVERFLOW);
            }
            b as u128
        }
    };
    match u64::try_from(bytes) {
        Err(_) => Err(OVERFLOW),
        Ok(0) => Err(""),
        Ok(b) => Ok(b),
    }
}

/// Why a size was refused when it is too large to count in bytes.
const OVERFLOW: &str = " (more than 2^64 bytes)";

/// Human-readable bytes.
pub(crate) fn show_bytes(b: f64) -> String {
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
    let max = memory_limit()?;
    if bytes.is_nan() || bytes > max.bytes as f64 {
        return Err(Error::TooLarge {
            what: what.into(),
            estimate: format!("about {} of memory", show_bytes(bytes)),
            limit: format!("{} ({})", show_bytes(max.bytes as f64), max.source),
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
///
/// A network whose products may go through faer ([`uses_large_products`] with the
/// default minibatch) first takes faer's scratch ([`products::prepare`]).
pub fn check_network(sizes: &[usize]) -> Result<()> {
    if uses_large_products(sizes, DEFAULT_BATCH) {
        products::prepare()?;
    }
    check_memory(
        &format!("a network of layer widths {sizes:?}"),
        n_params(sizes) * 8.0 * 4.0,
    )
}

/// Rows of a product up to which the crate's own kernels may serve it (above, faer).
const SMALL_ROWS: usize = 512;
/// Multiply-adds up to which the crate's own kernels may serve a product (above, faer).
const SMALL_WORK: f64 = (1u64 << 18) as f64;
/// Rows per product assumed by [`check_network`]: the default minibatch.
const DEFAULT_BATCH: usize = 128;

/// Whether a network of layer widths `sizes`, multiplying `batch` rows at a time, may
/// take faer's products: two hidden layers or more, or a hidden layer whose product is
/// beyond the crate's own kernels. Conservative: a `true` only costs the preparation.
pub fn uses_large_products(sizes: &[usize], batch: usize) -> bool {
    sizes.len() > 3
        || sizes.windows(2).any(|w| {
            w[1] > 1
                && (batch > SMALL_ROWS || batch as f64 * w[0] as f64 * w[1] as f64 > SMALL_WORK)
        })
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
///
/// The T passes of a row are multiplied together, so with many samples the products may
/// go through faer, whose scratch is then taken first ([`products::prepare`]).
pub fn check_mc(sizes: &[usize], rows: usize, samples: usize, kept: usize) -> Result<()> {
    if uses_large_products(sizes, samples) {
        products::prepare()?;
    }
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
///
/// First takes the scratch memory of faer's products ([`products::prepare`]), so that the
/// room left (and so the default limit) accounts for it.
pub fn check_gp_points(n: usize) -> Result<()> {
    products::prepare()?;
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
        assert_eq!(parse_bytes("8G"), Ok(8 << 30));
        assert_eq!(parse_bytes("500 M"), Ok(500 << 20));
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert_eq!(parse_bytes("1.5k"), Ok(1536));
        assert_eq!(parse_bytes("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_bytes("lots"), Err(""));
        assert_eq!(parse_bytes("-1G"), Err(""));
        assert_eq!(parse_bytes("0"), Err(""));
        assert_eq!(parse_bytes(""), Err(""));
        // Overflow is named, never wrapped or saturated.
        for big in [
            "99999999999999999999G",
            "18446744073709551615K",
            "18446744073709551616",
            "1e400",
            "inf",
            "1.7e7T",
        ] {
            assert_eq!(parse_bytes(big), Err(OVERFLOW), "{big}");
        }
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
