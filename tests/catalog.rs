//! The catalog: every `#[observe]` function of the binary, called or not, and the metrics two
//! of them declare differently; the dashboards and rules leave the second declaration out.
#![cfg(feature = "setup")]

use observe::observe;

/// Looks an order up.
#[expect(dead_code, reason = "never called: the catalog lists it all the same")]
#[observe(counter = "cat_lookups", histogram = "cat_lookup_ms", errors, in_flight, labels(region = region))]
fn lookup(region: &str) -> Result<u32, String> {
    Ok(region.len() as u32)
}

// The same histogram name as `lookup`, without its label: the registry keeps the first.
#[expect(dead_code, reason = "never called")]
#[observe(histogram = "cat_lookup_ms", buckets = [1.0, 2.0])]
fn lookup_again() {}

#[expect(dead_code, reason = "never called")]
#[observe]
fn span_only() {}

#[test]
fn every_site_is_listed_called_or_not() {
    let sites = observe::catalog::sites();
    let find = |name: &str| sites.iter().find(|s| s.function() == name).copied();
    let lookup = find("lookup").expect("listed though never called");
    assert_eq!(lookup.module(), "catalog");
    assert_eq!(lookup.counter(), Some("cat_lookups_total"));
    assert_eq!(lookup.errors(), Some("lookup_errors_total"));
    assert_eq!(lookup.in_flight(), Some("lookup_in_flight"));
    assert_eq!(lookup.labels(), ["region"]);
    assert_eq!(lookup.help(), Some("Looks an order up."));
    let histogram = lookup.histogram().unwrap();
    assert_eq!(histogram.unit, observe::catalog::Unit::Milliseconds);
    assert_eq!(histogram.buckets.len(), 11, "the default buckets");
    assert!(find("span_only").is_some_and(|s| s.counter().is_none() && s.histogram().is_none()));
    assert!(lookup.location().0.ends_with("catalog.rs"));
}

#[test]
fn a_metric_declared_twice_differently_is_reported_and_left_out() {
    let conflicts = observe::catalog::conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let conflict = &conflicts[0];
    assert_eq!(conflict.metric, "cat_lookup_ms");
    assert_eq!(conflict.kept, "catalog::lookup");
    assert_eq!(conflict.other, "catalog::lookup_again");
    assert!(
        conflict
            .reason
            .starts_with("labels function, module, region, result there"),
        "{}",
        conflict.reason
    );

    let dashboard: serde_json::Value =
        serde_json::from_str(&observe::dashboards::grafana()).unwrap();
    let rows: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "row")
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        rows,
        ["lookup (catalog)"],
        "lookup_again's only metric is left out"
    );
    let rules = observe::dashboards::prometheus_rules();
    assert!(!rules.contains("lookup_again"), "{rules}");
    assert!(
        rules.contains("record: \"function:cat_lookups:rate5m\""),
        "{rules}"
    );
}
