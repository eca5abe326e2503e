//! # observe
//!
//! One attribute gives a function a tracing span, Prometheus metrics, and error, panic and
//! cancellation recording. Generated code is small and calls a thin runtime; misuse is a
//! compile error.
//!
//! ```
//! use observe::observe;
//!
//! #[derive(Debug)]
//! struct Job { id: u64 }
//!
//! #[derive(Debug)]
//! enum JobError { NotFound }
//!
//! impl std::fmt::Display for JobError {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("job not found")
//!     }
//! }
//!
//! /// Processes one job.
//! #[observe(counter = "jobs_completed", histogram = "job_duration_ms", errors = "jobs_failed", args(job))]
//! fn process_job(job: &Job) -> Result<u64, JobError> {
//!     if job.id == 0 {
//!         return Err(JobError::NotFound);
//!     }
//!     Ok(job.id * 2)
//! }
//!
//! assert_eq!(process_job(&Job { id: 21 }).unwrap(), 42);
//! assert!(process_job(&Job { id: 0 }).is_err());
//!
//! let text = observe::metrics::render();
//! assert!(text.contains(r#"jobs_completed_total{function="process_job",module="rust_out",result="ok"} 1"#));
//! assert!(text.contains(r#"jobs_completed_total{function="process_job",module="rust_out",result="error"} 1"#));
//! // `error_type` is the error's type name.
//! assert!(text.contains(r#"JobError",function="process_job",module="rust_out"} 1"#));
//! assert!(text.contains("# HELP job_duration_ms Processes one job."));
//! ```
//!
//! Users depend on `observe` only: the generated code reaches `tracing`, `prometheus` and the
//! runtime through this crate. Spans go to whatever `tracing` subscriber the application
//! installed (a library using `#[observe]` installs nothing); metrics go to
//! `prometheus::default_registry()` unless [`metrics::set_registry`] chose another.
//!
//! See [`observe`](macro@observe) for the keys, the span and metric contract and the shapes it
//! supports, [`step!`] for flows, [`Redact`](derive@Redact) for redaction, and [`init!`] (or
//! [`init()`]) to set telemetry up in an application.
//!
//! Cargo features: `logs` (JSON log lines, `observe::logs`), `setup` (`observe::init`, the
//! HTTP metrics endpoint) and `otlp` (OTLP export of traces, metrics and logs; trace ids on
//! log lines) are on by default; a library that only annotates can use
//! `default-features = false`. `serde` adds `Serialize` to the redacted view.

#![cfg_attr(docsrs, feature(doc_cfg))]

