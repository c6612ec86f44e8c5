//! Reproducible randomness.
//!
//! Every random draw in the crate comes from a [`Xoshiro256PlusPlus`] stream whose seed is
//! derived from `(seed, purpose, index)` by a SplitMix64-style mix ([`stream`]). Training
//! uses one stream per purpose (initialisation, shuffling, masks), consumed in a fixed
//! order by one thread. Monte-Carlo prediction uses one stream per test row and layer
//! ([`stream_of`]): the drops of a layer over the T passes of a row are one process drawn
//! from it in order, so the samples of a row do not depend on which thread handles it, on
//! the number of threads, on how rows are chunked or on how passes are blocked.
//!
//! Drop masks ([`DropSampler`]) are the one hot use of randomness: a drop process draws
//! its gaps from eight xoshiro256++ generators stepped together, seeded from its stream
//! when it starts, so that they can be drawn sixteen at a time.

use rand::SeedableRng;

mod drops;
mod lanes;

pub use drops::{DropSampler, DropState};
pub use rand_xoshiro::Xoshiro256PlusPlus;

/// What a stream is used for; part of the key, so that streams for different purposes
/// never coincide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Purpose {
    /// Weight initialisation.
    Init = 1,
    /// Minibatch shuffling.
    Shuffle = 2,
    /// Dropout masks during training.
    TrainMasks = 3,
    /// Dropout masks of Monte-Carlo prediction (indexed by row).
    McMasks = 4,
    /// Observation noise added to predictive draws (indexed by row).
    Noise = 5,
    /// Masks of an ELBO estimate.
    Elbo = 6,
    /// Dataset splits (demo, holdout).
    Split = 7,
    /// Random units of the network–GP link check (`gp::feature_covariance`).
    GpLink = 8,
    /// Starting points of Gaussian-process hyper-parameter restarts.
    GpRestarts = 9,
    /// Gaussian-process posterior samples.
    GpSamples = 10,
}

/// The generator for `(seed, purpose, index, sub)`, e.g. a test row and a layer.
pub fn stream_of(seed: u64, purpose: Purpose, index: u64, sub: u64) -> Xoshiro256PlusPlus {
    let key =
        mix(mix(mix(mix(seed) ^ (purpose as u64)) ^ index)
            ^ sub.wrapping_add(0x5851_F42D_4C95_7F2D));
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator for `(seed, purpose, index)`.
///
/// ```
/// use mcdropout::rng::{stream, Purpose};
/// use rand::Rng;
/// let a: f64 = stream(7, Purpose::McMasks, 3).random();
/// let b: f64 = stream(7, Purpose::McMasks, 3).random();
/// assert_eq!(a, b);
/// ```
pub fn stream(seed: u64, purpose: Purpose, index: u64) -> Xoshiro256PlusPlus {
    let key = mix(mix(mix(seed) ^ (purpose as u64)) ^ index);
    Xoshiro256PlusPlus::seed_from_u64(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_key() {
        let a: u64 = stream(1, Purpose::McMasks, 0).random();
        let b: u64 = stream(1, Purpose::McMasks, 1).random();
        let c: u64 = stream(1, Purpose::Noise, 0).random();
        let d: u64 = stream(2, Purpose::McMasks, 0).random();
        assert!(a != b && a != c && a != d && b != c);
    }
}
