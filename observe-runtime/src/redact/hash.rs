//! `#[redact(hash)]`: a keyed HMAC-SHA256 of the value, so equal values can be correlated
//! without being revealed. The key comes from `OBSERVE_REDACT_KEY` (stable across processes and
//! hosts), else from the OS's random source once per process.

use std::fmt::{self, Display, Write};
use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| match std::env::var("OBSERVE_REDACT_KEY") {
        Ok(key) if !key.is_empty() => key.into_bytes(),
        _ => {
            let mut key = vec![0u8; 32];
            if getrandom::fill(&mut key).is_err() {
                // No OS randomness: a per-process key from the std hasher's random seed.
                let seed = std::hash::BuildHasher::hash_one(
                    &std::collections::hash_map::RandomState::new(),
                    std::process::id(),
                );
                key = seed.to_le_bytes().repeat(4);
            }
            key
        }
    })
}

struct Feed(HmacSha256);

impl Write for Feed {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

pub(super) fn write(value: &dyn Display, out: &mut dyn Write) -> fmt::Result {
    // HMAC accepts keys of any length: this cannot fail.
    let Ok(mac) = HmacSha256::new_from_slice(key()) else {
        return out.write_str(super::REDACTED);
    };
    let mut feed = Feed(mac);
    write!(feed, "{value}")?;
    let digest = feed.0.finalize().into_bytes();
    out.write_str("hash:")?;
    for byte in &digest[..6] {
        write!(out, "{byte:02x}")?;
    }
    Ok(())
}
