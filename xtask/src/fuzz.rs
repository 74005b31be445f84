//! `cargo xtask fuzz`: the cargo-fuzz targets in `fuzz/` (issue 16, T7), each for a bounded
//! time, on stable Rust (`RUSTC_BOOTSTRAP=1` lets cargo-fuzz pass its `-Z` sanitizer flags).
//!
//! Every target is built at once (the dependencies compile once), then run in turn with its
//! working corpus `fuzz/corpus/TARGET` (kept between runs, not committed) and its committed
//! seeds `fuzz/seeds/TARGET`. A crash, a failed assertion, a leak or a timeout fails the task;
//! the input is left in `fuzz/artifacts/TARGET/`, and cargo-fuzz prints how to replay it.
//! libFuzzer's final figures are summed up at the end: the runs and CPU time to record in
//! SECURITY.md.

use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use super::{Failure, Outcome, cargo, ensure_cargo_tool, run, step, workspace_root};

/// The targets in `fuzz/fuzz_targets/`, in the order they run.
const TARGETS: &[&str] = &[
    "sniff_upload",
    "strip_image",
    "safety_checks",
    "problem_json",
    "ws_frame",
    "audit_verify",
    "backup_verify",
];

/// Seconds per target for `cargo xtask fuzz` without `--seconds`.
const DEFAULT_SECONDS: u64 = 60;
/// Seconds per target in `cargo xtask ci`.
const CI_SECONDS: u64 = 20;
/// An input that runs longer than this is reported as a hang.
const INPUT_TIMEOUT_SECONDS: u64 = 30;

/// What to fuzz, and how.
#[derive(Debug)]
pub struct Options {
    seconds: u64,
    sanitizer: bool,
    targets: Vec<&'static str>,
}

impl Options {
    /// The bounded run of `cargo xtask ci`: every target, with AddressSanitizer.
    pub fn ci() -> Self {
        Self {
            seconds: CI_SECONDS,
            sanitizer: true,
            targets: TARGETS.to_vec(),
        }
    }

    /// Parses `[--seconds N] [--no-sanitizer] [TARGET...]`; `None` for a usage error.
    pub fn parse(args: &[OsString]) -> Option<Self> {
        let mut options = Self {
            seconds: DEFAULT_SECONDS,
            sanitizer: true,
            targets: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let arg = arg.to_str()?;
            let seconds = match arg.strip_prefix("--seconds=") {
                Some(value) => Some(value),
                None if arg == "--seconds" => Some(args.next()?.to_str()?),
                None => None,
            };
            if let Some(seconds) = seconds {
                options.seconds = seconds.parse().ok().filter(|&s| s > 0)?;
            } else if arg == "--no-sanitizer" {
                options.sanitizer = false;
            } else if let Some(&target) = TARGETS.iter().find(|t| **t == arg) {
                if !options.targets.contains(&target) {
                    options.targets.push(target);
                }
            } else {
                eprintln!(
                    "xtask: `{arg}` is not a fuzz target; the targets are: {}",
                    TARGETS.join(", ")
                );
                return None;
            }
        }
        if options.targets.is_empty() {
            options.targets = TARGETS.to_vec();
        }
        Some(options)
    }
}

/// libFuzzer's figures for one target's run.
#[derive(Debug, Default)]
struct Figures {
    runs: Option<u64>,
    seconds: Option<u64>,
    execs_per_second: Option<u64>,
    coverage: Option<u64>,
    corpus: Option<u64>,
    new_inputs: Option<u64>,
}

impl Figures {
    /// Takes what a line of libFuzzer's output says.
    fn read(&mut self, line: &str) {
        // "Done 123456 runs in 21 second(s)"
        if let Some(rest) = line.trim().strip_prefix("Done ") {
            let mut words = rest.split_whitespace();
            self.runs = words.next().and_then(|n| n.parse().ok()).or(self.runs);
            if words.next() == Some("runs") && words.next() == Some("in") {
                self.seconds = words.next().and_then(|n| n.parse().ok()).or(self.seconds);
            }
        }
        // "#123456 DONE cov: 1234 ft: 5678 corp: 90/12Kb lim: 4096 exec/s: 5878 rss: 97Mb"
        if line.starts_with('#') && line.contains(" cov: ") {
            self.coverage = number_after(line, "cov: ").or(self.coverage);
            self.corpus = number_after(line, "corp: ").or(self.corpus);
            self.execs_per_second = number_after(line, "exec/s: ").or(self.execs_per_second);
        }
        // -print_final_stats=1
        if let Some(value) = line.strip_prefix("stat::average_exec_per_sec:") {
            self.execs_per_second = value.trim().parse().ok().or(self.execs_per_second);
        }
        if let Some(value) = line.strip_prefix("stat::new_units_added:") {
            self.new_inputs = value.trim().parse().ok().or(self.new_inputs);
        }
    }

