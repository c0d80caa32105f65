//! The crate's headline program: a CoNLL named-entity tagger whose dense features pass through a simulated
//! quantum layer, scored with conlleval and probed with information theory.
//!
//! ```text
//! cargo run --release --example conll_ner                                  # the embedded sample
//! cargo run --release --example conll_ner -- --data "$QNET_CONLL_DIR"      # CoNLL-2003: train, valid, test
//! cargo run --release --example conll_ner -- --train T.txt --valid V.txt --test E.txt --epochs 8 --qubits 4
//! cargo run --release --example conll_ner -- --compare                     # quantum vs classical vs none
//! cargo run --release --example conll_ner -- --train T.txt --valid V.txt --skip-malformed  # messy corpora
//! cargo run --release --example conll_ner -- --save model.qnet             # later: --load model.qnet
//! cargo run --release --example conll_ner -- --load model.qnet --predict FILE   # tag a CoNLL or text file
//! cargo run --release --example conll_ner -- --plots plots                 # SVG curves and matrices
//! cargo run --release --example conll_ner -- --load model.qnet --data DIR --noise 0.01  # scored under noise
//! cargo run --release --example conll_ner -- --noise 0.01 --noise-train    # trained under noise too
//! cargo run --release --example conll_ner -- --help                        # every option
//! ```
//!
//! With no option it trains on the sample embedded in the crate (`qnet::tagger::sample`), drawing a progress
//! bar over each epoch's sentences and printing one line per epoch, then evaluates on the sample's
//! validation part: conlleval's entity report, the token-level precision/recall/F1 table, and the quantum
//! diagnostics (per qubit, the mutual information between its Z sign and the gold tag, and the mean half-cut
//! entanglement entropy) of the trained layer beside the untrained one. The last line reads
//! `valid entity F1 = xx.xx (tokens/s tagging = N)`. `QNET_CONLL_DIR` is never read implicitly: pass it
//! with `--data`.
//!
//! `--predict FILE` prints conlleval's input form for a CoNLL file (pipe it to the `conlleval` example) or
//! one `start<TAB>end<TAB>TYPE<TAB>text` line per entity of a plain-text file. Errors are one line on stderr,
//! `error: ...`, and exit status 1.

mod cli;
mod plots;
mod predict;
mod report;
mod train;

use std::error::Error;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use qnet::tagger::{DensePath, Tagger, TaggerConfig};

use crate::cli::{Args, Data};
use crate::plots::Confusion;
use crate::predict::Input;
use crate::report::{Comparison, Diagnostics, Scores};
use crate::train::Log;

