//! The floating-point types the training engine runs in: `f32` (the default, as in Keras
//! and PyTorch: half the bytes and twice the SIMD lanes) and `f64` (used by the gradient
//! checks, and available with `--precision f64`).

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A float type of the training engine. Implemented for `f32` and `f64` only.
pub trait Real:
    Copy
    + Default
    + Debug
    + PartialOrd
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Sum
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Rounds an `f64` to this type.
    fn from_f64(v: f64) -> Self;
    /// Widens to `f64`.
    fn to_f64(self) -> f64;
    /// `self · a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// √self.
    fn sqrt(self) -> Self;
    /// e^self.
    fn exp(self) -> Self;
    /// ln(self).
    fn ln(self) -> Self;
    /// tanh(self).
    fn tanh(self) -> Self;
    /// tanh(self), vectorisable, within a few ulps of libm ([`super::vmath`]).
    fn vtanh(self) -> Self;
    /// 1 / (1 + e^{−self}), vectorisable, within a few ulps ([`super::vmath`]).
    fn vsigmoid(self) -> Self;
    /// The register-blocked product of [`super::gemm_simd`] for this type: `c (m×n) (+)=
    /// A (m×k) · b (k×n)` with `A[i][j] = a[i·rs + j·cs]`, at the SIMD level in force.
    #[allow(clippy::too_many_arguments)]
    fn gemm_simd(
        c: &mut [Self],
        a: &[Self],
        rs: usize,
        cs: usize,
        b: &[Self],
        m: usize,
        k: usize,
        n: usize,
        overwrite: bool,
    );
    /// faer's single-threaded `c ← a · b` (or `c += a · b` when `accumulate`).
    fn faer_gemm(c: MatMut<'_, Self>, a: MatRef<'_, Self>, b: MatRef<'_, Self>, accumulate: bool);
    /// This slice as `f32`s when `Self` is `f32`, else `None`: how generic code reaches
    /// the `f32`-only kernels of [`super::shallow_step`].
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    /// [`Real::as_f32`] for a mutable slice.
    fn as_f32_mut(s: &mut [Self]) -> Option<&mut [f32]>;
    /// [`Real::as_f32`] for a buffer.
    fn as_f32_vec(v: &mut Vec<Self>) -> Option<&mut Vec<f32>>;
}

macro_rules! impl_real {
    ($t:ty, $simd:path, $tanh:path, $sigmoid:path $(, $extra:item)*) => {
        impl Real for $t {
            $($extra)*
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline(always)]
            fn vtanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn vsigmoid(self) -> Self {
                $sigmoid(self)
            }
            #[inline]
            fn gemm_simd(
                c: &mut [Self],
                a: &[Self],
                rs: usize,
                cs: usize,
                b: &[Self],
                m: usize,
                k: usize,
                n: usize,
                overwrite: bool,
            ) {
                $simd(c, a, rs, cs, b, m, k, n, overwrite)
            }
            #[inline]
            fn faer_gemm(
                c: MatMut<'_, Self>,
                a: MatRef<'_, Self>,
                b: MatRef<'_, Self>,
                accumulate: bool,
            ) {
                let acc = if accumulate {
                    Accum::Add
                } else {
                    Accum::Replace
                };
                matmul(c, acc, a, b, 1.0, Par::Seq);
            }
        }
    };
}

impl_real!(
    f32,
    super::gemm_simd::gemm_acc_f32,
    super::vmath::tanh_f32,
    super::vmath::sigmoid_f32,
    fn as_f32(s: &[f32]) -> Option<&[f32]> {
        Some(s)
    },
    fn as_f32_mut(s: &mut [f32]) -> Option<&mut [f32]> {
        Some(s)
    },
    fn as_f32_vec(v: &mut Vec<f32>) -> Option<&mut Vec<f32>> {
        Some(v)
    }
);
impl_real!(
    f64,
    super::gemm_simd::gemm_acc_f64,
    super::vmath::tanh_f64,
    super::vmath::sigmoid_f64,
    fn as_f32(_: &[f64]) -> Option<&[f32]> {
        None
    },
    fn as_f32_mut(_: &mut [f64]) -> Option<&mut [f32]> {
        None
    },
    fn as_f32_vec(_: &mut Vec<f64>) -> Option<&mut Vec<f32>> {
        None
    }
);
