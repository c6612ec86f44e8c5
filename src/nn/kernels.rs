//! Element-wise kernels of the hot loops, compiled for every instruction-set level and
//! picked at run time ([`crate::multiversioned!`], by [`crate::simd::level`]): shipped
//! binaries stay portable (no `target-cpu=native`) and still use AVX2/AVX-512 where the
//! processor has them. Each is generic over the
//! engine's float type ([`Real`]: `f32` or `T`).

use super::real::Real;

crate::multiversioned! {
/// `dst ← src · s`.
pub fn scale_copy<T: Real>(dst: &mut [T], src: &[T], s: T) {
    dst.iter_mut().zip(src).for_each(|(d, &v)| *d = v * s);
}
}

crate::multiversioned! {
/// `dst ← table[idx[r]] · s` row by row (rows of `k`): a minibatch gathered and scaled in
/// one sweep.
pub fn gather_scale<T: Real>(dst: &mut [T], table: &[T], idx: &[usize], k: usize, s: T) {
    for (d, &r) in dst.chunks_exact_mut(k.max(1)).zip(idx) {
        d.iter_mut()
            .zip(&table[r * k..(r + 1) * k])
            .for_each(|(d, &v)| *d = v * s);
    }
}
}

crate::multiversioned! {
/// `x ← x · s`.
pub fn scale<T: Real>(x: &mut [T], s: T) {
    x.iter_mut().for_each(|v| *v *= s);
}
}

crate::multiversioned! {
/// `x ← max(x, 0)`.
pub fn relu<T: Real>(x: &mut [T]) {
    x.iter_mut()
        .for_each(|v| *v = if *v > T::ZERO { *v } else { T::ZERO });
}
}

crate::multiversioned! {
/// `g ← g · [h > 0]` (branch-free).
pub fn relu_backprop<T: Real>(h: &[T], g: &mut [T]) {
    g.iter_mut()
        .zip(h)
        .for_each(|(g, &h)| *g = if h > T::ZERO { *g } else { T::ZERO });
}
}

crate::multiversioned! {
/// Every row of `x` (`rows × b.len()`) ← row · s + b.
pub fn scale_add_rows<T: Real>(x: &mut [T], s: T, b: &[T]) {
    for row in x.chunks_exact_mut(b.len()) {
        row.iter_mut().zip(b).for_each(|(v, &bb)| *v = *v * s + bb);
    }
}
}

/// Column blocks of the column-sum sweeps: each block's sums stay in registers for the
/// whole batch instead of going through memory once per row (a store-to-load chain that
/// made these sweeps several times slower).
const COLS: usize = 16;

/// Row widths from which the column-sum sweeps go row by row, the sums in memory (there
/// are then enough independent columns per row to hide the store-to-load latency, and
/// the batch is read contiguously).
const WIDE_ROWS: usize = 128;

crate::multiversioned! {
/// `acc ← Σ_rows x` for `x` of `rows × acc.len()`.
pub fn column_sums<T: Real>(x: &[T], acc: &mut [T]) {
    let k = acc.len();
    if k == 1 {
        acc[0] = x.iter().copied().sum();
        return;
    }
    let rows = x.len() / k.max(1);
    let mut c0 = 0;
    while c0 + COLS <= k {
        let mut sum = [T::ZERO; COLS];
        for r in 0..rows {
            let xr = &x[r * k + c0..r * k + c0 + COLS];
            sum.iter_mut().zip(xr).for_each(|(sm, &v)| *sm += v);
        }
        acc[c0..c0 + COLS].copy_from_slice(&sum);
        c0 += COLS;
    }
    for c in c0..k {
        acc[c] = (0..rows).map(|r| x[r * k + c]).sum();
    }
}
}

/// Parameters per block above which [`adam`] splits the update over the rayon pool.
const ADAM_SPLIT: usize = 1 << 16;

/// One Adam update with the decay gradient `d · w` fused in (Keras' form, `lr_t` already
/// bias-corrected). Element-wise, so large tensors (wide layers) are cut into halves of at
/// least [`ADAM_SPLIT`] elements updated under `rayon::join`: the same numbers on any
/// number of threads.
#[allow(clippy::too_many_arguments)]
pub fn adam<T: Real>(
    w: &mut [T],
    g: &[T],
    m: &mut [T],
    v: &mut [T],
    d: T,
    lr_t: T,
    b1: T,
    b2: T,
    eps: T,
) {
    let n = w.len();
    if n < 2 * ADAM_SPLIT || g.len() != n || m.len() != n || v.len() != n {
        adam_seq(w, g, m, v, d, lr_t, b1, b2, eps);
        return;
    }
    let mid = n / 2;
    let (w0, w1) = w.split_at_mut(mid);
    let (g0, g1) = g.split_at(mid);
    let (m0, m1) = m.split_at_mut(mid);
    let (v0, v1) = v.split_at_mut(mid);
    rayon::join(
        || adam(w0, g0, m0, v0, d, lr_t, b1, b2, eps),
        || adam(w1, g1, m1, v1, d, lr_t, b1, b2, eps),
    );
}

