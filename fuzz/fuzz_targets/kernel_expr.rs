//! The kernel-expression parser: any text gives a kernel or a positioned syntax error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcdropout::gp::parse_kernel;

fuzz_target!(|data: &[u8]| {
    let Some((&d, rest)) = data.split_first() else {
        return;
    };
    let spec = String::from_utf8_lossy(rest);
    if let Ok(k) = parse_kernel(&spec, usize::from(d % 4) + 1) {
        assert_eq!(k.params().len(), k.n_params());
    }
});
