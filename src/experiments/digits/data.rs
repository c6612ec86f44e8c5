//! The 8×8 digits file: gzip-compressed CSV (or plain CSV), no header, 64 pixel values
//! (0–16) then the integer label on every line (the UCI optical digits test set, 1797
//! rows, as in `../shared/data/digits/digits.csv.gz`).

use crate::error::{Error, Result};
use flate2::read::GzDecoder;
use ndarray::{Array1, Array2};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Pixels per image (8 × 8).
pub const PIXELS: usize = 64;
/// Image side.
pub const SIDE: usize = 8;

/// Images (`n × 64`, row-major 8×8, values 0–16) and labels (`n`).
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// Pixel values.
    pub x: Array2<f64>,
    /// Labels 0–9 (as read).
    pub y: Array1<f64>,
}

/// Default location: `$MCDROPOUT_DATA/digits/digits.csv.gz`, else
/// `../shared/data/digits/digits.csv.gz` relative to the working directory.
pub fn default_path() -> PathBuf {
    std::env::var_os("MCDROPOUT_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
        .join("digits/digits.csv.gz")
}

/// Reads the digits file (gzip detected by its magic bytes). Every line must hold 65
/// numbers, pixels in [0, 16] and a label 0–9 last.
pub fn read_digits(path: &Path) -> Result<Digits> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let raw = std::fs::read(path).map_err(io)?;
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        GzDecoder::new(raw.as_slice())
            .read_to_string(&mut s)
            .map_err(io)?;
        s
    } else {
        String::from_utf8(raw).map_err(|e| Error::InvalidFile {
            path: path.to_path_buf(),
            line: None,
            reason: format!("not text: {e}"),
        })?
    };
    let bad = |line: usize, reason: String| Error::InvalidFile {
        path: path.to_path_buf(),
        line: Some(line),
        reason,
    };
    let (mut pix, mut labels) = (Vec::new(), Vec::new());
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let vals: Vec<f64> = l
            .split(',')
            .map(|c| c.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| bad(i + 1, format!("not a number: {e}")))?;
        if vals.len() != PIXELS + 1 {
            return Err(bad(
                i + 1,
                format!(
                    "expected {} values (64 pixels and a label), found {}",
                    PIXELS + 1,
                    vals.len()
                ),
            ));
        }
        if let Some(v) = vals[..PIXELS].iter().find(|v| !(0.0..=16.0).contains(*v)) {
            return Err(bad(i + 1, format!("pixel value {v} outside 0–16")));
        }
        let label = vals[PIXELS];
        if !(0.0..=9.0).contains(&label) || label.fract() != 0.0 {
            return Err(bad(
                i + 1,
                format!("label {label} is not a digit: labels must be the integers 0–9"),
            ));
        }
        pix.extend_from_slice(&vals[..PIXELS]);
        labels.push(label);
    }
    if labels.is_empty() {
        return Err(Error::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let n = labels.len();
    Ok(Digits {
        x: Array2::from_shape_vec((n, PIXELS), pix).map_err(|e| Error::Shape(e.to_string()))?,
        y: Array1::from(labels),
    })
}

/// Rotates an 8×8 image by `degrees` (counter-clockwise as displayed, rows downward)
/// about its centre (3.5, 3.5) with bilinear interpolation; source points outside the
/// image read as 0 (background).
pub fn rotate(img: &[f64], degrees: f64) -> Vec<f64> {
    let (s, c) = degrees.to_radians().sin_cos();
    let centre = (SIDE as f64 - 1.0) / 2.0;
    let at = |r: isize, col: isize| -> f64 {
        if (0..SIDE as isize).contains(&r) && (0..SIDE as isize).contains(&col) {
            img[r as usize * SIDE + col as usize]
        } else {
            0.0
        }
    };
    let mut out = vec![0.0; PIXELS];
    for r in 0..SIDE {
        for col in 0..SIDE {
            // Inverse map: the output pixel (x right, y up) comes from the source point
            // rotated by −θ.
            let (x, y) = (col as f64 - centre, centre - r as f64);
            let (sx, sy) = (c * x + s * y, -s * x + c * y);
            let (fc, fr) = (sx + centre, centre - sy);
            let (c0, r0) = (fc.floor(), fr.floor());
            let (dc, dr) = (fc - c0, fr - r0);
            let (c0, r0) = (c0 as isize, r0 as isize);
            out[r * SIDE + col] = (1.0 - dr) * ((1.0 - dc) * at(r0, c0) + dc * at(r0, c0 + 1))
                + dr * ((1.0 - dc) * at(r0 + 1, c0) + dc * at(r0 + 1, c0 + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img() -> Vec<f64> {
        (0..PIXELS).map(|i| ((i * 5) % 17) as f64).collect()
    }

    /// 0° is the identity and 90° is an exact pixel permutation (the grid maps onto
    /// itself; cos 90° ≈ 6e-17 leaves rounding of that order).
    #[test]
    fn quarter_turns_are_exact_permutations() {
        let a = img();
        assert!(
            rotate(&a, 0.0)
                .iter()
                .zip(&a)
                .all(|(x, y)| (x - y).abs() < 1e-12)
        );
        let q = rotate(&a, 90.0);
        // Counter-clockwise: the top-right pixel (row 0, col 7) moves to the top-left.
        assert!((q[0] - a[7]).abs() < 1e-12);
        // Four quarter turns give the image back.
        let full = rotate(&rotate(&rotate(&q, 90.0), 90.0), 90.0);
        assert!(full.iter().zip(&a).all(|(x, y)| (x - y).abs() < 1e-12));
    }

    /// A constant image stays constant inside the region whose bilinear sources are all
    /// inside the image (the centre 2×2 block, for any angle).
    #[test]
    fn constant_image_interior_is_preserved() {
        let r = rotate(&[5.0; PIXELS], 37.0);
        for idx in [27, 28, 35, 36] {
            assert!((r[idx] - 5.0).abs() < 1e-12);
        }
    }
}
