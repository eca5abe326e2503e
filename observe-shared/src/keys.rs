//! The sensitive-name list and how a name is matched against it: the runtime's scrubber uses
//! it, and the macro crate uses it to decide at compile time which parameters are sensitive,
//! so both always agree.

/// Names whose values are secrets (DESIGN.md section 5), normalized: lowercase, without `-`/`_`.
pub const DEFAULT_SENSITIVE_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "sessiontoken",
    "jwt",
    "bearer",
    "apikey",
    "xapikey",
    "auth",
    "authorization",
    "cookie",
    "setcookie",
    "session",
    "sessionid",
    "csrftoken",
    "privatekey",
    "credentials",
    "ssn",
    "creditcard",
    "cardnumber",
    "cvv",
    "pin",
    "otp",
];

/// The words of a name: split at `-`, `_`, `.`, spaces and lower-to-upper case changes,
/// lowercased (`X-Api-Key`, `x_api_key` and `xApiKey` all give `x`, `api`, `key`).
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' || c == '.' || c.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether `name` names a secret given the normalized `keys`: the whole name, or its last
/// words, spell a key (`password`, `db_password`, `X-Api-Key`, `githubToken` match;
/// `shipping` and `tokens_used` do not).
pub fn is_sensitive_with<'a>(name: &str, keys: impl Iterator<Item = &'a str> + Clone) -> bool {
    let words = words(name);
    (0..words.len()).any(|start| {
        let suffix: String = words[start..].concat();
        keys.clone().any(|k| k == suffix)
    })
}
