//! The backward sweeps through a masked ReLU layer (`kernels::relu_backprop_scale_colsum`,
//! `kernels::outer_relu_backprop_colsum`) against a plain loop that computes every value
//! and every column sum by the same operations in the same order (sums from zero over the
//! rows in order), so equality is exact: for narrow rows (column blocks in registers) and
//! wide rows (row by row, sums in memory), with column counts on both sides of the
//! switch and of the 16-column blocks.

#![allow(clippy::needless_range_loop)]

use mcdropout::nn::kernels::{outer_relu_backprop_colsum, relu_backprop_scale_colsum};
use mcdropout::rng::{Purpose, stream};
use rand::Rng;

fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut r = stream(seed, Purpose::Init, 7);
    // A third of the entries zero or negative: inactive or dropped units.
    (0..n).map(|_| r.random_range(-0.5f32..1.0)).collect()
}

#[test]
fn sweeps_match_the_plain_loop_bit_for_bit() {
    let s = 1.0f32 / 0.95;
    for &k in &[1usize, 15, 16, 50, 127, 128, 129, 300, 512] {
        for &rows in &[1usize, 7, 128] {
            let hm = data(rows * k, k as u64 * 31 + rows as u64);
            let g0 = data(rows * k, k as u64 * 37 + rows as u64);
            let delta = data(rows, k as u64);
            let w = data(k, rows as u64);

            // relu_backprop_scale_colsum
            let mut want = g0.clone();
            let mut want_db = vec![0.0f32; k];
            for r in 0..rows {
                for c in 0..k {
                    let i = r * k + c;
                    let v = if hm[i] > 0.0 { g0[i] * s } else { 0.0 };
                    want[i] = v;
                    want_db[c] += v;
                }
            }
            let (mut g, mut db) = (g0.clone(), vec![f32::NAN; k]);
            relu_backprop_scale_colsum(&mut g, &hm, s, &mut db);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g), bits(&want), "k {k} rows {rows}");
            assert_eq!(bits(&db), bits(&want_db), "k {k} rows {rows}");

            // outer_relu_backprop_colsum
            let mut want = vec![0.0f32; rows * k];
            let mut want_db = vec![0.0f32; k];
            for r in 0..rows {
                let ds = delta[r] * s;
                for c in 0..k {
                    let i = r * k + c;
                    let v = if hm[i] > 0.0 { ds * w[c] } else { 0.0 };
                    want[i] = v;
                    want_db[c] += v;
                }
            }
            let (mut g, mut db) = (vec![f32::NAN; rows * k], vec![f32::NAN; k]);
            outer_relu_backprop_colsum(&mut g, &delta, &w, &hm, s, &mut db);
            assert_eq!(bits(&g), bits(&want), "outer, k {k} rows {rows}");
            assert_eq!(bits(&db), bits(&want_db), "outer, k {k} rows {rows}");
            assert!(
                want_db.iter().any(|&v| v != 0.0),
                "k {k} rows {rows}: all zero"
            );
        }
    }
}