/// Instruments a function, every method of an `impl` block, or every default method of a trait.
///
/// ```
/// # use observe::observe;
/// #[observe(counter = "lookups", histogram = "lookup_duration_seconds", args(key))]
/// fn lookup(key: &str, password: &str) -> Option<usize> {
///     // `password` is not recorded: only parameters named in `args(...)` are.
///     let _ = password;
///     Some(key.len())
/// }
/// # assert_eq!(lookup("a", "b"), Some(1));
/// ```
///
/// # Keys
///
/// | key | meaning |
/// |---|---|
/// | (none) | a span only, plus error, panic and cancellation recording |
/// | `name = "…"`, `name = CONST`, or a leading `"…"` | span name and `function` label (default: the function's identifier). With a constant, metric names cannot default to it: name them |
/// | `level = "trace"` … `"error"` | span level (default `info`); also `debug` (any case), `1`–`5`, or a `tracing::Level` path such as `Level::DEBUG` |
/// | `target = "…"` or `target = CONST` | span and event target (default `module_path!()`) |
/// | `args(a, b, …)` | record these parameters as span fields; **nothing else is recorded**. Numbers, `bool`, `str` and `String` are recorded as values, anything else with `Debug` |
/// | `fields(k = expr, k = %expr, k = ?expr, %k, ?k, a.b = …, "k" = …, {CONST} = …, k)` | extra span fields in `tracing` syntax, evaluated when the span is created; a bare `k` is an empty field to `record` later |
/// | `ret`, `ret(Display \| Debug)`, `ret(level = …)` | record the return value (the `Ok` value of a `Result`) as field `return`, with `Debug` unless told `Display`, scrubbed; with a level, also emit `#[tracing::instrument]`'s `return` event at that level |
/// | `ret(fields(k = expr, …))` | span fields computed from the return value (the `Ok` value of a `Result`), bound as `ret` (a reference) in each `expr`: `ret(fields(status = ret.status, items = ret.items.len()))`. The field syntax and redaction rules of `fields(...)` (`%`, `?`, sensitive names hidden, text scrubbed); recorded before the span closes, not for an `Err` or a panic, and not evaluated at all when no subscriber records the span. Only these fields are recorded unless `Display`, `Debug` or a level is also given (`ret(Debug, fields(...))` records `return` too). A mistake in `expr` is the compiler's error at `expr` |
/// | `err`, `err = "display" \| "debug"`, `err(Display \| Debug, level = …)` | errors are always recorded; this sets how an error becomes `exception.message` (default `Display`; an error type without `Display` falls back to `Debug`, then to its type name) and the level of the `exception` event (default `ERROR`) |
/// | `parent = expr` | the span's parent (anything `Into<Option<Id>>`: `&Span`, `None` for a root), as in `#[tracing::instrument]` |
/// | `follows_from = expr` | spans the call's span follows from (an iterator of `Into<Option<Id>>`) |
/// | `skip(a, …)`, `skip_all` | accepted from `#[tracing::instrument]` and redundant (nothing is recorded unless named in `args`); `skip` must name parameters and cannot name one in `args` |
/// | `counter` / `counter = "name"` | counter `name_total` (the suffix is added once), +1 per finished call; default name `<function>_calls_total` |
/// | `histogram` / `histogram = "name"` | call duration; the unit comes from the suffix: `_seconds`, `_milliseconds`/`_ms`, `_microseconds`/`_us`, `_nanoseconds`/`_ns`; default name `<function>_duration_seconds` |
/// | `buckets = [f64, …]` | histogram buckets in the histogram's unit (default: Prometheus' defaults in that unit) |
/// | `errors` / `errors = "name"` | counter `name_total` of failed calls (errors and panics) labelled by `error_type`; default `<function>_errors_total` |
/// | `in_flight` / `in_flight = "name"` | gauge of calls in progress; default `<function>_in_flight` |
/// | `error_if = path` / `ok_if = path` | a `fn(&Ret) -> bool` that decides failure instead of `Result`-ness |
/// | `crate = path` | where the `observe` facade is, if re-exported or renamed |
/// | `skip` | on a method inside an `#[observe]` `impl` block or trait: leave it alone |
/// | `labels(k = expr, …)` | extra labels of `counter`, `histogram` and `errors`, their values the `Display` of `expr` at the start of each call; at most 100 distinct label sets per call site, later sets are counted under `other` |
/// | `slow = "250ms"` | a call that takes longer logs one WARN `slow_call` event in its span (`elapsed_ms`, `threshold_ms`, and `flow_id`, `last_step` inside a flow) and, at a call site that records metrics, adds 1 to `observe_slow_calls_total{function, module}`; its result and `error_type` are unchanged. Units `ns`, `us`, `ms`, `s`, decimals allowed (`"1.5s"`); checked at compile time. The call is timed when a subscriber listens or the site has metrics; the check is one comparison of a duration already measured |
/// | `flow` / `flow = "name"` | make each call a flow with a fresh `flow_id`: `flow_started`, `flow_completed` or `flow_failed` events, and [`step!`] inside it |
///
/// # Secret parameters
///
/// A parameter marked `#[redact]` or `#[redact(mode)]` (the modes of
/// [`derive(Redact)`](derive@Redact)), or named like a secret (`password`, `token`, `api_key`,
/// `pin`, … matched case-insensitively, also as the last words of a longer name such as
/// `db_password` or `githubToken`), is recorded redacted when listed in `args(...)`, in the span
/// and in `flow_started`. Such a parameter can never be a metric label (a compile error).
/// When the call fails, the text of its secret parameters (4 characters or more) is replaced by
/// `[REDACTED]` in `exception.message`, `otel.status_description` and `flow_failed`'s `error`.
/// References and primitives are read when the call ends; owned text (`String`), which the body
/// may have moved, is found again by a fingerprint (length and hash) taken at the start, only
/// while a subscriber could record the failure. Other owned values are left to the value
/// scrubber. In a flow, step values are scrubbed of them too (their text is kept while `DEBUG`
/// events can be recorded). Nothing is formatted for this on the success path.
///
/// Every error message, `%`/`?` field value and text field value passes through the value
/// scrubber ([`redact::scrub`]); a field whose key is a sensitive name records `[REDACTED]`.
///
/// ```
/// # use observe::observe;
/// #[observe(args(user, password, card), counter = "logins", labels(method = "password"))]
/// fn login(user: &str, password: &str, #[redact(last = 4)] card: &str) -> Result<(), String> {
///     Err(format!("wrong password {password} for {user}"))
/// }
/// // Span: user = "bob", password = [REDACTED], card = ***4242;
/// // exception.message = "wrong password [REDACTED] for bob".
/// # assert!(login("bob", "hunter22", "4242424242424242").is_err());
/// ```
///
/// # Flows
///
/// A flow call emits, as events of its span with the function's target: `flow_started`
/// (INFO; `flow`, `flow_id`, the recorded `args`), one `flow_step` per [`step!`] (DEBUG),
/// and at the end `flow_completed` (INFO; `flow`, `flow_id`, `steps`, `last_step`,
/// `elapsed_ms`) or `flow_failed` (ERROR; the same plus `error` and `error_type`, which is the
/// error's type name, `panic`, or `cancelled` for a future dropped before completion).
/// `last_step` is `"none"` before the first step.
///
/// # Metrics
///
/// `counter` and `histogram` are labelled `function`, `module` and `result`
/// (`ok`, `error`, `panic`, `cancelled`); `errors` by `function`, `module`, `error_type`
/// (the error's type name, or `panic`); `in_flight` by `function` and `module`. HELP is the
/// function's doc summary, or a generated sentence. Label children are resolved on the first
/// call of each call site; after that a call allocates nothing, takes no lock and looks up no
/// label. Functions may share a metric by naming it the same. A name already registered with
/// another type or label set is reported once (an `ERROR` event with target `observe`), and that
/// call site then does not record that metric; nothing panics.
///
/// # Span and errors
///
/// The span has `code.function.name` (`crate::module::Type::method`), `code.file.path`,
/// `code.line.number`, the `args` and `fields`. A call is a failure when it returns `Err` (any
/// `Result`, also behind aliases such as `io::Result`), when `error_if`/`ok_if` says so, or when
/// it panics. A failure sets `otel.status_code = "ERROR"`, `otel.status_description` and
/// `error.type` on the span and emits exactly one `ERROR` event with message `exception` and
/// fields `exception.type`, `exception.message`. A panic has `error.type = "panic"` and the
/// panic message, and continues unchanged. A future dropped before it completes records
/// `cancelled = true` and result `cancelled`, without error status. Success leaves the status
/// unset.
///
/// # Shapes
///
/// Free functions, every receiver (`&self`, `&mut self`, `self`, `mut self`, `self: Box<Self>`,
/// `self: Pin<&mut Self>`, `self: Arc<Self>`), `async fn` (also in traits), `#[async_trait]`
/// impls in either attribute order, functions returning `impl Future` or
/// `Pin<Box<dyn Future>>`/`BoxFuture` (the returned future is observed), generics, const
/// generics, lifetimes, `where` clauses, `impl Trait`, destructured parameters, `unsafe fn`,
/// `extern "C" fn`, `-> !`, recursion, early `return` and `?`.
///
/// The body is not wrapped in a closure. In a synchronous function, `return` and `?` are
/// routed to one point where the outcome is read; a drop guard sees panics. Async bodies run in
/// an `async move` block polled inside the span, so spans nest under the caller's span.
/// A `?` inside another macro's arguments (`format!("{}", x?)`) is not seen by the rewrite: such a
/// call is recorded as failed with `error.type = "unknown"`.
///
/// On an `impl` block or trait, every method with a body is instrumented with the block's keys;
/// a method with its own `#[observe(...)]` uses that instead, `#[observe(skip)]` opts out, and
/// `const fn` methods are left alone.
///
/// # Compile errors
///
/// Unknown keys (with a suggestion), duplicate keys, invalid metric names, a histogram without a
/// unit suffix, bad buckets, `args` naming a missing parameter, `const fn`, a method without a
/// body: each is an error on the offending token.
///
/// # Costs
///
/// - With no subscriber, a call site without metrics costs one level check over the plain
///   function (about 1 ns); `tracing`'s static level features (`tracing/max_level_off`,
///   `release_max_level_off`) remove that check too. Metrics are recorded whatever the level.
/// - A call site keeps what `tracing` last said about its span's and `exception` event's
///   callsites: when no subscriber wants either, a call without a flow records only its
///   metrics, or nothing.
/// - A call's record lives in the function's frame. An `async fn` whose body can suspend keeps
///   in its future its metric handles and start time (24 bytes), or, while a subscriber
///   listens, its record boxed (one allocation per call).
/// - A flow's frame, a call's label set and a failure's error type are boxed together: one
///   allocation per flow call while a subscriber listens, per call with `labels(...)`, and per
///   failed call while a subscriber listens. The success path of every other call allocates
///   nothing (`tests/alloc.rs` counts).
/// - `result="ok"` and `result="error"` series exist from the first call, so queries start from
///   zero; `panic` and `cancelled` appear when they first happen.
pub use observe_macros::observe;

