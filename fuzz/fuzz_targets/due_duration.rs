//! A `due:` value and a duration of arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sopctl::harness::due_duration(data));