    fn describe(&self) -> String {
        let show = |n: Option<u64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let new = self
            .new_inputs
            .map(|n| format!(" ({n} new)"))
            .unwrap_or_default();
        format!(
            "{} runs in {} s, {} exec/s, coverage {}, corpus {}{new}",
            show(self.runs),
            show(self.seconds),
            show(self.execs_per_second),
            show(self.coverage),
            show(self.corpus)
        )
    }
}

/// The number right after `label` in `line`.
fn number_after(line: &str, label: &str) -> Option<u64> {
    let rest = &line[line.find(label)? + label.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `cargo xtask fuzz`: builds every target, runs the chosen ones, and fails if any found
/// something.
pub fn run_targets(options: &Options) -> Outcome {
    ensure_cargo_tool("fuzz", "cargo-fuzz", "a few minutes")?;
    let fuzz_dir = workspace_root().join("fuzz");
    step(format!(
        "fuzzing {} target(s) for {} s each{}",
        options.targets.len(),
        options.seconds,
        if options.sanitizer {
            ""
        } else {
            ", without AddressSanitizer"
        }
    ));
    run(&mut cargo_fuzz("build", options))?;
    let mut results = Vec::new();
    for &target in &options.targets {
        let (passed, figures) = run_target(&fuzz_dir, target, options)?;
        results.push((target, passed, figures));
    }
    summarize(&results, options)
}

/// A `cargo fuzz SUBCOMMAND` with the build options every invocation must share (so that
/// `run` finds what `build` built).
fn cargo_fuzz(subcommand: &str, options: &Options) -> Command {
    let mut cmd = cargo();
    cmd.args(["fuzz", subcommand]).env("RUSTC_BOOTSTRAP", "1");
    if !options.sanitizer {
        cmd.arg("--sanitizer=none");
    }
    cmd
}

/// Runs one target: whether it passed (false when it found something, or would not start),
/// and libFuzzer's figures.
fn run_target(fuzz_dir: &Path, target: &str, options: &Options) -> Outcome<(bool, Figures)> {
    let corpus = fuzz_dir.join("corpus").join(target);
    fs::create_dir_all(&corpus)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", corpus.display())))?;
    let seeds = fuzz_dir.join("seeds").join(target);
    let mut cmd = cargo_fuzz("run", options);
    cmd.arg(target).arg(corpus);
    if seeds.is_dir() {
        cmd.arg(seeds);
    }
    cmd.args([
        OsString::from("--"),
        OsString::from(format!("-max_total_time={}", options.seconds)),
        OsString::from(format!("-timeout={INPUT_TIMEOUT_SECONDS}")),
        OsString::from("-print_final_stats=1"),
    ]);
    step(format!("fuzzing {target}"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("cannot run cargo fuzz: {e}")))?;
    let mut figures = Figures::default();
    if let Some(stderr) = child.stderr.take() {
        // Passed through as it comes, and read for libFuzzer's figures.
        for line in BufReader::new(stderr).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            eprintln!("{line}");
            figures.read(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::new(format!("cannot wait for cargo fuzz: {e}")))?;
    Ok((status.success(), figures))
}

/// Prints every target's figures and the total CPU time; fails if any target found something.
fn summarize(results: &[(&str, bool, Figures)], options: &Options) -> Outcome {
    let sanitizer = if options.sanitizer {
        "AddressSanitizer"
    } else {
        "no sanitizer"
    };
    step(format!(
        "fuzzing summary ({} s per target, {sanitizer}):",
        options.seconds
    ));
    let (mut runs, mut seconds) = (0u64, 0u64);
    let mut failed = Vec::new();
    for (target, passed, figures) in results {
        let verdict = if *passed { "ok" } else { "FAILED" };
        if !passed {
            failed.push(*target);
        }
        runs += figures.runs.unwrap_or(0);
        seconds += figures.seconds.unwrap_or(0);
        step(format!(
            "  {target:<14} {verdict:<6} {}",
            figures.describe()
        ));
    }
    step(format!(
        "  total: {runs} runs in {seconds} CPU-seconds ({:.3} CPU-hours)",
        seconds as f64 / 3600.0
    ));
    if failed.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "fuzzing found a problem in {} (the inputs are in fuzz/artifacts/TARGET/; replay one \
         with `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET FILE`)",
        failed.join(", ")
    )))
}
