//! The Grafana dashboard: one row per function, panels 8 columns wide, three to a line.

use serde_json::{json, Value};

use super::{budget, functions, service_name, Function};
use crate::info::Unit;

/// The dashboard JSON schema version (Grafana 11 writes 39; 12 reads it as is).
const SCHEMA_VERSION: u32 = 39;

/// Grafana's unit id for a histogram unit.
fn grafana_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Seconds => "s",
        Unit::Milliseconds => "ms",
        Unit::Microseconds => "µs",
        Unit::Nanoseconds => "ns",
    }
}

/// Lays panels out: a row header, then panels 8 wide, three per line.
struct Layout {
    panels: Vec<Value>,
    y: u32,
    x: u32,
    id: u32,
}

impl Layout {
    fn row(&mut self, title: &str) {
        if self.x > 0 {
            self.y += 8;
            self.x = 0;
        }
        self.id += 1;
        self.panels.push(json!({
            "type": "row", "id": self.id, "title": title, "collapsed": false,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []
        }));
        self.y += 1;
    }

    fn panel(&mut self, kind: &str, title: &str, unit: &str, targets: &[(&str, String)]) {
        if self.x >= 24 {
            self.x = 0;
            self.y += 8;
        }
        self.id += 1;
        let targets: Vec<Value> = targets
            .iter()
            .enumerate()
            .map(|(i, (legend, expr))| {
                json!({
                    "refId": char::from(b'A' + i as u8).to_string(),
                    "datasource": {"type": "prometheus", "uid": "${datasource}"},
                    "expr": expr, "legendFormat": legend, "range": true
                })
            })
            .collect();
        self.panels.push(json!({
            "type": kind, "id": self.id, "title": title,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 8, "x": self.x, "y": self.y},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": true}},
            "targets": targets
        }));
        self.x += 8;
    }
}

const RATE: &str = "$__rate_interval";

// Input:  process_job (counter, histogram in ms, errors, in-flight, objective)
// Output: a row "process_job (worker)" with panels: calls per second by result, error ratio,
//         latency p50/p95/p99 (ms), in flight, errors by type, success budget left (30d),
//         latency budget left (30d)
fn function_rows(layout: &mut Layout, f: &Function) {
    layout.row(&f.title());
    let sel = f.selector(true, "");
    if let Some((all, failed)) = f.failed(true) {
        layout.panel(
            "timeseries",
            "Calls per second by result",
            "reqps",
            &[(
                "{{result}}",
                format!("sum by (result) (rate({all}[{RATE}]))"),
            )],
        );
        layout.panel(
            "timeseries",
            "Error ratio (error, panic)",
            "percentunit",
            &[(
                "failed",
                format!("sum(rate({failed}[{RATE}])) / sum(rate({all}[{RATE}]))"),
            )],
        );
    }
    if let Some(h) = &f.histogram {
        let quantile = |q: f64| {
            format!(
                "histogram_quantile({q}, sum by (le) (rate({}_bucket{sel}[{RATE}])))",
                h.name
            )
        };
        layout.panel(
            "timeseries",
            &format!("Latency ({})", h.unit.word()),
            grafana_unit(h.unit),
            &[
                ("p50", quantile(0.5)),
                ("p95", quantile(0.95)),
                ("p99", quantile(0.99)),
            ],
        );
    }
    if let Some(gauge) = f.in_flight {
        layout.panel(
            "timeseries",
            "In flight",
            "short",
            &[("in flight", format!("sum({gauge}{sel})"))],
        );
    }
    if let Some(errors) = f.errors {
        layout.panel(
            "timeseries",
            "Errors per second by type",
            "reqps",
            &[(
                "{{error_type}}",
                format!("sum by (error_type) (rate({errors}{sel}[{RATE}]))"),
            )],
        );
    }
    let Some(objective) = f.objective else { return };
    if let (Some(success), Some((all, failed))) = (objective.success, f.failed(true)) {
        let allowed = budget(success);
        layout.panel(
            "stat",
            &format!("Success budget left, 30 days ({success}%)"),
            "percentunit",
            &[(
                "budget left",
                format!(
                    "1 - (sum(increase({failed}[30d])) / sum(increase({all}[30d]))) / {allowed}"
                ),
            )],
        );
    }
    if let (Some((_, text)), Some((name, le))) = (objective.latency, f.latency_bucket()) {
        let allowed = budget(objective.latency_target);
        let fast = f.selector(true, &le);
        layout.panel(
            "stat",
            &format!("Latency budget left, 30 days ({}% under {text})", objective.latency_target),
            "percentunit",
            &[(
                "budget left",
                format!(
                    "1 - (1 - sum(increase({name}_bucket{fast}[30d])) / sum(increase({name}_count{sel}[30d]))) / {allowed}"
                ),
            )],
        );
    }
}

