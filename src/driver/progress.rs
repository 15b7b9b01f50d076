//! Progress on a terminal: a command still running after a second shows a spinner with the stage it is in; never in pipes, CI logs or with `-q`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a command runs before the spinner shows.
const DELAY: Duration = Duration::from_secs(1);

/// The spinner of one command, drawn by a thread of its own.
#[derive(Debug)]
pub(super) struct Progress {
    stage: Arc<Mutex<&'static str>>,
    done: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Progress {
    /// Starts watching; the spinner appears only after [`DELAY`].
    pub(super) fn start() -> Progress {
        let stage = Arc::new(Mutex::new("loading"));
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stage, done) = (Arc::clone(&stage), Arc::clone(&done));
            std::thread::spawn(move || spin(&stage, &done))
        };
        Progress {
            stage,
            done,
            thread: Mutex::new(Some(thread)),
        }
    }

    /// Names the stage the command is in now.
    pub(super) fn stage(&self, name: &'static str) {
        if let Ok(mut stage) = self.stage.lock() {
            *stage = name;
        }
    }

    /// Stops and clears the spinner.
    pub(super) fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn spin(stage: &Mutex<&'static str>, done: &AtomicBool) {
    let tick = Duration::from_millis(100);
    let mut waited = Duration::ZERO;
    while waited < DELAY {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(tick);
        waited += tick;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    while !done.load(Ordering::Relaxed) {
        let name = stage.lock().map(|s| *s).unwrap_or("working");
        bar.set_message(name);
        bar.tick();
        std::thread::sleep(tick);
    }
    bar.finish_and_clear();
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