crate::multiversioned! {
/// [`adam`] on one thread.
#[allow(clippy::too_many_arguments)]
fn adam_seq<T: Real>(
    w: &mut [T],
    g: &[T],
    m: &mut [T],
    v: &mut [T],
    d: T,
    lr_t: T,
    b1: T,
    b2: T,
    eps: T,
) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let g = g + d * *w;
        *m = b1 * *m + (T::ONE - b1) * g;
        *v = b2 * *v + (T::ONE - b2) * g * g;
        *w -= lr_t * *m / (v.sqrt() + eps);
    }
}
}

crate::multiversioned! {
/// `c (m) += a (m×k) · b (k)`: one dot product per row, with eight partial sums so the
/// multiply-adds do not wait on each other.
pub fn matvec_acc<T: Real>(c: &mut [T], a: &[T], b: &[T], k: usize) {
    for (cv, arow) in c.iter_mut().zip(a.chunks_exact(k)) {
        *cv += dot(arow, b);
    }
}
}

crate::multiversioned! {
/// `dst ← a ∘ b` (element-wise product).
pub fn mul<T: Real>(dst: &mut [T], a: &[T], b: &[T]) {
    dst.iter_mut()
        .zip(a.iter().zip(b))
        .for_each(|(d, (&x, &y))| *d = x * y);
}
}

crate::multiversioned! {
/// `a · b`, with eight partial sums.
pub fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: T = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(&x, &y)| x * y)
        .sum();
    for (x, y) in ac.zip(bc) {
        for q in 0..8 {
            acc[q] = x[q].mul_add(y[q], acc[q]);
        }
    }
    acc.iter().copied().sum::<T>() + tail
}
}

crate::multiversioned! {
/// `c (k) = aᵀ b` for `a` (m×k) and `b` (m): a sum of scaled rows.
pub fn rows_weighted_sum<T: Real>(c: &mut [T], a: &[T], b: &[T], k: usize) {
    c.iter_mut().for_each(|v| *v = T::ZERO);
    for (arow, &bv) in a.chunks_exact(k).zip(b) {
        c.iter_mut()
            .zip(arow)
            .for_each(|(c, &x)| *c = bv.mul_add(x, *c));
    }
}
}

crate::multiversioned! {
/// `c (m×k) = a (m) ⊗ b (k)`: the outer product.
pub fn outer<T: Real>(c: &mut [T], a: &[T], b: &[T]) {
    for (crow, &av) in c.chunks_exact_mut(b.len()).zip(a) {
        crow.iter_mut().zip(b).for_each(|(c, &x)| *c = av * x);
    }
}
}

crate::multiversioned! {
/// `x ← x · s + b` followed by the activation, for one row (the engine's epilogue).
pub fn scale_bias_relu<T: Real>(x: &mut [T], s: T, b: &[T]) {
    x.iter_mut().zip(b).for_each(|(v, &bb)| {
        let z = v.mul_add(s, bb);
        *v = if z > T::ZERO { z } else { T::ZERO };
    });
}
}

crate::multiversioned! {
/// `y ← y − a · x` (the engine's dropped-unit correction).
pub fn sub_scaled<T: Real>(y: &mut [T], a: T, x: &[T]) {
    y.iter_mut()
        .zip(x)
        .for_each(|(y, &x)| *y = (-a).mul_add(x, *y));
}
}

crate::multiversioned! {
/// Training epilogue of a ReLU layer: `next ← max(z + b, 0) · s` row by row (the next
/// layer's scaled input, before its zeros), reading the pre-activations `z`.
pub fn bias_relu_scale_copy<T: Real>(z: &[T], b: &[T], next: &mut [T], s: T) {
    for (zrow, nrow) in z.chunks_exact(b.len()).zip(next.chunks_exact_mut(b.len())) {
        for ((&zv, nx), &bb) in zrow.iter().zip(nrow.iter_mut()).zip(b) {
            let v = zv + bb;
            *nx = if v > T::ZERO { v * s } else { T::ZERO };
        }
    }
}
}

