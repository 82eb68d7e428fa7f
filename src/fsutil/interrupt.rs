//! Holding Ctrl-C (SIGINT) and SIGTERM back while outputs are swapped in, so an interrupted
//! command leaves the old outputs or the new ones, never a mix and no temporary files.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal that came while held, 0 for none.
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

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
                        signal_hook_registry::register(sig, move || {
                            INTERRUPTED.store(sig, Ordering::SeqCst)
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

    /// Whether SIGINT or SIGTERM came while held: work not yet done can be skipped.
    pub fn interrupted(&self) -> bool {
        INTERRUPTED.load(Ordering::SeqCst) != 0
    }

    /// Ends the process as the signal that came would have ended it unheld: for a command
    /// stopped before its outputs were put in place, once it has removed what it staged.
    pub fn stop(&self) -> ! {
        let sig = INTERRUPTED.load(Ordering::SeqCst);
        #[cfg(unix)]
        if sig != 0 {
            // SAFETY: restoring the default action and raising the signal in our own process.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                libc::raise(sig);
            }
        }
        let _ = sig;
        std::process::exit(130)
    }

    /// Ends the hold; a signal that came meanwhile now ends the process (exit 130, as a shell
    /// reports Ctrl-C), after the outputs are complete.
    pub fn release(self) {
        drop(self);
        if INTERRUPTED.load(Ordering::SeqCst) != 0 {
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
