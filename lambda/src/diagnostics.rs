//! Warnings and errors collected during a run.
//!
//! Nothing is only logged: every problem lands here, and from here in the Run Summary
//! sheet, the command's printed summary and its exit status.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Input was odd but a row was still produced from what was known.
    Warning,
    /// Input could not be used at all (unreadable file, line that is not JSON, ...).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem, with where it was found (e.g. `items.jsonl:12`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub source: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.severity, self.source, self.message)
    }
}

/// The run's problems, in the order they were met.
#[derive(Debug, Default)]
pub struct Diagnostics {
    entries: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn warn(&mut self, source: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, source, message);
    }

    pub fn error(&mut self, source: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, source, message);
    }

    fn push(&mut self, severity: Severity, source: impl Into<String>, message: impl Into<String>) {
        self.entries.push(Diagnostic {
            severity,
            source: source.into(),
            message: message.into(),
        });
    }

    pub fn push_entry(&mut self, entry: Diagnostic) {
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[Diagnostic] {
        &self.entries
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.entries
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
