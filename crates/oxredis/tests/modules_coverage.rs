//! Every generated module method is called by a module test. The per-method coverage check of
//! `tests/commands` covers the core table only (`command_methods`: that binary runs on a server
//! without modules); module methods (`module_methods`) are called in `tests/modules_*.rs` and
//! `tests/extension_points.rs`, and this test fails for a declared method that none of them
//! calls (a source check: a call is `.method(` or `.method::<`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn every_module_method_is_called_by_a_module_test() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut sources = String::new();
    for name in [
        "modules_json_bloom.rs",
        "modules_search.rs",
        "modules_timeseries.rs",
        "extension_points.rs",
    ] {
        sources.push_str(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap());
    }
    let methods: Vec<_> = oxredis::commands::module_methods().collect();
    let uncalled: Vec<String> = methods
        .iter()
        .filter(|(_, method, _)| {
            !sources.contains(&format!(".{method}(")) && !sources.contains(&format!(".{method}::<"))
        })
        .map(|(acc, method, cmd)| format!("{acc}().{method} ({cmd})"))
        .collect();
    assert!(uncalled.is_empty(), "never called: {uncalled:?}");
    assert!(methods.len() >= 110, "{} module methods", methods.len());
    println!("{} module methods, every one called", methods.len());
}
