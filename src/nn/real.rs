//! The floating-point types the training engine runs in: `f32` (the default, as in Keras
//! and PyTorch: half the bytes and twice the SIMD lanes) and `f64` (used by the gradient
//! checks, and available with `--precision f64`).

use super::shallow_step::Shape;
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
    /// A (m×k) · b (k×n)` with `A[i][j] = a[i·rs + j·cs]`; false when this processor has
    /// no SIMD path.
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
    ) -> bool;
    /// faer's single-threaded `c ← a · b` (or `c += a · b` when `accumulate`).
    fn faer_gemm(c: MatMut<'_, Self>, a: MatRef<'_, Self>, b: MatRef<'_, Self>, accumulate: bool);
    /// The fused forward pass of [`super::shallow_step::forward`] in this type; false
    /// (nothing done) where there is none (`f64`, processors without AVX-512).
    #[allow(clippy::too_many_arguments)]
    fn shallow_forward(
        _sh: Shape,
        _x: &[Self],
        _w1: &[Self],
        _b1: &[Self],
        _s: Self,
        _dropped: &[u32],
        _w2: &[Self],
        _b2: Self,
        _hm: &mut [Self],
        _hact: &mut [Self],
        _out: &mut [Self],
    ) -> bool {
        false
    }
    /// The fused backward pass of [`super::shallow_step::backward`] in this type; false
    /// (nothing done) where there is none.
    #[allow(clippy::too_many_arguments)]
    fn shallow_backward(
        _sh: Shape,
        _delta: &[Self],
        _x: &[Self],
        _hm: &[Self],
        _hact: &[Self],
        _dropped: &[u32],
        _w2: &[Self],
        _s: Self,
        _dw1: &mut [Self],
        _db1: &mut [Self],
        _dw2: &mut [Self],
        _scratch: &mut Vec<Self>,
    ) -> bool {
        false
    }
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
            ) -> bool {
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
    #[inline]
    fn shallow_forward(
        sh: Shape,
        x: &[f32],
        w1: &[f32],
        b1: &[f32],
        s: f32,
        dropped: &[u32],
        w2: &[f32],
        b2: f32,
        hm: &mut [f32],
        hact: &mut [f32],
        out: &mut [f32],
    ) -> bool {
        super::shallow_step::forward(sh, x, w1, b1, s, dropped, w2, b2, hm, hact, out)
    },
    #[inline]
    fn shallow_backward(
        sh: Shape,
        delta: &[f32],
        x: &[f32],
        hm: &[f32],
        hact: &[f32],
        dropped: &[u32],
        w2: &[f32],
        s: f32,
        dw1: &mut [f32],
        db1: &mut [f32],
        dw2: &mut [f32],
        scratch: &mut Vec<f32>,
    ) -> bool {
        super::shallow_step::backward(
            sh, delta, x, hm, hact, dropped, w2, s, dw1, db1, dw2, scratch,
        )
    }
);
impl_real!(
    f64,
    super::gemm_simd::gemm_acc_f64,
    super::vmath::tanh_f64,
    super::vmath::sigmoid_f64
);
