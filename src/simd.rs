//! The instruction-set level of every hand-written kernel, chosen once for the process.
//!
//! Three levels: [`Level::Avx512`] (AVX-512F and VL, with AVX2 and FMA), [`Level::Avx2`]
//! (AVX2 and FMA) and [`Level::Portable`] (no intrinsics; the compiler's baseline for the
//! target, SSE2 on x86-64, NEON on aarch64). The default is the best level the processor
//! has ([`native`]); the environment variable `MCDROPOUT_SIMD=native|avx512|avx2|portable`
//! or [`set_level`] picks another, and asking for a level the processor lacks is an error,
//! never a silent fallback. The command line and the Python package call [`init_from_env`]
//! at start-up, so a bad value stops them with a message naming the variable.
//!
//! What a level changes: the register-blocked products ([`crate::nn::gemm_simd`]), the
//! fused training step ([`crate::nn::shallow_step`]), the drop-mask generator's refills
//! ([`crate::rng`]) and the element-wise kernels ([`crate::nn::kernels`],
//! [`crate::nn::reductions`], the GP's kernel columns), which are compiled once per level
//! by [`multiversioned!`]. All of them do the same floating-point operations in the same
//! order at every level, so **every result is bit for bit the same at every level**
//! (tested in `tests/simd_levels.rs`, including the `demo` figures and a UCI split). Not
//! governed by the switch: faer's large matrix products (wide layers, GP Cholesky), which
//! pick their own instruction set — their results are the same at every level of this
//! switch on one machine, but may differ in the last bits between processors.
//!
//! Off x86-64 (and in a build with `RUSTFLAGS="--cfg mcdropout_portable_build"`, which
//! compiles exactly that configuration on x86-64 so that it is tested here) only the
//! portable level exists: it is the same code as `MCDROPOUT_SIMD=portable`.

use std::sync::atomic::{AtomicU8, Ordering};

/// The environment variable read by [`init_from_env`] (and, lazily, by [`level`]).
pub const ENV: &str = "MCDROPOUT_SIMD";

/// An instruction-set level of the hand-written kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No intrinsics: plain Rust, vectorised by the compiler for the target's baseline.
    Portable = 0,
    /// x86-64 with AVX2 and FMA (Intel Haswell and later, AMD Zen and later).
    Avx2 = 1,
    /// x86-64 with AVX-512F and AVX-512VL besides AVX2 and FMA (Intel Skylake-SP and later
    /// servers, Ice Lake and later clients, AMD Zen 4 and later).
    Avx512 = 2,
}

impl Level {
    /// Every level, best first.
    pub const ALL: [Level; 3] = [Level::Avx512, Level::Avx2, Level::Portable];

    /// The name `MCDROPOUT_SIMD` takes for this level.
    pub fn name(self) -> &'static str {
        match self {
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// The processor features the level needs, as a user reads them in `/proc/cpuinfo`.
    pub fn features(self) -> &'static str {
        match self {
            Level::Portable => "none",
            Level::Avx2 => "avx2, fma",
            Level::Avx512 => "avx512f, avx512vl, avx2, fma",
        }
    }

