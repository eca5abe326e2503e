//! Reading gathered metric families whatever features the application's graph enables on
//! `prometheus`.
//!
//! `prometheus::proto` is two different models: with the crate's default `protobuf` feature it
//! is rust-protobuf's generated code (`get_counter()` returns a `MessageField<Counter>` and
//! `Counter` has `value()`); without it, a plain model (`get_counter()` returns `&Counter`,
//! which has `get_value()` only). observe cannot choose: the feature is decided by whoever
//! else depends on `prometheus`. So this module reads values through methods both models
//! answer, and through the two traits below where they differ.
//!
//! How the traits work: a method call prefers an inherent method to a trait method of the
//! same name. [`CounterValue::value`] and [`GaugeValue::value`] are therefore only reached
//! when `Counter`/`Gauge` have no inherent `value()` (the plain model), and then call the
//! inherent `get_value()`. With the protobuf model the inherent `value()` wins, and the
//! [`PlainGetValue::get_value`] fallback exists only so that the trait bodies compile there.
//! `untyped` values have no accessor in common (a field in one model, a method in the other),
//! so untyped families, which only hand-written collectors produce, are skipped.

use prometheus::proto::{Counter, Gauge, Metric};

/// The value of a counter sample, in both models.
pub(crate) fn counter(sample: &Metric) -> f64 {
    #[allow(unused_imports)]
    use compat::CounterValue as _;
    sample.get_counter().value()
}

/// The value of a gauge sample, in both models.
pub(crate) fn gauge(sample: &Metric) -> f64 {
    #[allow(unused_imports)]
    use compat::GaugeValue as _;
    sample.get_gauge().value()
}

mod compat {
    use super::{Counter, Gauge};

    /// `value()` for the plain model's `Counter` (unused with the protobuf model).
    #[allow(dead_code)]
    pub(crate) trait CounterValue {
        fn value(&self) -> f64;
    }

    /// `value()` for the plain model's `Gauge` (unused with the protobuf model).
    #[allow(dead_code)]
    pub(crate) trait GaugeValue {
        fn value(&self) -> f64;
    }

    /// Only reached with the protobuf model, where nothing calls the traits above.
    #[allow(dead_code)]
    pub(crate) trait PlainGetValue {
        fn get_value(&self) -> f64 {
            0.0
        }
    }

    impl PlainGetValue for Counter {}
    impl PlainGetValue for Gauge {}

    impl CounterValue for Counter {
        #[allow(unused_imports)]
        fn value(&self) -> f64 {
            use PlainGetValue as _;
            self.get_value()
        }
    }

    impl GaugeValue for Gauge {
        #[allow(unused_imports)]
        fn value(&self) -> f64 {
            use PlainGetValue as _;
            self.get_value()
        }
    }
}

#[cfg(test)]
mod tests {
    use prometheus::{IntCounter, IntGauge, Registry};

    #[test]
    fn counter_and_gauge_values_read_back() {
        let registry = Registry::new();
        let counter = IntCounter::new("model_counter", "c").unwrap();
        let gauge = IntGauge::new("model_gauge", "g").unwrap();
        registry.register(Box::new(counter.clone())).unwrap();
        registry.register(Box::new(gauge.clone())).unwrap();
        counter.inc_by(3);
        gauge.set(-2);
        let families = registry.gather();
        let value = |name: &str, read: fn(&prometheus::proto::Metric) -> f64| {
            let family = families.iter().find(|f| f.name() == name).unwrap();
            read(&family.get_metric()[0])
        };
        assert_eq!(value("model_counter", super::counter), 3.0);
        assert_eq!(value("model_gauge", super::gauge), -2.0);
    }
}
