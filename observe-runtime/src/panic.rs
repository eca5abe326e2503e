//! The message of the panic unwinding through an instrumented call, when known.
//!
//! A drop guard sees that a panic is in progress but not its payload. A panic hook, installed
//! once and chained in front of the hook that was there, keeps the last message of each thread.
//! If the application replaces the hook later, panics are still recorded, without message.

use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static LAST_MESSAGE: Cell<Option<String>> = const { Cell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs the hook on first use. Not from a panicking thread: `set_hook` would panic there.
pub(crate) fn install_hook() {
    if std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned());
            let _ = LAST_MESSAGE.try_with(|last| last.set(message));
            previous(info);
        }));
    });
}

/// Takes the message of this thread's latest panic.
pub(crate) fn take_message() -> Option<String> {
    LAST_MESSAGE.try_with(Cell::take).ok().flatten()
}
