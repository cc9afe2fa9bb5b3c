//! Progress of long operations on stderr: an indicatif bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use berth_api::ProgressEvent;
use indicatif::{ProgressBar, ProgressStyle};

/// Shows progress events; `finish` clears the bar.
pub(crate) struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    pub(crate) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    pub(crate) fn show(&self, event: ProgressEvent) {
        let text = match &event {
            ProgressEvent::Step { name } => format!("{name}..."),
            ProgressEvent::Applied {
                done,
                total,
                object,
            } => format!("applied {done}/{total}: {object}"),
            ProgressEvent::Pods { ready, total } => format!("pods ready {ready}/{total}"),
            ProgressEvent::Event { message } => format!("event: {message}"),
        };
        match &self.bar {
            Some(bar) => {
                match event {
                    ProgressEvent::Applied { done, total, .. } => {
                        bar.set_length(u64::from(total));
                        bar.set_position(u64::from(done));
                    }
                    ProgressEvent::Pods { ready, total } => {
                        bar.set_length(u64::from(total));
                        bar.set_position(u64::from(ready));
                    }
                    _ => {}
                }
                bar.set_message(text);
            }
            None => eprintln!("{text}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
