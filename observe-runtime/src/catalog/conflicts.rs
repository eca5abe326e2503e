//! Metrics two call sites declare differently: the same name as another type, with other
//! labels, another unit or other buckets. The registry keeps the first declaration (and the
//! other call site logs a `metric conflict` and records nothing under that name); the catalog
//! says which sites disagree, so generated dashboards and rules can leave them out.

use std::collections::BTreeMap;

use super::{sites, Site};

/// One metric name declared differently by two call sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The metric name.
    pub metric: String,
    /// The call site whose declaration stands (first by module and function): `module::function`.
    pub kept: String,
    /// The call site that declares it otherwise.
    pub other: String,
    /// How they differ.
    pub reason: String,
}

/// What a call site declares a metric as.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Declared {
    pub(crate) kind: &'static str,
    pub(crate) labels: Vec<&'static str>,
    pub(crate) buckets: Vec<f64>,
}

/// The metrics `site` declares: name and declaration.
pub(crate) fn declared(site: &Site) -> Vec<(&'static str, Declared)> {
    let with = |last: &'static str| {
        let mut labels = vec!["function", "module"];
        labels.extend(site.labels());
        labels.push(last);
        labels
    };
    let mut out = Vec::new();
    if let Some(name) = site.counter() {
        out.push((
            name,
            Declared {
                kind: "counter",
                labels: with("result"),
                buckets: Vec::new(),
            },
        ));
    }
    if let Some(h) = site.histogram() {
        out.push((
            h.name,
            Declared {
                kind: "histogram",
                labels: with("result"),
                buckets: h.buckets,
            },
        ));
    }
    if let Some(name) = site.errors() {
        out.push((
            name,
            Declared {
                kind: "counter",
                labels: with("error_type"),
                buckets: Vec::new(),
            },
        ));
    }
    if let Some(name) = site.in_flight() {
        out.push((
            name,
            Declared {
                kind: "gauge",
                labels: vec!["function", "module"],
                buckets: Vec::new(),
            },
        ));
    }
    out
}

/// Every metric declared differently by two call sites of the binary.
pub fn conflicts() -> Vec<Conflict> {
    conflicts_among(&sites())
}

pub(crate) fn conflicts_among(sites: &[Site]) -> Vec<Conflict> {
    let mut first: BTreeMap<&str, (String, Declared)> = BTreeMap::new();
    let mut found = Vec::new();
    for site in sites {
        let who = format!("{}::{}", site.module(), site.function());
        for (name, declared) in declared(site) {
            match first.get(name) {
                None => {
                    first.insert(name, (who.clone(), declared));
                }
                Some((kept, existing)) if *existing != declared => found.push(Conflict {
                    metric: name.to_owned(),
                    kept: kept.clone(),
                    other: who.clone(),
                    reason: difference(existing, &declared),
                }),
                Some(_) => {}
            }
        }
    }
    found
}

fn difference(kept: &Declared, other: &Declared) -> String {
    if kept.kind != other.kind {
        format!("a {} there, a {} here", kept.kind, other.kind)
    } else if kept.labels != other.labels {
        format!(
            "labels {} there, {} here",
            kept.labels.join(", "),
            other.labels.join(", ")
        )
    } else {
        format!("buckets {:?} there, {:?} here", kept.buckets, other.buckets)
    }
}
