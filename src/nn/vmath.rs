//! Vectorisable `tanh` and logistic sigmoid for `f32` and `f64`, replacing the scalar libm
//! calls of the tanh and sigmoid layers (issue 11, item 4).
//!
//! Every function is straight-line IEEE arithmetic (multiply-adds, one division, integer
//! operations on the bit patterns, selects): no table, no branch, no call, so the loops
//! of [`super::kernels`] vectorise, and the result of an element does not depend on the
//! instruction set the dispatcher picks (a fused multiply-add is correctly rounded whether
//! done by the processor or emulated).
//!
//! Method. With `t = 2|x|`, `tanh|x| = expm1(t) / (expm1(t) + 2)`, copied to the sign of
//! `x`; `σ(z) = [z > 0 ? 1 : E] / (1 + E)` with `E = e^{−|z|}` (no overflow, no
//! cancellation on either side). `e^t` is reduced as `t = n ln 2 + r`, `|r| ≤ ln 2 / 2`
//! (Cody–Waite: `ln 2` split in a head with trailing zeros and a tail, so `n · head` is
//! exact), `e^r − 1 = r + r² P(r)` with `P` the Taylor polynomial of `(e^r − 1 − r) / r²`
//! truncated where its remainder is below a quarter of an ulp at `|r| = ln 2 / 2`
//! (`r^{k}/(k + 2)!`: degree 7 for `f32`, 12 for `f64`), and `expm1(t) = 2ⁿ (e^r − 1) +
//! (2ⁿ − 1)` (both terms exact or non-negative, no cancellation), `e^{−|z|} = 2ⁿ e^r` with
//! `2ⁿ` applied in two halves so subnormal results are rounded once.
//!
//! Accuracy, measured against libm over the whole range by `tests/vmath.rs` (every `f32`
//! bit pattern in `exhaustive_f32_*`, a dense sweep of `f64` bit patterns): see the
//! constants [`TANH_F32_MAX_ULP`] and friends.

/// Largest error of [`tanh_f32`] in units in the last place of the exact result, over all
/// 2³² inputs (`tests/vmath.rs`, `exhaustive_f32_tanh`, measured 2.419 ulp at
/// x = 7.7671753e-3; reference: libm's `f64` tanh, whose own error is < 2⁻²⁹ `f32` ulp),
/// rounded up to the next half ulp. The error is the formula's: `e / (e + 2)` rounds
/// twice after `expm1`'s own half ulp.
pub const TANH_F32_MAX_ULP: f64 = 2.5;
/// Largest error of [`sigmoid_f32`] in `f32` ulps of the exact result, over all 2³²
/// inputs (measured 2.402 ulp at z = −4.157294; reference `1 / (1 + e^{−z})` in `f64` with
/// libm's `exp`), rounded up to the next half ulp.
pub const SIGMOID_F32_MAX_ULP: f64 = 2.5;
/// Largest distance of [`tanh_f64`] from libm's `f64` tanh, in ulps (dense sweep of
/// `tests/vmath.rs`: measured 4 ulp at x = −0.2099; libm's own error adds to it).
pub const TANH_F64_MAX_ULP: f64 = 4.0;
/// Largest distance of [`sigmoid_f64`] from `1 / (1 + e^{−z})` computed with libm's `exp`
/// (for `z < 0`, `e^z / (1 + e^z)`), in ulps (dense sweep: measured 2 ulp).
pub const SIGMOID_F64_MAX_ULP: f64 = 2.0;
/// Largest distance of [`exp_nonpositive_f64`] from libm's `exp` over `[−750, 0]`, in ulps
/// (`tests/vmath.rs`: a bit-pattern sweep of the negative numbers and 4 M uniform points).
pub const EXP_F64_MAX_ULP: f64 = 1.0;

