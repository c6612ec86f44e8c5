//! Element-wise kernels of the hot loops, compiled for several instruction sets and picked
//! at run time (`multiversion`): shipped binaries stay portable (no `target-cpu=native`)
//! and still use AVX2/AVX-512 where the processor has them.

use multiversion::multiversion;

/// `dst ← src · s`.
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn scale_copy(dst: &mut [f64], src: &[f64], s: f64) {
    dst.iter_mut().zip(src).for_each(|(d, &v)| *d = v * s);
}

/// `x ← x · s`.
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn scale(x: &mut [f64], s: f64) {
    x.iter_mut().for_each(|v| *v *= s);
}

/// `x ← max(x, 0)`.
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn relu(x: &mut [f64]) {
    x.iter_mut()
        .for_each(|v| *v = if *v > 0.0 { *v } else { 0.0 });
}

/// `g ← g · [h > 0]` (branch-free).
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn relu_backprop(h: &[f64], g: &mut [f64]) {
    g.iter_mut()
        .zip(h)
        .for_each(|(g, &h)| *g = if h > 0.0 { *g } else { 0.0 });
}

/// Every row of `x` (`rows × b.len()`) ← row · s + b.
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn scale_add_rows(x: &mut [f64], s: f64, b: &[f64]) {
    for row in x.chunks_exact_mut(b.len()) {
        row.iter_mut().zip(b).for_each(|(v, &bb)| *v = *v * s + bb);
    }
}

/// `acc ← Σ_rows x` for `x` of `rows × acc.len()`.
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn column_sums(x: &[f64], acc: &mut [f64]) {
    acc.iter_mut().for_each(|v| *v = 0.0);
    for row in x.chunks_exact(acc.len()) {
        acc.iter_mut().zip(row).for_each(|(a, &r)| *a += r);
    }
}

/// One Adam update with the decay gradient `d · w` fused in (Keras' form, `lr_t` already
/// bias-corrected).
#[allow(clippy::too_many_arguments)]
#[multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2+fma"))]
pub fn adam(
    w: &mut [f64],
    g: &[f64],
    m: &mut [f64],
    v: &mut [f64],
    d: f64,
    lr_t: f64,
    b1: f64,
    b2: f64,
    eps: f64,
) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let g = g + d * *w;
        *m = b1 * *m + (1.0 - b1) * g;
        *v = b2 * *v + (1.0 - b2) * g * g;
        *w -= lr_t * *m / (v.sqrt() + eps);
    }
}

/// `c (m) += a (m×k) · b (k)`: one dot product per row, with eight partial sums so the
/// multiply-adds do not wait on each other.
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn matvec_acc(c: &mut [f64], a: &[f64], b: &[f64], k: usize) {
    for (cv, arow) in c.iter_mut().zip(a.chunks_exact(k)) {
        let mut acc = [0.0f64; 8];
        let (ac, bc) = (arow.chunks_exact(8), b.chunks_exact(8));
        let tail: f64 = ac
            .remainder()
            .iter()
            .zip(bc.remainder())
            .map(|(x, y)| x * y)
            .sum();
        for (x, y) in ac.zip(bc) {
            for q in 0..8 {
                acc[q] = x[q].mul_add(y[q], acc[q]);
            }
        }
        *cv += acc.iter().sum::<f64>() + tail;
    }
}

/// `c (k) = aᵀ b` for `a` (m×k) and `b` (m): a sum of scaled rows.
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn rows_weighted_sum(c: &mut [f64], a: &[f64], b: &[f64], k: usize) {
    c.iter_mut().for_each(|v| *v = 0.0);
    for (arow, &bv) in a.chunks_exact(k).zip(b) {
        c.iter_mut()
            .zip(arow)
            .for_each(|(c, &x)| *c = bv.mul_add(x, *c));
    }
}

/// `c (m×k) = a (m) ⊗ b (k)`: the outer product.
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn outer(c: &mut [f64], a: &[f64], b: &[f64]) {
    for (crow, &av) in c.chunks_exact_mut(b.len()).zip(a) {
        crow.iter_mut().zip(b).for_each(|(c, &x)| *c = av * x);
    }
}

/// `x ← x · s + b` followed by the activation, for one row (the engine's epilogue).
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn scale_bias_relu(x: &mut [f64], s: f64, b: &[f64]) {
    x.iter_mut().zip(b).for_each(|(v, &bb)| {
        let z = v.mul_add(s, bb);
        *v = if z > 0.0 { z } else { 0.0 };
    });
}

/// `y ← y − a · x` (the engine's dropped-unit correction).
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn sub_scaled(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut()
        .zip(x)
        .for_each(|(y, &x)| *y = (-a).mul_add(x, *y));
}

/// Training epilogue of a ReLU layer: `out ← max(out + b, 0)` row by row, and in the same
/// sweep `next ← out · s` (the next layer's scaled input, before its zeros).
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn bias_relu_scale_copy(out: &mut [f64], b: &[f64], next: &mut [f64], s: f64) {
    for (orow, nrow) in out
        .chunks_exact_mut(b.len())
        .zip(next.chunks_exact_mut(b.len()))
    {
        for ((o, nx), &bb) in orow.iter_mut().zip(nrow.iter_mut()).zip(b) {
            let z = *o + bb;
            let h = if z > 0.0 { z } else { 0.0 };
            *o = h;
            *nx = h * s;
        }
    }
}

/// Backward sweep through a masked ReLU layer: `g ← g · s · [h > 0]` and
/// `db ← Σ_rows g` (the dropped entries of `g` are already zero).
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn relu_backprop_scale_colsum(g: &mut [f64], h: &[f64], s: f64, db: &mut [f64]) {
    db.iter_mut().for_each(|v| *v = 0.0);
    let k = db.len();
    for (grow, hrow) in g.chunks_exact_mut(k).zip(h.chunks_exact(k)) {
        for ((gv, &hv), d) in grow.iter_mut().zip(hrow).zip(db.iter_mut()) {
            let v = if hv > 0.0 { *gv * s } else { 0.0 };
            *gv = v;
            *d += v;
        }
    }
}

/// Backward sweep through a masked ReLU layer feeding a one-unit layer:
/// `g[r, j] ← δ[r] · w[j] · s · [h[r, j] > 0]` and `db ← Σ_rows g` (the caller then removes
/// the dropped entries).
#[multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
pub fn outer_relu_backprop_colsum(
    g: &mut [f64],
    delta: &[f64],
    w: &[f64],
    h: &[f64],
    s: f64,
    db: &mut [f64],
) {
    db.iter_mut().for_each(|v| *v = 0.0);
    let k = db.len();
    for ((grow, hrow), &d) in g.chunks_exact_mut(k).zip(h.chunks_exact(k)).zip(delta) {
        let ds = d * s;
        for (((gv, &hv), dbv), &wv) in grow.iter_mut().zip(hrow).zip(db.iter_mut()).zip(w) {
            let v = if hv > 0.0 { ds * wv } else { 0.0 };
            *gv = v;
            *dbv += v;
        }
    }
}