crate::multiversioned! {
/// Backward sweep through a masked ReLU layer: `g ← g · s · [hm > 0]` and
/// `db ← Σ_rows g`, where `hm` is the layer's output masked and scaled (zero where the
/// unit was dropped or inactive).
pub fn relu_backprop_scale_colsum<T: Real>(g: &mut [T], hm: &[T], s: T, db: &mut [T]) {
    let k = db.len();
    let rows = g.len() / k.max(1);
    if k >= WIDE_ROWS {
        // Wide rows: row by row, the sums in `db` (each column's sum the same additions
        // in the same order as below). Column blocks would walk the batch with a stride
        // of a whole row, a cache line per row and block (270 µs instead of 10 µs for
        // 128 × 512 in f32).
        db.iter_mut().for_each(|v| *v = T::ZERO);
        for (gr, hr) in g.chunks_exact_mut(k).zip(hm.chunks_exact(k)) {
            for ((gv, &hv), sm) in gr.iter_mut().zip(hr).zip(db.iter_mut()) {
                let v = if hv > T::ZERO { *gv * s } else { T::ZERO };
                *gv = v;
                *sm += v;
            }
        }
        return;
    }
    let mut c0 = 0;
    while c0 + COLS <= k {
        let mut sum = [T::ZERO; COLS];
        for r in 0..rows {
            let at = r * k + c0;
            let (gr, hr) = (&mut g[at..at + COLS], &hm[at..at + COLS]);
            for ((gv, &hv), sm) in gr.iter_mut().zip(hr).zip(sum.iter_mut()) {
                let v = if hv > T::ZERO { *gv * s } else { T::ZERO };
                *gv = v;
                *sm += v;
            }
        }
        db[c0..c0 + COLS].copy_from_slice(&sum);
        c0 += COLS;
    }
    // The last k − c0 < COLS columns, row by row (contiguous).
    let t = k - c0;
    let mut sum = [T::ZERO; COLS];
    for r in 0..rows {
        let at = r * k + c0;
        let (gr, hr) = (&mut g[at..at + t], &hm[at..at + t]);
        for ((gv, &hv), sm) in gr.iter_mut().zip(hr).zip(sum.iter_mut()) {
            let v = if hv > T::ZERO { *gv * s } else { T::ZERO };
            *gv = v;
            *sm += v;
        }
    }
    db[c0..].copy_from_slice(&sum[..t]);
}
}

crate::multiversioned! {
/// Backward sweep through a masked ReLU layer feeding a one-unit layer:
/// `g[r, j] ← δ[r] · w[j] · s · [hm[r, j] > 0]` and `db ← Σ_rows g`, with `hm` as in
/// [`relu_backprop_scale_colsum`].
pub fn outer_relu_backprop_colsum<T: Real>(
    g: &mut [T],
    delta: &[T],
    w: &[T],
    hm: &[T],
    s: T,
    db: &mut [T],
) {
    let k = db.len();
    if k >= WIDE_ROWS {
        // As in `relu_backprop_scale_colsum`: row by row for wide rows.
        db.iter_mut().for_each(|v| *v = T::ZERO);
        for ((gr, hr), &d) in g.chunks_exact_mut(k).zip(hm.chunks_exact(k)).zip(delta) {
            let ds = d * s;
            for (((gv, &hv), sm), &wv) in gr.iter_mut().zip(hr).zip(db.iter_mut()).zip(w) {
                let v = if hv > T::ZERO { ds * wv } else { T::ZERO };
                *gv = v;
                *sm += v;
            }
        }
        return;
    }
    let mut c0 = 0;
    while c0 + COLS <= k {
        let mut sum = [T::ZERO; COLS];
        let wc = &w[c0..c0 + COLS];
        for (r, &d) in delta.iter().enumerate() {
            let ds = d * s;
            let at = r * k + c0;
            let (gr, hr) = (&mut g[at..at + COLS], &hm[at..at + COLS]);
            for (((gv, &hv), sm), &wv) in gr.iter_mut().zip(hr).zip(sum.iter_mut()).zip(wc) {
                let v = if hv > T::ZERO { ds * wv } else { T::ZERO };
                *gv = v;
                *sm += v;
            }
        }
        db[c0..c0 + COLS].copy_from_slice(&sum);
        c0 += COLS;
    }
    // The last k − c0 < COLS columns, row by row (contiguous).
    let t = k - c0;
    let mut sum = [T::ZERO; COLS];
    let wc = &w[c0..];
    for (r, &d) in delta.iter().enumerate() {
        let ds = d * s;
        let at = r * k + c0;
        let (gr, hr) = (&mut g[at..at + t], &hm[at..at + t]);
        for (((gv, &hv), sm), &wv) in gr.iter_mut().zip(hr).zip(sum.iter_mut()).zip(wc) {
            let v = if hv > T::ZERO { ds * wv } else { T::ZERO };
            *gv = v;
            *sm += v;
        }
    }
    db[c0..].copy_from_slice(&sum[..t]);
}
}

