//! Holding Ctrl-C (SIGINT) and SIGTERM back while outputs are swapped in, so an interrupted
//! command leaves the old outputs or the new ones, never a mix and no temporary files.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// While alive, SIGINT and SIGTERM are noted instead of ending the process.
pub struct Held {
    #[cfg(unix)]
    ids: Vec<signal_hook_registry::SigId>,
}

impl Held {
    pub fn new() -> Held {
        #[cfg(unix)]
        {
            let ids = [libc::SIGINT, libc::SIGTERM]
                .into_iter()
                .filter_map(|sig| {
                    // SAFETY: the handler only stores to an atomic, which is signal-safe.
                    unsafe {
                        signal_hook_registry::register(sig, || {
                            INTERRUPTED.store(true, Ordering::SeqCst)
                        })
                    }
                    .ok()
                })
                .collect();
            Held { ids }
        }
        #[cfg(not(unix))]
        Held {}
    }

    /// Ends the hold; a signal that came meanwhile now ends the process (exit 130, as a shell
    /// reports Ctrl-C), after the outputs are complete.
    pub fn release(self) {
        drop(self);
        if INTERRUPTED.load(Ordering::SeqCst) {
            eprintln!("interrupted: the outputs were completed first, then sopctl stopped");
            std::process::exit(130);
        }
    }
}

impl Default for Held {
    fn default() -> Held {
        Held::new()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook_registry::unregister(id);
        }
    }
}
