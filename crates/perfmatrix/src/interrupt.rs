//! Ctrl-C and SIGTERM as an error: the first one sets a flag that long loops check, so they
//! return an error and every guard on the way out (the base's worktree, temporary files, sample
//! servers) cleans up. The children, in the same process group, get the signal too and stop.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once; later calls do nothing).
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // A second handler cannot be installed only if one exists already: nothing to do then.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

/// An error once interrupted.
pub(crate) fn check() -> anyhow::Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        anyhow::bail!("interrupted; cleaned up and stopped");
    }
    Ok(())
}
