//! Step bookkeeping: every command xtask runs is a named step with a duration,
//! the first failure names its step, and test cases are counted across all
//! runners so the run ends with one `N passed, N failed` line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Passed and failed test cases, summed over every test runner a run used.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    /// Adds what one `test result:` line reports, if `line` is one.
    pub fn absorb_line(&mut self, line: &str) -> bool {
        match parse_test_result(line) {
            Some(c) => {
                self.passed += c.passed;
                self.failed += c.failed;
                true
            }
            None => false,
        }
    }
}

/// Parses libtest's and wasm-bindgen-test's closing line,
/// `test result: ok. 12 passed; 0 failed; 0 ignored; ...`.
pub fn parse_test_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result:")?;
    let mut counts = Counts::default();
    let mut seen = false;
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(label), Some(number)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => {
                counts.passed = n;
                seen = true;
            }
            "failed" => {
                counts.failed = n;
                seen = true;
            }
            _ => {}
        }
    }
    seen.then_some(counts)
}

/// One finished step, kept for the closing report.
#[derive(Debug, Clone)]
pub struct StepRecord {
    pub name: String,
    pub took: Duration,
    pub ok: bool,
}

/// Runs the steps of one xtask command in order and remembers how each went.
#[derive(Debug, Default)]
pub struct Steps {
    pub records: Vec<StepRecord>,
    pub counts: Counts,
}

/// Why a step failed, in words, with the step's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailed {
    pub step: String,
    pub why: String,
}

impl std::fmt::Display for StepFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "step '{}' failed: {}", self.step, self.why)
    }
}

impl Steps {
    /// Runs `body` as a step called `name`, printing its start and duration.
    pub fn run<T>(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut Counts) -> Result<T, String>,
    ) -> Result<T, StepFailed> {
        println!("==> {name}");
        let start = Instant::now();
        let result = body(&mut self.counts);
        let took = start.elapsed();
        let ok = result.is_ok();
        self.records.push(StepRecord {
            name: name.to_owned(),
            took,
            ok,
        });
        match result {
            Ok(value) => {
                println!("<== {name}: ok ({})", human(took));
                Ok(value)
            }
            Err(why) => {
                println!("<== {name}: FAILED ({}): {why}", human(took));
                Err(StepFailed {
                    step: name.to_owned(),
                    why,
                })
            }
        }
    }

    /// The closing line CI reads: test cases, not steps.
    pub fn summary_line(&self) -> String {
        format!(
            "{} passed, {} failed",
            self.counts.passed, self.counts.failed
        )
    }
}

/// Durations as people read them: `850 ms`, `12.3 s`, `4 min 05 s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        let s = d.as_secs();
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// Runs a command to completion with its output shown live; returns an error
/// in words when it cannot start or exits non-zero. Lines that report test
/// results are added to `counts`.
pub fn run_counted(cmd: &mut Command, counts: &mut Counts) -> Result<(), String> {
    let shown = describe(cmd);
    println!("    $ {shown}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            println!("{line}");
            counts.absorb_line(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` exited with {status}"))
    }
}

/// Runs a command that reports no test results.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    run_counted(cmd, &mut Counts::default())
}

/// Runs a command quietly and returns its stdout and stderr, or None when it
/// cannot start (the tool is missing).
pub fn capture(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).output().ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

/// The command line as the user would type it, for logs and errors.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// The release app (trunk on the pinned nightly with std rebuilt for size, wasm-opt 132, into
/// dist/) and lampsim's release binary: what the end-to-end suite and the browser benchmarks
/// drive, so they test the build users get.
pub fn build_release(steps: &mut Steps, cargo: &str) -> Result<(), StepFailed> {
    steps.run(
        &format!(
            "release build (trunk on {}, build-std, wasm-opt 132)",
            crate::nightly::NIGHTLY
        ),
        |_| {
            run(&mut crate::nightly::trunk_release(
                &crate::nightly::toolchain()?,
            ))
        },
    )?;
    steps.run("lampsim (release build)", |_| {
        run(std::process::Command::new(cargo).args(["build", "-p", "lampsim", "--release"]))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libtest_result_lines() {
        let c = parse_test_result(
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        assert_eq!(
            c,
            Some(Counts {
                passed: 12,
                failed: 0
            })
        );
        let c = parse_test_result("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        assert_eq!(
            c,
            Some(Counts {
                passed: 3,
                failed: 2
            })
        );
    }

    #[test]
    fn ignores_lines_that_are_not_results() {
        assert_eq!(parse_test_result("running 12 tests"), None);
        assert_eq!(parse_test_result("test codec::roundtrip ... ok"), None);
        assert_eq!(parse_test_result("test result: weird"), None);
    }

    #[test]
    fn counts_add_up_across_runners() {
        let mut counts = Counts::default();
        assert!(counts.absorb_line("test result: ok. 5 passed; 0 failed; 0 ignored"));
        assert!(!counts.absorb_line("Running tests/codec.rs"));
        assert!(counts.absorb_line("test result: FAILED. 7 passed; 1 failed; 0 ignored"));
        assert_eq!(
            counts,
            Counts {
                passed: 12,
                failed: 1
            }
        );
    }

    #[test]
    fn steps_record_success_and_name_the_failure() {
        let mut steps = Steps::default();
        let ok = steps.run("first", |counts| {
            counts.passed += 2;
            Ok(1)
        });
        assert_eq!(ok, Ok(1));
        let failed = steps.run("second", |_| Err::<(), _>("boom".to_owned()));
        assert_eq!(
            failed,
            Err(StepFailed {
                step: "second".to_owned(),
                why: "boom".to_owned()
            })
        );
        assert_eq!(steps.records.len(), 2);
        assert!(steps.records[0].ok);
        assert!(!steps.records[1].ok);
        assert_eq!(steps.summary_line(), "2 passed, 0 failed");
        assert_eq!(
            failed.unwrap_err().to_string(),
            "step 'second' failed: boom"
        );
    }

    #[test]
    fn a_command_that_fails_reports_its_exit() {
        let err = run(Command::new("false").arg("x")).unwrap_err();
        assert!(err.contains("`false x` exited with"), "{err}");
        let err = run(&mut Command::new("/nonexistent/tool")).unwrap_err();
        assert!(err.contains("could not start"), "{err}");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(850)), "850 ms");
        assert_eq!(human(Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(human(Duration::from_secs(245)), "4 min 05 s");
    }
}