/// Writes a redacting `Debug` for a struct or enum and implements [`Redact`](trait@Redact). It
/// replaces `#[derive(Debug)]` (deriving both is a conflict), and like it is
/// `#[automatically_derived]`: rustc's dead-code lint does not count a field as read because
/// the `Debug` shows it. `#[redact(crate = path)]` on the type names the facade if it is
/// re-exported under another path.
///
/// ```
/// use observe::Redact;
///
/// #[derive(Redact)]
/// struct Job {
///     id: u64,
///     #[redact(email)]
///     customer: String,
///     #[redact]
///     api_token: String,
///     #[redact(last = 4)]
///     card: Option<String>,
/// }
///
/// let job = Job {
///     id: 7,
///     customer: "alice@example.com".into(),
///     api_token: "tok_live_123".into(),
///     card: Some("4111111111111111".into()),
/// };
/// assert_eq!(
///     format!("{job:?}"),
///     "Job { id: 7, customer: a***@example.com, api_token: [REDACTED], card: Some(***1111) }"
/// );
/// assert_eq!(job.redacted().to_string(), format!("{job:?}"));
/// ```
///
/// | field attribute | output |
/// |---|---|
/// | `#[redact]` | `[REDACTED]` (length and content hidden) |
/// | `#[redact(partial)]` | first 3 characters + `***`; 6 characters or fewer: `[REDACTED]` |
/// | `#[redact(last = N)]` | `***` + last N characters; 2N characters or fewer: `[REDACTED]` |
/// | `#[redact(email)]` | first character of the local part + `***@` + domain; not an email: `[REDACTED]` |
/// | `#[redact(hash)]` | `hash:` + 12 hex digits of HMAC-SHA256 keyed by `OBSERVE_REDACT_KEY` (else a random key per process) |
/// | `#[redact(with = path)]` | `path(&value) -> String` |
/// | `#[redact(all)]` on the type, `#[redact(skip)]` on a field | every field redacted but the skipped ones |
///
/// Characters are Unicode scalar values, never bytes. Text modes need the field's type to be
/// `Display`; `#[redact]` works on any type. An `Option<T>` field keeps `Some(…)`/`None` with the
/// mode applied to the inner value. Redacted values are written without quotes. Struct, variant
/// and field names, and unredacted fields (with their own `Debug`), stay visible. Generic types
/// get bounds per field, as needed. Other attributes (`serde`'s among them) are ignored.
pub use observe_macros::Redact;
pub use observe_runtime::redact::{Redact, Redacted};

