//! Sets two kinds of `cfg`:
//! - `mcdropout_x86` where the SIMD kernels for x86-64 are compiled: on x86-64, unless the
//!   build asks for the portable level alone with
//!   `RUSTFLAGS="--cfg mcdropout_portable_build"` (what a processor of another kind
//!   compiles, so that configuration is built and tested on x86-64 too);
//! - `mcdropout_host_avx2`, `mcdropout_host_avx512` when the processor building the crate
//!   has those levels: the tests that compare a level's kernels against another are marked
//!   `ignore` (with the reason, in the test report) where the level is missing, instead of
//!   passing without running. The tests check at run time that the processor running them
//!   agrees.

fn main() {
    for cfg in [
        "mcdropout_x86",
        "mcdropout_portable_build",
        "mcdropout_host_avx2",
        "mcdropout_host_avx512",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let x86 = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "x86_64");
    let portable_only = std::env::var("CARGO_ENCODED_RUSTFLAGS")
        .is_ok_and(|f| f.split('\x1f').any(|a| a == "mcdropout_portable_build"));
    if x86 && !portable_only {
        println!("cargo::rustc-cfg=mcdropout_x86");
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            let avx512 = avx2
                && std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vl");
            if avx2 {
                println!("cargo::rustc-cfg=mcdropout_host_avx2");
            }
            if avx512 {
                println!("cargo::rustc-cfg=mcdropout_host_avx512");
            }
        }
    }
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
}
