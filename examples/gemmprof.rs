use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use mcdropout::nn::matmul::{gemm, gemm_nt, gemm_tn};
use std::time::Instant;
fn t(name: &str, mut f: impl FnMut()) {
    for _ in 0..1000 {
        f();
    }
    let n = 20000;
    let s = Instant::now();
    for _ in 0..n {
        f();
    }
    println!(
        "{name:40} {:8.3} us",
        s.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
fn main() {
    let (m, k, n) = (128usize, 13usize, 50usize);
    let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 * 0.1).collect();
    let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 * 0.1).collect();
    let mut c = vec![0.0; m * n];
    let mut c2 = vec![0.0; m * n];
    t("faer fwd 128x13x50", || {
        matmul(
            MatMut::from_row_major_slice_mut(&mut c, m, n),
            Accum::Replace,
            MatRef::from_row_major_slice(&a, m, k),
            MatRef::from_row_major_slice(&b, k, n),
            1.0,
            Par::Seq,
        )
    });
    t("ours fwd 128x13x50", || {
        gemm(&mut c2, &a, &b, m, k, n, false)
    });
    println!(
        "  max diff {:e}",
        c.iter()
            .zip(&c2)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    );
    let h: Vec<f64> = (0..m * n).map(|i| (i % 3) as f64).collect();
    let w2: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    let mut o = vec![0.0; m];
    let mut o2 = vec![0.0; m];
    t("faer fwd 128x50x1", || {
        matmul(
            MatMut::from_row_major_slice_mut(&mut o, m, 1),
            Accum::Replace,
            MatRef::from_row_major_slice(&h, m, n),
            MatRef::from_row_major_slice(&w2, n, 1),
            1.0,
            Par::Seq,
        )
    });
    t("ours fwd 128x50x1", || {
        gemm(&mut o2, &h, &w2, m, n, 1, false)
    });
    println!(
        "  max diff {:e}",
        o.iter()
            .zip(&o2)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    );
    let mut dw = vec![0.0; k * n];
    let mut dwb = vec![0.0; k * n];
    t("faer tn 13x128x50", || {
        matmul(
            MatMut::from_row_major_slice_mut(&mut dw, k, n),
            Accum::Replace,
            MatRef::from_row_major_slice(&a, m, k).transpose(),
            MatRef::from_row_major_slice(&h, m, n),
            1.0,
            Par::Seq,
        )
    });
    t("ours tn 13x128x50", || gemm_tn(&mut dwb, &a, &h, m, k, n));
    println!(
        "  max diff {:e}",
        dw.iter()
            .zip(&dwb)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    );
    let mut dw2 = vec![0.0; n];
    let mut dw2b = vec![0.0; n];
    t("faer tn 50x128x1", || {
        matmul(
            MatMut::from_row_major_slice_mut(&mut dw2, n, 1),
            Accum::Replace,
            MatRef::from_row_major_slice(&h, m, n).transpose(),
            MatRef::from_row_major_slice(&o, m, 1),
            1.0,
            Par::Seq,
        )
    });
    t("ours tn 50x128x1", || gemm_tn(&mut dw2b, &h, &o, m, n, 1));
    println!(
        "  max diff {:e}",
        dw2.iter()
            .zip(&dw2b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    );
    let mut dh = vec![0.0; m * n];
    let mut dhb = vec![0.0; m * n];
    t("faer nt 128x1x50", || {
        matmul(
            MatMut::from_row_major_slice_mut(&mut dh, m, n),
            Accum::Replace,
            MatRef::from_row_major_slice(&o, m, 1),
            MatRef::from_row_major_slice(&w2, n, 1).transpose(),
            1.0,
            Par::Seq,
        )
    });
    t("ours nt 128x1x50", || gemm_nt(&mut dhb, &o, &w2, m, 1, n));
    println!(
        "  max diff {:e}",
        dh.iter()
            .zip(&dhb)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    );
}