/// Redaction helpers for data the macros cannot see.
pub mod redact {
    pub use observe_runtime::redact::scrub::{add_sensitive_keys, is_sensitive_key, scrub};
    pub use observe_runtime::redact::REDACTED;
}

/// Records a step of the current flow (see `#[observe(flow)]`): a `DEBUG` event `flow_step`
/// with `flow`, `flow_id`, `step`, `step_index` (1 for the first step), `elapsed_ms` (since the
/// flow started) and the given fields, in `tracing` syntax.
///
/// The current flow is the innermost `#[observe(flow)]` call running on this thread: steps in
/// helpers at any depth, across `.await`, in flows interleaved by `join!` and in tasks that move
/// between threads are counted in the right flow. Outside any flow the event is still emitted,
/// without `flow` and `flow_id`. The name is a `&'static str`.
///
/// Fields follow the redaction rules of every channel: a key on the sensitive-name list
/// (`password`, `token`, `api_key`, …) records `[REDACTED]`; text values, `%value` and `?value`
/// pass through the value scrubber when formatted; numbers and `bool` stay typed; a
/// `#[derive(Redact)]` value recorded with `?` is redacted by its own `Debug`.
///
/// ```
/// use observe::{observe, step};
///
/// #[observe(flow)]
/// fn checkout(cart: &[u32]) -> Result<u32, String> {
///     step!("validated", items = cart.len());
///     let total: u32 = cart.iter().sum();
///     step!("priced", total);
///     if total == 0 {
///         return Err("empty cart".into());
///     }
///     step!("charged");
///     Ok(total)
/// }
/// # assert_eq!(checkout(&[1, 2]), Ok(3));
/// ```
pub use observe_macros::step;

