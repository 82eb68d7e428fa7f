//! A condition expression of arbitrary text: parse and type-check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sopctl::harness::expr(data));
