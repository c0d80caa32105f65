//! CoNLL column files: the first byte picks the format (POS and chunk columns, huge column indices, labelled
//! or not, a declared scheme, strict or skipping malformed lines); the rest is the file. A parsed corpus is
//! then learnt from, converted, chunked and written back (see `qnet_fuzz::corpus`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use qnet::tagger::{parse_conll, ConllFormat, Scheme};

fuzz_target!(|data: &[u8]| {
    let Some((&options, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = match options & 3 {
        0 => ConllFormat::new(),
        1 => ConllFormat::conll2003(),
        2 => ConllFormat::new().pos_column(Some(1)),
        _ => ConllFormat::new().chunk_column(Some(usize::MAX - usize::from(options >> 7))),
    };
    let scheme = [None, Some(Scheme::Iob1), Some(Scheme::Iob2), Some(Scheme::Iobes)][usize::from((options >> 2) & 3)];
    let format = format.labelled(options & 16 == 0).scheme(scheme).skip_malformed(options & 32 != 0);
    if let Ok(corpus) = parse_conll(text, "fuzz", &format) {
        qnet_fuzz::corpus(&corpus, true);
    }
});
