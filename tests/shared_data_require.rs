//! The shared-data gate itself: present data is returned (the test runs), absent data
//! skips outside CI. A gate that skipped when the data was present once made three
//! data-backed test files pass without running.

#[allow(dead_code)] // this test uses only `require_in`
mod shared_data;

#[test]
fn present_data_is_returned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("set")).unwrap();
    std::fs::write(dir.path().join("set/a.txt"), "1").unwrap();
    let got = shared_data::require_in(dir.path(), "present_data_is_returned", "set", &["a.txt"]);
    assert_eq!(got, Some(dir.path().join("set")));
}

#[test]
fn absent_data_fails_in_ci_and_skips_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let call = || shared_data::require_in(dir.path(), "absent_data", "set", &["a.txt"]);
    if std::env::var_os("CI").is_some() {
        assert!(
            std::panic::catch_unwind(call).is_err(),
            "CI must fail on missing data"
        );
    } else {
        assert_eq!(call(), None);
    }
}
