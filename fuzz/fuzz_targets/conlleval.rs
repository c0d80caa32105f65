//! conlleval's input form: the first byte picks the options (raw tags, outside tag, delimiter) and the digits
//! of the printed tables; the rest is the file. Parsed predictions are scored under every rule set and their
//! reports printed (see `qnet_fuzz::predictions`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qnet::tagger::{parse_conlleval, ConllevalOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&options, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let delimiter = ["", " ", "\t", "é"][usize::from(options & 3)];
    let outside = if options & 4 == 0 { "O" } else { "NONE" };
    let config = ConllevalOptions::new().raw(options & 8 != 0).outside(outside).delimiter(delimiter);
    if let Ok(predictions) = parse_conlleval(text, "fuzz", &config) {
        qnet_fuzz::predictions(&predictions, usize::from(options >> 4) + 4);
    }
});
