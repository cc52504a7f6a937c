//! Parses arbitrary text as a connection URL (`redis://`, `rediss://`, `unix://` and their
//! query options): a user's configuration must give a config or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxredis::ConnectionConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = ConnectionConfig::from_url(text) {
            // Rendering the config must not panic either (it redacts the password).
            let _ = format!("{config:?}");
        }
    }
});
