//! The block shapes both x86 kernels of the fused step dispatch to: counts of rows or
//! inputs and of vectors as constants ([`by_count_and_vectors!`]), and the balanced split
//! of a count into blocks ([`split`]).

/// `$f::<N, NV>(args)` for a count `$n` of rows or inputs in `1..=5` (the rows of a
/// block: four or the remainder; the inputs of a dW₁ block: at most five) and `$nv`
/// vectors in `1..=4`, as constants.
macro_rules! by_count_and_vectors {
    ($f:ident, $n:expr, $nv:expr, ($($arg:expr),*)) => {
        match ($n, $nv) {
            (5, 1) => $f::<5, 1>($($arg),*),
            (5, 2) => $f::<5, 2>($($arg),*),
            (5, 3) => $f::<5, 3>($($arg),*),
            (5, 4) => $f::<5, 4>($($arg),*),
            (4, 1) => $f::<4, 1>($($arg),*),
            (4, 2) => $f::<4, 2>($($arg),*),
            (4, 3) => $f::<4, 3>($($arg),*),
            (4, 4) => $f::<4, 4>($($arg),*),
            (3, 1) => $f::<3, 1>($($arg),*),
            (3, 2) => $f::<3, 2>($($arg),*),
            (3, 3) => $f::<3, 3>($($arg),*),
            (3, 4) => $f::<3, 4>($($arg),*),
            (2, 1) => $f::<2, 1>($($arg),*),
            (2, 2) => $f::<2, 2>($($arg),*),
            (2, 3) => $f::<2, 3>($($arg),*),
            (2, 4) => $f::<2, 4>($($arg),*),
            (_, 1) => $f::<1, 1>($($arg),*),
            (_, 2) => $f::<1, 2>($($arg),*),
            (_, 3) => $f::<1, 3>($($arg),*),
            _ => $f::<1, 4>($($arg),*),
        }
    };
}

/// `0..n` as `⌈n / max⌉` consecutive blocks `(start, len)` whose lengths differ by at most
/// one, the longer first (13 by at most 5: 5 + 4 + 4; 7 by at most 3: 3 + 2 + 2).
pub(super) fn split(n: usize, max: usize) -> impl Iterator<Item = (usize, usize)> {
    let blocks = n.div_ceil(max);
    (0..blocks).scan(0, move |start, b| {
        let len = n / blocks + usize::from(b < n % blocks);
        let block = (*start, len);
        *start += len;
        Some(block)
    })
}
