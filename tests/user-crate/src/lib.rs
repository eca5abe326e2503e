//! The service's library part: its functions are in the binary's catalog as a dependency's.

#![forbid(unsafe_code)]

use observe::observe;

/// Prices an order: called by the binary.
#[observe(counter = "user_lib_prices")]
#[must_use]
pub fn price(items: u32) -> u32 {
    items * 3
}

/// Refunds an order: never called, listed all the same.
#[observe(counter = "user_lib_refunds")]
pub fn refund(items: u32) -> u32 {
    items
}