crate::multiversioned! {
/// `x ← tanh x` ([`Real::vtanh`], a few ulps from libm: [`super::vmath`]).
pub fn tanh<T: Real>(x: &mut [T]) {
    x.iter_mut().for_each(|v| *v = v.vtanh());
}
}

crate::multiversioned! {
/// `x ← 1 / (1 + e^{−x})` ([`Real::vsigmoid`]).
pub fn sigmoid<T: Real>(x: &mut [T]) {
    x.iter_mut().for_each(|v| *v = v.vsigmoid());
}
}

crate::multiversioned! {
/// `g ← g · (c0 + h (c1 − h))`: the derivative of tanh (`c0 = 1, c1 = 0`) or the sigmoid
/// (`c0 = 0, c1 = 1`) read off the output `h`.
pub fn smooth_backprop<T: Real>(h: &[T], g: &mut [T], c0: T, c1: T) {
    g.iter_mut()
        .zip(h)
        .for_each(|(g, &h)| *g *= c0 + h * (c1 - h));
}
}

crate::multiversioned! {
/// Training epilogue of a tanh (`tanh = true`) or sigmoid layer: `z ← act(z + b)` (kept
/// for the backward pass) and `next ← z · s` (the next layer's scaled input, before its
/// zeros). The bias is added row by row, then the activation runs over the whole block as
/// one flat slice (rows of 50 would leave a scalar tail of 2 in every row).
pub fn bias_smooth_scale_copy<T: Real>(z: &mut [T], b: &[T], next: &mut [T], s: T, tanh: bool) {
    for zrow in z.chunks_exact_mut(b.len()) {
        zrow.iter_mut().zip(b).for_each(|(v, &bb)| *v += bb);
    }
    smooth_scale_copy(z, next, s, tanh);
}
}

crate::multiversioned! {
/// `z ← act(z)` and `next ← act(z) · s` for tanh (`tanh`) or the sigmoid
/// ([`Real::vtanh`], [`Real::vsigmoid`]): the second half of [`bias_smooth_scale_copy`].
pub fn smooth_scale_copy<T: Real>(z: &mut [T], next: &mut [T], s: T, tanh: bool) {
    if tanh {
        for (zv, nx) in z.iter_mut().zip(next.iter_mut()) {
            let h = zv.vtanh();
            *zv = h;
            *nx = h * s;
        }
    } else {
        for (zv, nx) in z.iter_mut().zip(next.iter_mut()) {
            let h = zv.vsigmoid();
            *zv = h;
            *nx = h * s;
        }
    }
}
}

crate::multiversioned! {
/// Backward sweep through a masked tanh or sigmoid layer whose dropped entries of `g` are
/// already zero: `g ← g · s · (c0 + h (c1 − h))` (as [`smooth_backprop`]) and
/// `db ← Σ_rows g`.
pub fn smooth_backprop_scale_colsum<T: Real>(
    g: &mut [T],
    h: &[T],
    s: T,
    c0: T,
    c1: T,
    db: &mut [T],
) {
    let k = db.len();
    let rows = g.len() / k.max(1);
    let mut c = 0;
    // Full blocks of COLS columns (a fixed width, so the inner loop is one vector).
    while c + COLS <= k {
        let mut sum = [T::ZERO; COLS];
        for r in 0..rows {
            let at = r * k + c;
            let (gr, hr) = (&mut g[at..at + COLS], &h[at..at + COLS]);
            for ((gv, &hv), sm) in gr.iter_mut().zip(hr).zip(sum.iter_mut()) {
                let v = (*gv * s) * (c0 + hv * (c1 - hv));
                *gv = v;
                *sm += v;
            }
        }
        db[c..c + COLS].copy_from_slice(&sum);
        c += COLS;
    }
    // The last k − c < COLS columns, row by row.
    let t = k - c;
    let mut sum = [T::ZERO; COLS];
    for r in 0..rows {
        let at = r * k + c;
        let (gr, hr) = (&mut g[at..at + t], &h[at..at + t]);
        for ((gv, &hv), sm) in gr.iter_mut().zip(hr).zip(sum.iter_mut()) {
            let v = (*gv * s) * (c0 + hv * (c1 - hv));
            *gv = v;
            *sm += v;
        }
    }
    db[c..].copy_from_slice(&sum[..t]);
}
}
