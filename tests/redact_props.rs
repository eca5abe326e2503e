//! Property tests: arbitrary secrets in marked fields and parameters never appear in `Debug`
//! output, the redacted view, span fields, events, exception messages or the metrics text.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]

mod support;

use observe::{observe, step, Redact};
use proptest::prelude::*;

#[derive(Redact)]
struct Account {
    id: u64,
    #[redact]
    password: String,
    #[redact(partial)]
    token: String,
    #[redact(last = 4)]
    card: String,
    #[redact(email)]
    email: String,
    #[redact(hash)]
    ssn: String,
    #[redact]
    note: Option<String>,
}

#[derive(Redact)]
#[redact(all)]
enum Secret {
    Key(String),
    Pair { a: String, b: String },
}

#[observe(
    args(user, password, token, account),
    flow,
    counter = "prop_logins",
    errors = "prop_login_errors"
)]
fn login(
    user: &str,
    password: &str,
    #[redact(partial)] token: &str,
    account: &Account,
) -> Result<(), String> {
    step!("checked", api_key = password, detail = %format!("using {token}"));
    Err(format!(
        "login of {user} failed: password={password}, token {token}, id {}",
        account.id
    ))
}

#[observe(args(password))]
fn owned_login(password: String, #[redact] otp: String) -> Result<(), String> {
    let moved = password;
    Err(format!("invalid {moved} / {otp}"))
}

/// Secrets: 10 to 24 characters from a wide alphabet (letters, digits, symbols, non-ASCII).
fn secret() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> =
        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+-/=?^_~éßøπЖ中"
            .chars()
            .collect();
    prop::collection::vec(prop::sample::select(alphabet), 10..24)
        .prop_map(|c| c.into_iter().collect())
}

fn account(
    password: &str,
    token: &str,
    card: &str,
    email_local: &str,
    ssn: &str,
    note: &str,
) -> Account {
    Account {
        id: 1,
        password: password.to_owned(),
        token: token.to_owned(),
        card: card.to_owned(),
        email: format!("{email_local}@example.com"),
        ssn: ssn.to_owned(),
        note: Some(note.to_owned()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn marked_fields_never_show(
        password in secret(), token in secret(), card in secret(), local in secret(), ssn in secret(), note in secret(),
    ) {
        let a = account(&password, &token, &card, &local, &ssn, &note);
        let outputs = [format!("{a:?}"), format!("{a:#?}"), a.redacted().to_string(), format!("{:#}", a.redacted())];
        for out in &outputs {
            for s in [&password, &token, &card, &ssn, &note] {
                prop_assert!(!out.contains(s.as_str()), "{s} in {out}");
            }
            prop_assert!(!out.contains(&format!("{local}@")), "{local} in {out}");
        }
        let e = Secret::Pair { a: password.clone(), b: token.clone() };
        let k = Secret::Key(card.clone());
        let out = format!("{e:?} {k:?}");
        prop_assert!(!out.contains(&password) && !out.contains(&token) && !out.contains(&card), "{out}");
    }

    #[test]
    fn secret_parameters_never_show(password in secret(), token in secret(), card in secret()) {
        let a = account(&password, "tok-fixed-value", &card, "x", "y", "z");
        let (result, rec) = support::record(|| {
            let _ = owned_login(password.clone(), token.clone());
            login("bob", &password, &token, &a)
        });
        prop_assert!(result.is_err());
        let everything = format!("{:?} {:?}", rec.spans(), rec.events());
        let metrics = observe::metrics::render();
        for s in [&password, &token, &card] {
            prop_assert!(!everything.contains(s.as_str()), "{s} in {everything}");
            prop_assert!(!metrics.contains(s.as_str()), "{s} in the metrics");
        }
        prop_assert!(everything.contains("[REDACTED]"));
    }
}