/// Log lines, JSON or pretty, with the redaction rules, for `tracing-subscriber`'s `fmt` layer.
#[cfg(feature = "logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub mod logs {
    pub use observe_runtime::logs::{
        json_layer, json_layer_with, pretty_layer, pretty_layer_with, ExceptionLogs, JsonFields,
        JsonFormat, LineOptions, PrettyFormat, DEFAULT_VALUE_BUDGET,
    };
}

#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub use observe_runtime::setup::{init, Config, Error, LogFormat, Protocol, Sampler, Telemetry};

/// [`init()`], with the application's own version (its `CARGO_PKG_VERSION`) as
/// `service.version` unless one is configured: on the resource of every exported signal and
/// on `observe_build_info`. (A function cannot see its caller's package version; this macro
/// expands in the application.)
///
/// ```no_run
/// fn main() -> Result<(), observe::Error> {
///     let _telemetry = observe::init!()?;
///     Ok(())
/// }
/// ```
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
#[macro_export]
macro_rules! init {
    () => {
        $crate::Config::from_env().and_then(|config| {
            config
                .default_service_version(::core::env!("CARGO_PKG_VERSION"))
                .init()
        })
    };
}
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use observe_runtime::setup::{
    otel_context, otel_layer, otel_layer_with_processor, propagation, span_id, trace_id,
    trace_layer,
};

/// Testing your own instrumentation: run code inside [`capture`](testing::capture) (or
/// [`capture_async`](testing::capture_async)) and get back what it recorded, spans, events and
/// observe's metric increments, as the channels would show them, redaction included.
///
/// ```
/// use observe::observe;
///
/// #[observe(counter = "lookups", args(key))]
/// fn lookup(key: &str, password: &str) -> Result<usize, String> {
///     if key.is_empty() {
///         return Err(format!("no key (password {password})"));
///     }
///     Ok(key.len())
/// }
///
/// let (_, captured) = observe::testing::capture(|| lookup("", "hunter2"));
/// let span = captured.span("lookup");
/// assert!(span.is_error());
/// assert_eq!(span.field("key"), Some(""));
/// assert_eq!(span.events()[0].field("exception.message"), Some("no key (password [REDACTED])"));
/// assert_eq!(captured.counter("lookups_total", &[("result", "error")]), 1.0);
/// captured.assert_no_secret("hunter2");
/// ```
///
/// Captures are isolated: each sees only what ran inside it, on its own thread or, for
/// `capture_async`, on whichever thread polls its future, so tests that `cargo test` runs in
/// parallel never see each other's records. Inside a capture the thread's default subscriber
/// is the capture's, whatever subscriber the process installed. A capture inside a capture
/// gives the inner one its own records and the outer one everything. Outside any capture, an
/// observe call pays one relaxed atomic load for this feature (and nothing in builds without
/// it: enable it in `[dev-dependencies]` only).
///
/// Work that runs apart from the capture's closure or future, a `tokio::spawn`ed task or a
/// spawned thread, records into it once bound with [`current`](testing::current) (as a
/// subscriber is carried with `tracing`'s `with_subscriber`):
///
/// ```
/// # async fn example() {
/// use observe::testing::{capture_async, current};
/// let (_, captured) = capture_async(async {
///     let task = tokio::spawn(current().bind(async { tracing::info!("in a task") }));
///     task.await.unwrap();
///     let scope = current();
///     std::thread::spawn(move || scope.run(|| tracing::info!("on a thread")))
///         .join()
///         .unwrap();
/// })
/// .await;
/// assert_eq!(captured.events().len(), 2);
/// # }
/// # tokio::runtime::Runtime::new().unwrap().block_on(example());
/// ```
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing {
    pub use observe_runtime::testing::{
        capture, capture_async, current, CaptureScope, Captured, CapturedEvent, CapturedSpan,
    };
}

