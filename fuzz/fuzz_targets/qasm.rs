//! OpenQASM 2.0 text: parse, validate, export and parse again, draw, and run small programs with a seeded
//! generator (see `qnet_fuzz::program` for the bounds).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qnet::qasm::Program;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(program) = Program::parse(text) {
        qnet_fuzz::program(&program);
    }
});