/// The result of a step; `main` prints its error as one line.
pub type Fallible<T> = Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let args = Args::from_command_line();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not worth a message.
        Err(e) if broken_pipe(&*e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` comes from writing to a closed pipe: an `io::Error`, or qnet's `Error::Io` (which keeps the
/// kind of the `io::Error`, not the error itself), anywhere in the chain of causes.
fn broken_pipe(e: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(e) = cause {
        if e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || matches!(e.downcast_ref::<qnet::Error>(), Some(qnet::Error::Io { kind: io::ErrorKind::BrokenPipe, .. }))
        {
            return true;
        }
        cause = e.source();
    }
    false
}

fn run(args: &Args) -> Fallible<()> {
    if let Some(threads) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.get())
            .build_global()
            .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    }
    // A bad --noise strength is an error before anything runs.
    let noise = args.noise_model().transpose()?;
    let config = args.config();
    if args.load.is_none() {
        config.check()?;
    }
    let data = args.data()?;
    // Fail on the other paths before training rather than after.
    let input = args.predict.as_deref().map(Input::read).transpose()?;
    if let Some(path) = &args.save {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(format!("cannot save to {}: {} is not a directory", path.display(), dir.display()).into());
        }
    }
    if let Some(dir) = &args.plots {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // With --predict, stdout carries the predictions only.
    let log = if input.is_some() { Log::Stderr } else { Log::Stdout };
    if args.compare {
        return compare(&config, &data, log, &mut io::stdout().lock());
    }

    let mut tagger = match (&args.load, &data.train) {
        (Some(path), _) => {
            let tagger = Tagger::load(path)?;
            log.line(format_args!("loaded {}: {}", path.display(), settings(tagger.config())))?;
            tagger
        }
        (None, Some(train)) => {
            log.line(format_args!("train: {}", report::describe(train)))?;
            if let Some(valid) = &data.valid {
                log.line(format_args!("valid: {} ({})", report::describe(&valid.corpus), valid.name))?;
            }
            log.line(format_args!("settings: {}", settings(&config)))?;
            train::train(&config, train, data.valid.as_ref().map(|v| &v.corpus), "", log)?.tagger
        }
        (None, None) => return Err("nothing to train on: give --train FILE or --data DIR".into()),
    };
    if let Some(path) = &args.save {
        tagger.save(path)?;
        log.line(format_args!("saved the model to {}", path.display()))?;
    }
    if let (Some(noise), Some(p)) = (noise, args.noise) {
        tagger.set_dense_noise(noise)?;
        let how = if args.noise_train { "trained and evaluated" } else { "evaluated" };
        log.line(format_args!(
            "noise: depolarizing p = {p} after each gate of the quantum dense path ({how} under it)"
        ))?;
    }
    match &input {
        Some(input) => {
            input.tag(&tagger)?;
            // The reports are computed for the plots only: stdout holds the predictions.
            match &args.plots {
                Some(dir) => evaluate(&tagger, &data, Some(dir), &mut io::sink(), log),
                None => Ok(()),
            }
        }
        None => evaluate(&tagger, &data, args.plots.as_deref(), &mut io::stdout().lock(), log),
    }
}

/// `--compare`: trains each dense path with the same settings and prints them side by side to `out`, on the
/// validation data and, when there is some, on the test data.
fn compare(config: &TaggerConfig, data: &Data, log: Log, out: &mut dyn Write) -> Fallible<()> {
    let train = data.train.as_ref().ok_or("--compare trains: it cannot be used with --load")?;
    let valid = data.valid.as_ref().ok_or("--compare needs validation data: --valid FILE or --data DIR")?;
    log.line(format_args!("train: {}", report::describe(train)))?;
    log.line(format_args!("valid: {} ({})", report::describe(&valid.corpus), valid.name))?;
    if let Some(test) = &data.test {
        log.line(format_args!("test: {} ({})", report::describe(&test.corpus), test.name))?;
    }
    let mut rows = Vec::new();
    for dense in [DensePath::Quantum, DensePath::Classical, DensePath::None] {
        let config = config.clone().dense(dense);
        let trained = train::train(&config, train, Some(&valid.corpus), &dense.to_string(), log)?;
        let scored = report::score(&trained.tagger, &valid.corpus)?;
        let test = match &data.test {
            Some(test) => Some(Scores::of(&report::score(&trained.tagger, &test.corpus)?)),
            None => None,
        };
        rows.push(Comparison {
            dense,
            valid: Scores::of(&scored),
            test,
            train_seconds: trained.seconds,
            tokens_per_second: scored.tokens_per_second,
        });
    }
    let test_name = data.test.as_ref().map(|t| t.name.as_str());
    report::print_comparison(out, &valid.name, test_name, &rows)?;
    Ok(out.flush()?)
}

/// Scores the tagger on the validation and test data and writes the reports to `out`: conlleval's, the token
/// table, the quantum diagnostics, then the pictures to `plots` and the closing F1 line.
fn evaluate(tagger: &Tagger, data: &Data, plots: Option<&Path>, out: &mut dyn Write, log: Log) -> Fallible<()> {
    let mut scored_valid = None;
    let mut diagnostics = None;
    if let Some(valid) = &data.valid {
        let heading = format!("valid ({})", valid.name);
        let scored = report::score(tagger, &valid.corpus)?;
        report::print_evaluation(out, &heading, &valid.corpus, &scored)?;
        diagnostics = Diagnostics::measure(tagger, &valid.corpus)?;
        match &diagnostics {
            Some(d) => d.print(out, &heading)?,
            None => writeln!(out, "\n(no quantum diagnostics: the dense path is not quantum)")?,
        }
        scored_valid = Some((valid, scored));
    } else {
        writeln!(out, "\n(no validation data: give --valid FILE to evaluate)")?;
    }
    if let Some(test) = &data.test {
        let scored = report::score(tagger, &test.corpus)?;
        report::print_evaluation(out, &format!("test ({})", test.name), &test.corpus, &scored)?;
    }
    if let Some(dir) = plots {
        let confusion = scored_valid.as_ref().map(|(v, s)| Confusion::new(&v.corpus, &s.predicted));
        let written = plots::write(dir, tagger.history(), confusion.as_ref(), diagnostics.as_ref())?;
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        log.line(format_args!("\nwrote {}", names.join(", ")))?;
    }
    if let Some((_, scored)) = &scored_valid {
        let f1 = 100.0 * scored.evaluation.entities.f1();
        writeln!(out, "\nvalid entity F1 = {f1:.2} (tokens/s tagging = {:.0})", scored.tokens_per_second)?;
    }
    out.flush()?;
    Ok(())
}

/// The settings worth a line: the dense path, its width, the epochs and the seed.
fn settings(config: &TaggerConfig) -> String {
    let width = match config.dense_path() {
        DensePath::Quantum => format!(" ({} qubits)", config.num_qubits()),
        DensePath::Classical => format!(" ({} units)", config.num_qubits()),
        DensePath::None => String::new(),
    };
    format!("dense path {}{width}, epochs {}, seed {}", config.dense_path(), config.num_epochs(), config.seed_value())
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use qnet::tagger::sample;

    use super::*;
    use crate::cli::Named;

    /// Trains the three dense paths for one short epoch on part of the embedded sample and returns what
    /// `--compare` prints.
    fn compare_output(test: Option<Named>) -> String {
        let mut train = sample::train();
        train.sentences.truncate(80);
        let valid = Named { name: "valid.txt".to_string(), corpus: sample::valid() };
        let data = Data { train: Some(train), valid: Some(valid), test };
        let config = TaggerConfig::default().epochs(1).qubits(2).layers(1).seed(3);
        let mut out = Vec::new();
        compare(&config, &data, Log::Stderr, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The numeric columns of the table's rows, by dense path.
    fn rows(output: &str) -> Vec<Vec<String>> {
        output
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.split_whitespace().map(|f| f.trim_end_matches('%').to_string()).collect::<Vec<_>>())
            .filter(|f| {
                ["quantum", "classical", "none"].contains(&f[0].as_str())
                    && f.get(1).is_some_and(|x| x.parse::<f64>().is_ok())
            })
            .collect()
    }

    /// What `evaluate` prints for a tagger on the embedded sample's validation part.
    fn evaluation(tagger: &Tagger) -> String {
        let valid = Named { name: "valid.txt".to_string(), corpus: sample::valid() };
        let data = Data { train: None, valid: Some(valid), test: None };
        let mut out = Vec::new();
        evaluate(tagger, &data, None, &mut out, Log::Stderr).unwrap();
        // The tagging speed differs from run to run.
        String::from_utf8(out).unwrap().lines().filter(|l| !l.contains("tokens/s")).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn noise_zero_is_the_noiseless_path_and_positive_noise_is_not() {
        let mut train = sample::train();
        train.sentences.truncate(60);
        let config = TaggerConfig::default().epochs(1).qubits(2).layers(1).seed(3);
        let tagger = config.fit(&train, None, |_| {}).unwrap();
        let pure = evaluation(&tagger);
        let args = Args::try_parse_from(["conll_ner", "--noise", "0"]).unwrap();
        let mut zero = tagger.clone();
        zero.set_dense_noise(args.noise_model().unwrap().unwrap()).unwrap();
        assert_eq!(zero, tagger);
        assert_eq!(evaluation(&zero), pure);
        let args = Args::try_parse_from(["conll_ner", "--noise", "0.05"]).unwrap();
        let mut noisy = tagger.clone();
        noisy.set_dense_noise(args.noise_model().unwrap().unwrap()).unwrap();
        assert_ne!(noisy, tagger);
        assert!(noisy.config().dense_noise_model().is_some());
        // --noise-train puts the model into the configuration; --noise alone does not.
        assert!(args.config().dense_noise_model().is_none());
        let both = Args::try_parse_from(["conll_ner", "--noise", "0.05", "--noise-train"]).unwrap();
        assert!(both.config().dense_noise_model().is_some());
        assert!(Args::try_parse_from(["conll_ner", "--noise-train"]).is_err(), "--noise-train needs --noise");
        let bad = Args::try_parse_from(["conll_ner", "--noise", "1.5"]).unwrap();
        assert!(bad.noise_model().unwrap().is_err());
    }

    #[test]
    fn compare_reports_test_scores_beside_valid_when_there_is_a_test_set() {
        // The validation corpus again as the test set: each path's test scores must equal its valid scores.
        let test = Named { name: "test.txt".to_string(), corpus: sample::valid() };
        let output = compare_output(Some(test));
        assert!(output.contains("compared on valid (valid.txt) and test (test.txt)"), "{output}");
        assert!(output.contains("test F1") && output.contains("test accuracy"), "{output}");
        let rows = rows(&output);
        assert_eq!(rows.len(), 3, "{output}");
        for row in &rows {
            // dense, valid F1, valid accuracy, test F1, test accuracy, seconds, tokens/s
            assert_eq!(row.len(), 7, "{output}");
            assert_eq!((&row[1], &row[2]), (&row[3], &row[4]), "{output}");
            let f1: f64 = row[1].parse().unwrap();
            assert!(f1 > 0.0 && f1 <= 100.0, "{output}");
        }
        let vs: Vec<&str> = output.lines().filter(|l| l.starts_with("quantum vs")).collect();
        assert_eq!(vs.len(), 2, "{output}");
        assert!(vs.iter().all(|l| l.contains("; test entity F1 ")), "{output}");
    }

    #[test]
    fn compare_without_a_test_set_shows_valid_only() {
        let output = compare_output(None);
        assert!(output.contains("compared on valid (valid.txt), same seed"), "{output}");
        assert!(!output.contains("test"), "{output}");
        assert!(rows(&output).iter().all(|r| r.len() == 5), "{output}");
    }
}