// Input:  a binary that made a ServerLayer and a ClientLayer
// Output: a row "HTTP server": requests per second by route and status, 5xx ratio by route,
//         p50/p95/p99 by route, active requests; a row "HTTP client": requests per second by
//         server and status, p95 by server
fn http_rows(layout: &mut Layout, server: bool, client: bool) {
    let job = "job=~\"$job\"";
    if server {
        let h = "http_server_request_duration_seconds";
        layout.row("HTTP server");
        layout.panel(
            "timeseries",
            "Requests per second by route and status",
            "reqps",
            &[(
                "{{http_route}} {{http_response_status_code}}",
                format!("sum by (http_route, http_response_status_code) (rate({h}_count{{{job}}}[{RATE}]))"),
            )],
        );
        layout.panel(
            "timeseries",
            "Failed requests ratio by route (5xx, handler errors)",
            "percentunit",
            &[(
                "{{http_route}}",
                format!("sum by (http_route) (rate({h}_count{{{job},error_type!=\"\"}}[{RATE}])) / sum by (http_route) (rate({h}_count{{{job}}}[{RATE}]))"),
            )],
        );
        let quantile = |q: f64| {
            format!("histogram_quantile({q}, sum by (http_route, le) (rate({h}_bucket{{{job}}}[{RATE}])))")
        };
        layout.panel(
            "timeseries",
            "Latency by route",
            "s",
            &[
                ("p50 {{http_route}}", quantile(0.5)),
                ("p95 {{http_route}}", quantile(0.95)),
                ("p99 {{http_route}}", quantile(0.99)),
            ],
        );
        layout.panel(
            "timeseries",
            "Active requests",
            "short",
            &[(
                "active",
                format!("sum(http_server_active_requests{{{job}}})"),
            )],
        );
    }
    if client {
        let h = "http_client_request_duration_seconds";
        layout.row("HTTP client");
        layout.panel(
            "timeseries",
            "Outgoing requests per second by server and status",
            "reqps",
            &[(
                "{{server_address}} {{http_response_status_code}}",
                format!("sum by (server_address, http_response_status_code) (rate({h}_count{{{job}}}[{RATE}]))"),
            )],
        );
        layout.panel(
            "timeseries",
            "Outgoing latency by server (p95)",
            "s",
            &[(
                "{{server_address}}",
                format!("histogram_quantile(0.95, sum by (server_address, le) (rate({h}_bucket{{{job}}}[{RATE}])))"),
            )],
        );
    }
}

/// The Grafana dashboard (JSON): a RED row per function; `datasource` and `job` variables.
pub fn grafana() -> String {
    let service = service_name();
    let mut layout = Layout {
        panels: Vec::new(),
        y: 0,
        x: 0,
        id: 0,
    };
    let (server, client) = crate::catalog::http_edge();
    if server || client {
        http_rows(&mut layout, server, client);
    }
    for f in functions() {
        function_rows(&mut layout, &f);
    }
    let dashboard = json!({
        "title": format!("{service} (observe)"),
        "uid": uid(&service),
        "tags": ["observe"],
        "description": "Generated by observe::dashboards::grafana() from the #[observe] functions of the binary.",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": true,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0},
            {"name": "job", "label": "Job", "type": "query",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "query": {"query": "label_values(observe_build_info, job)", "refId": "job"},
             "definition": "label_values(observe_build_info, job)",
             "includeAll": true, "multi": true, "allValue": ".*", "refresh": 2,
             "current": {"text": "All", "value": "$__all"}}
        ]},
        "panels": layout.panels
    });
    serde_json::to_string_pretty(&dashboard).unwrap_or_default()
}

/// A dashboard uid (at most 40 characters of `[a-zA-Z0-9_-]`) from the service name.
fn uid(service: &str) -> String {
    let cleaned: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(32)
        .collect();
    format!("observe-{cleaned}")
}
