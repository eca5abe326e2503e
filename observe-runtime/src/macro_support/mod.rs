//! What the code `#[observe]` generates calls into besides the call's record: compile-time
//! questions about the user's types (`probe`) and the `?` of a synchronous body routed to the
//! call's one exit (`question_mark`).

pub(crate) mod probe;
pub(crate) mod question_mark;
