//! A drop-in for the conlleval perl script, plus scikit-learn's token-level table.
//!
//! ```text
//! cargo run --release --example conlleval -- [-r] [-o OUTSIDE] [-d DELIMITER] [--iobes | --strict] [FILE | -]
//! ```
//!
//! Reads conlleval's input form (fields separated by single spaces, the last two the gold and the predicted
//! tag, blank or `-X-` lines between sentences) from FILE, or from standard input when FILE is absent or `-`.
//! Prints conlleval's report, byte for byte as the perl script prints it, then a blank line and the token-level
//! `classification_report` table. `-r`, `-o` and `-d` are conlleval's options (`-d '\t'` means a tab);
//! `--iobes` adds the `S-`/`E-` chunk rules of IOBES and `--strict` uses seqeval's strict IOB2 mode. Errors are
//! one line on standard error and exit status 1.

use std::io::{Read, Write};
use std::process::ExitCode;

use qnet::tagger::{parse_conlleval, read_conlleval, ChunkRules, ConllevalOptions};

const USAGE: &str = "usage: conlleval [-r] [-o OUTSIDE] [-d DELIMITER] [--iobes | --strict] [FILE | -]";

fn run() -> Result<String, String> {
    let mut options = ConllevalOptions::new();
    let mut rules = ChunkRules::Conlleval;
    let mut file: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-r" => options = options.raw(true),
            "-o" | "-d" => {
                let value = args.next().ok_or_else(|| format!("conlleval: {arg} needs a value; {USAGE}"))?;
                options = if arg == "-o" {
                    options.outside(&value)
                } else if value == "\\t" {
                    options.delimiter("\t")
                } else {
                    options.delimiter(&value)
                };
            }
            "--iobes" => rules = ChunkRules::Iobes,
            "--strict" => rules = ChunkRules::StrictIob2,
            "-h" | "--help" => return Ok(format!("{USAGE}\n")),
            "-l" => return Err("conlleval: -l (LaTeX output) is not supported".to_string()),
            _ if arg.starts_with('-') && arg != "-" => {
                return Err(format!("conlleval: unknown argument {arg}; {USAGE}"))
            }
            _ if file.is_some() => return Err(format!("conlleval: unexpected argument {arg}; {USAGE}")),
            _ => file = Some(arg),
        }
    }
    let fail = |e: qnet::Error| format!("conlleval: {e}");
    let predictions = match file.as_deref() {
        None | Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("conlleval: cannot read standard input: {e}"))?;
            let text = std::str::from_utf8(&bytes).map_err(|e| format!("conlleval: <stdin> is not UTF-8: {e}"))?;
            parse_conlleval(text, "<stdin>", &options).map_err(fail)?
        }
        Some(path) => read_conlleval(path, &options).map_err(fail)?,
    };
    let entities = predictions.entity_report(rules);
    let tokens = predictions.token_report(None);
    Ok(format!("{entities}\n{tokens}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = out.write_all(report.as_bytes()).and_then(|()| out.flush());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