/// Readiness checks for `/health/ready`: each registered check runs, side by side with the
/// others and within a timeout, when the endpoint is asked (results reused for a second).
///
/// ```no_run
/// # async fn ping() -> Result<(), std::io::Error> { Ok(()) }
/// # fn main() -> Result<(), observe::Error> {
/// // Before `init!()` starts the endpoint: no probe finds the service ready without them.
/// observe::health::readiness("database", || async { ping().await });
/// observe::health::readiness("disk", || -> Result<(), String> {
///     std::fs::metadata("/var/lib/app").map(|_| ()).map_err(|e| e.to_string())
/// });
/// let _telemetry = observe::init!()?;
/// // GET /health/ready → 503 {"status":"not_ready","checks":{"database":"ok","disk":"error: No such file or directory (os error 2)"}}
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub mod health {
    pub use observe_runtime::health::{
        readiness, report, set_cache, set_timeout, AsyncCheck, BlockingCheck, Check, Report, State,
    };
}

/// Every `#[observe]` function of the binary, called or not (this crate's and its
/// dependencies'), and the metrics two of them declare differently.
///
/// ```
/// #[observe::observe(counter = "lookups", histogram = "lookup_ms", objective(success = 99.9, latency = "250ms"))]
/// fn lookup(key: &str) -> Result<usize, String> {
///     Ok(key.len())
/// }
///
/// let site = observe::catalog::sites()
///     .into_iter()
///     .find(|s| s.function() == "lookup")
///     .unwrap();
/// assert_eq!(site.counter(), Some("lookups_total"));
/// assert_eq!(site.histogram().unwrap().buckets[5], 250.0);
/// assert_eq!(site.objective().unwrap().success, Some(99.9));
/// assert!(observe::catalog::conflicts().is_empty());
/// ```
pub mod catalog {
    pub use observe_runtime::catalog::{conflicts, sites, Conflict, Histogram, Objective, Site};
    pub use observe_runtime::metrics::Unit;
}

/// A Grafana dashboard and Prometheus rules written from the catalog (feature `setup`).
///
/// ```no_run
/// std::fs::write("grafana-dashboard.json", observe::dashboards::grafana())?;
/// std::fs::write("prometheus-rules.yml", observe::dashboards::prometheus_rules())?;
/// std::fs::write(
///     "prometheus-rules.test.yml",
///     observe::dashboards::prometheus_rules_test("prometheus-rules.yml"),
/// )?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub mod dashboards {
    pub use observe_runtime::dashboards::{grafana, prometheus_rules, prometheus_rules_test};
}

/// The HTTP edge (feature `http`; `axum` for axum's routes and peer addresses):
/// [`http::ServerLayer`] and [`http::ClientLayer`], `tower` layers with OpenTelemetry's HTTP
/// conventions and observe's redaction. See the runtime's `observe_runtime::http` for what each
/// records.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use axum::{routing::get, Router};
///
/// let app: Router = Router::new()
///     .route("/orders/{id}", get(|| async { "order" }))
///     .layer(observe::http::ServerLayer::new());
/// # }
/// ```
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http {
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub use observe_runtime::http::ReqwestMiddleware;
    pub use observe_runtime::http::{Client, ClientLayer, Server, ServerLayer, REQUEST_ID};
}

/// Prometheus metrics recorded by `#[observe]`.
pub mod metrics {
    pub use observe_runtime::metrics::{
        registry, render, render_openmetrics, set_created_samples, set_registry, CONTENT_TYPE,
        OPENMETRICS_CONTENT_TYPE,
    };
}

#[doc(hidden)]
pub mod __private {
    pub use observe_runtime::__private::*;
}