    /// Whether this processor (and this build) can run the level.
    pub fn is_supported(self) -> bool {
        match self {
            Level::Portable => true,
            #[cfg(mcdropout_x86)]
            Level::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(mcdropout_x86)]
            Level::Avx512 => {
                Level::Avx2.is_supported()
                    && std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
            }
            #[cfg(not(mcdropout_x86))]
            _ => false,
        }
    }

    fn from_u8(v: u8) -> Option<Level> {
        match v {
            0 => Some(Level::Portable),
            1 => Some(Level::Avx2),
            2 => Some(Level::Avx512),
            _ => None,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a level was asked for by: a request that cannot be honoured names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The environment variable [`ENV`].
    Env,
    /// An argument or function call.
    Call,
}

/// The best level this processor and build support.
pub fn native() -> Level {
    Level::ALL
        .into_iter()
        .find(|l| l.is_supported())
        .unwrap_or(Level::Portable)
}

/// The levels this processor and build support, best first.
pub fn available() -> Vec<Level> {
    Level::ALL
        .into_iter()
        .filter(|l| l.is_supported())
        .collect()
}

/// `avx512, avx2, portable` (the supported levels, best first).
pub fn available_names() -> String {
    available()
        .iter()
        .map(|l| l.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a level's name (case-insensitive, surrounding spaces ignored): `native` (the
/// best supported), `avx512`, `avx2` or `portable`, and checks that this processor has it.
pub fn parse(text: &str, source: Source) -> crate::Result<Level> {
    let t = text.trim().to_ascii_lowercase();
    let what = match source {
        Source::Env => format!("{ENV}={text:?}"),
        Source::Call => format!("SIMD level {text:?}"),
    };
    let level = match t.as_str() {
        "native" | "" => return Ok(native()),
        "portable" => Level::Portable,
        "avx2" => Level::Avx2,
        "avx512" => Level::Avx512,
        _ => {
            return Err(crate::Error::SimdLevel(format!(
                "{what}: not a level (use native, avx512, avx2 or portable)"
            )));
        }
    };
    if !level.is_supported() {
        return Err(crate::Error::SimdLevel(format!(
            "{what}: this processor lacks {} ({}); levels available here: {}",
            level.name(),
            level.features(),
            available_names()
        )));
    }
    Ok(level)
}

/// Not chosen yet (the first [`level`] reads the environment).
const UNSET: u8 = u8::MAX;

static LEVEL: AtomicU8 = AtomicU8::new(UNSET);

/// The level the kernels run at. The first call without an earlier [`set_level`] or
/// [`init_from_env`] reads `MCDROPOUT_SIMD`; if that value is not a level this processor
/// has, the kernels run at the portable level (always correct) and a warning goes to
/// stderr once — call [`init_from_env`] first to get that case as an error instead.
#[inline]
pub fn level() -> Level {
    match Level::from_u8(LEVEL.load(Ordering::Relaxed)) {
        Some(l) => l,
        None => first_level(),
    }
}

#[cold]
fn first_level() -> Level {
    let l = match init_from_env() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("warning: {e}; running at the portable level");
            Level::Portable
        }
    };
    // Another thread may have chosen first: keep its choice.
    match LEVEL.compare_exchange(UNSET, l as u8, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => l,
        Err(v) => Level::from_u8(v).unwrap_or(l),
    }
}

/// Makes every kernel run at `level` from now on (in every thread). An error, and no
/// change, when the processor lacks it.
///
/// ```
/// use mcdropout::simd::{self, Level};
/// simd::set_level(Level::Portable).unwrap();
/// assert_eq!(simd::level(), Level::Portable);
/// simd::set_level(simd::native()).unwrap();
/// ```
pub fn set_level(level: Level) -> crate::Result<()> {
    if !level.is_supported() {
        return Err(crate::Error::SimdLevel(format!(
            "SIMD level {}: this processor lacks {} ({}); levels available here: {}",
            level.name(),
            level.name(),
            level.features(),
            available_names()
        )));
    }
    LEVEL.store(level as u8, Ordering::Relaxed);
    Ok(())
}

/// Reads `MCDROPOUT_SIMD` (unset or empty: `native`) and sets the level; an error naming the
/// variable when its value is not a level or the processor lacks it (the level is then
/// left as it was).
pub fn init_from_env() -> crate::Result<Level> {
    let level = match std::env::var(ENV) {
        Ok(v) => parse(&v, Source::Env)?,
        Err(std::env::VarError::NotPresent) => native(),
        Err(std::env::VarError::NotUnicode(v)) => {
            return Err(crate::Error::SimdLevel(format!(
                "{ENV}={v:?}: not a level (use native, avx512, avx2 or portable)"
            )));
        }
    };
    LEVEL.store(level as u8, Ordering::Relaxed);
    Ok(level)
}

/// Writes a function once and compiles it for every level: an `#[inline(always)]` body,
/// wrapped by an AVX-512 and an AVX2+FMA copy (`#[target_feature]`, so the compiler
/// vectorises it for those registers), dispatched on [`level`] at every call. The body's
/// floating-point operations are the same at every level (Rust never fuses or reorders
/// them on its own), so the results are too. Takes plain `name: Type` arguments and at most
/// one list of `T: Bound` generics.
#[macro_export]
#[doc(hidden)]
macro_rules! multiversioned {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$($g:ident : $bound:path),+>)? (
            $($arg:ident : $ty:ty),* $(,)?
        ) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$attr])*
        #[inline]
        $vis fn $name $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn portable $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(mcdropout_x86)]
            #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx512 $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
                portable $(::<$($g),+>)? ($($arg),*)
            }

            #[cfg(mcdropout_x86)]
            #[target_feature(enable = "avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx2 $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
                portable $(::<$($g),+>)? ($($arg),*)
            }

            match $crate::simd::level() {
                // SAFETY: a level is only ever set when the processor has it
                // (`simd::set_level`, `simd::init_from_env`).
                #[cfg(mcdropout_x86)]
                $crate::simd::Level::Avx512 => unsafe { avx512 $(::<$($g),+>)? ($($arg),*) },
                #[cfg(mcdropout_x86)]
                $crate::simd::Level::Avx2 => unsafe { avx2 $(::<$($g),+>)? ($($arg),*) },
                _ => portable $(::<$($g),+>)? ($($arg),*),
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_are_errors() {
        for l in available() {
            assert_eq!(parse(l.name(), Source::Call).unwrap(), l);
            assert_eq!(parse(&l.name().to_uppercase(), Source::Call).unwrap(), l);
        }
        assert_eq!(parse("native", Source::Call).unwrap(), native());
        let e = parse("sse9", Source::Env).unwrap_err().to_string();
        assert!(
            e.contains("MCDROPOUT_SIMD=\"sse9\"") && e.contains("portable"),
            "{e}"
        );
    }

    #[test]
    fn unsupported_levels_are_refused_with_the_available_ones() {
        for l in Level::ALL {
            if l.is_supported() {
                continue;
            }
            let e = parse(l.name(), Source::Env).unwrap_err().to_string();
            assert!(e.contains("lacks") && e.contains("portable"), "{e}");
            assert!(set_level(l).is_err());
        }
        assert!(Level::Portable.is_supported());
        assert_eq!(available().last(), Some(&Level::Portable));
    }
}
