//! The test's side of a host: the child process, the commands written to its stdin, and its answers
//! read from its stdout by a thread of their own (so waiting for one has a deadline). A host still
//! running when its handle is dropped is killed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

/// A running host.
pub struct HostProcess {
    /// `A`, `B` or `C`.
    pub name: char,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl HostProcess {
    /// Starts `command` (this test binary with the argument `host`, maybe inside a namespace) and waits
    /// until it has opened its registry.
    pub fn start(name: char, mut command: Command) -> HostProcess {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("host {name} cannot start: {error}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut host = HostProcess {
            name,
            child,
            stdin,
            lines,
        };
        host.answer("ready", Duration::from_secs(60));
        host
    }

    /// Sends one command.
    pub fn send(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next answer starting with `word`, within `deadline`; other lines met on the way are printed.
    pub fn answer(&mut self, word: &str, deadline: Duration) -> String {
        let until = Instant::now() + deadline;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "host {} gave no `{word}` answer within {deadline:?} (exit status: {:?})",
                    self.name,
                    self.child.try_wait()
                )
            });
            if line.split(' ').next() == Some(word) {
                return line;
            }
            println!("   host {}: {line}", self.name);
        }
    }

    /// Asks the host to stop and waits for its exit.
    pub fn quit(mut self) {
        self.send("quit");
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "host {} ended with {status}", self.name);
                return;
            }
            assert!(Instant::now() < until, "host {} did not stop", self.name);
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The value of `key=…` in an answer (up to the next space; the rest of the line for the last key).
pub fn field<'a>(answer: &'a str, key: &str) -> &'a str {
    let start = answer
        .find(&format!(" {key}="))
        .unwrap_or_else(|| panic!("no {key} in `{answer}`"))
        + key.len()
        + 2;
    let rest = &answer[start..];
    if key == "first_error" {
        return rest;
    }
    rest.split(' ').next().unwrap()
}

/// A numeric field.
pub fn number(answer: &str, key: &str) -> i64 {
    field(answer, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not a number in `{answer}`"))
}