macro_rules! vmath_impl {
    (
        $t:ty, $bits:ty, $ibits:ty,
        mant = $mant:expr, bias = $bias:expr,
        ln2_hi = $hi:expr, ln2_lo = $lo:expr,
        tanh_t_max = $tmax:expr, exp_min = $emin:expr,
        poly = [$c0:expr $(, $c:expr)*],
        tanh = $tanh:ident, sigmoid = $sigmoid:ident, expneg = $expneg:ident,
        reduce = $reduce:ident, em1 = $em1:ident, pow2 = $pow2:ident
    ) => {
        /// `(n, r)` with `t = n ln 2 + r`, `|r| ≤ ln 2 / 2` (to rounding); `n` as an integer.
        #[inline(always)]
        fn $reduce(t: $t) -> ($ibits, $t) {
            // 1.5 · 2^mant: adding it rounds t·log₂e to an integer held in the low bits.
            const SHIFT: $t = 1.5 * (1u64 << $mant) as $t;
            let kf = t.mul_add(std::f64::consts::LOG2_E as $t, SHIFT);
            let n = (kf.to_bits() as $ibits).wrapping_sub(SHIFT.to_bits() as $ibits);
            let nf = kf - SHIFT;
            let r = (-nf).mul_add($hi, t);
            let r = (-nf).mul_add($lo, r);
            (n, r)
        }

        /// `e^r − 1` for `|r| ≤ ln 2 / 2`.
        #[inline(always)]
        fn $em1(r: $t) -> $t {
            let mut p: $t = $c0;
            $(p = p.mul_add(r, $c);)*
            (r * r).mul_add(p, r)
        }

        /// `2ⁿ` for `n` within the normal exponent range.
        #[inline(always)]
        fn $pow2(n: $ibits) -> $t {
            <$t>::from_bits((n.wrapping_add($bias) as $bits) << $mant)
        }

        /// `tanh x`, vectorisable (see the module documentation).
        #[inline(always)]
        pub fn $tanh(x: $t) -> $t {
            let a = 2.0 * x.abs();
            // Beyond tmax the result is 1 to the last bit; NaN passes (the compare is false).
            let t = if a > $tmax { $tmax } else { a };
            let (n, r) = $reduce(t);
            let s = $pow2(n);
            let e = s.mul_add($em1(r), s - 1.0);
            (e / (e + 2.0)).copysign(x)
        }

        /// The logistic sigmoid `1 / (1 + e^{−z})`, vectorisable (see the module
        /// documentation).
        #[inline(always)]
        pub fn $sigmoid(z: $t) -> $t {
            let e = $expneg(-z.abs());
            let num = if z > 0.0 { 1.0 } else { e };
            num / (1.0 + e)
        }

        /// `e^a` for `a ≤ 0` (and NaN), vectorisable; within 1 ulp of libm in the sweeps
        /// of `tests/vmath.rs` for `f64`.
        #[inline(always)]
        pub fn $expneg(a: $t) -> $t {
            // Below emin, e^a rounds to 0; NaN passes.
            let a = if a < $emin { $emin } else { a };
            let (n, r) = $reduce(a);
            // n ≤ 0: split 2ⁿ in two normal halves, so a subnormal result is rounded once.
            let n1 = n / 2;
            (1.0 + $em1(r)) * $pow2(n1) * $pow2(n - n1)
        }
    };
}

vmath_impl!(
    f32,
    u32,
    i32,
    mant = 23,
    bias = 127,
    // ln 2 = 0.693359375 − 2.1219444e-4 (the head has 9 significant bits), as bit patterns.
    ln2_hi = f32::from_bits(0x3f31_8000),
    ln2_lo = f32::from_bits(0xb95e_8083),
    tanh_t_max = 20.0,
    exp_min = -104.0,
    // 1/9!, 1/8!, …, 1/2!: the Taylor coefficients of (e^r − 1 − r) / r², highest first.
    poly = [
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5
    ],
    tanh = tanh_f32,
    sigmoid = sigmoid_f32,
    expneg = exp_nonpositive_f32,
    reduce = reduce_f32,
    em1 = em1_f32,
    pow2 = pow2_f32
);

vmath_impl!(
    f64,
    u64,
    i64,
    mant = 52,
    bias = 1023,
    // fdlibm's split of ln 2, 6.93147180369123816490e-01 + 1.90821492927058770002e-10 (the
    // head has 32 significant bits), as bit patterns.
    ln2_hi = f64::from_bits(0x3fe6_2e42_fee0_0000),
    ln2_lo = f64::from_bits(0x3dea_39ef_3579_3c76),
    tanh_t_max = 44.0,
    exp_min = -746.0,
    // 1/14!, …, 1/2!.
    poly = [
        1.0 / 87_178_291_200.0,
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5
    ],
    tanh = tanh_f64,
    sigmoid = sigmoid_f64,
    expneg = exp_nonpositive_f64,
    reduce = reduce_f64,
    em1 = em1_f64,
    pow2 = pow2_f64
);
