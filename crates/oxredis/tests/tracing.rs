//! The `tracing` feature's spans: one per command and per pipeline, with OpenTelemetry's
//! database attribute names and no argument values (run with `--features tracing`; without
//! the feature this file compiles to no test, so `--test '*'` runs still work).
#![cfg(feature = "tracing")]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use oxredis::{aio, ErrorKind, Redis};
use oxredis_test_support::RedisServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span as recorded: its name and fields as text.
#[derive(Debug, Clone, PartialEq)]
struct Captured {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").replace('"', ""),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// A subscriber that keeps every span with its fields.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<Captured>>>,
    next: Arc<AtomicU64>,
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(Captured {
            name: attrs.metadata().name(),
            fields,
        });
        self.next.fetch_add(1, Ordering::Relaxed);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let s = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut s.fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const SECRET: &str = "s3cret-value";

/// The fields every span has, for a server on `port`.
fn common(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("db.system.name", "redis".into()),
        ("db.namespace", "0".into()),
        ("otel.kind", "client".into()),
        ("server.address", "127.0.0.1".into()),
        ("server.port", port.to_string()),
    ]
}

fn check(spans: &[Captured], port: u16) {
    let names: Vec<(&str, Option<&str>)> = spans
        .iter()
        .map(|s| (s.name, s.get("db.operation.name")))
        .collect();
    assert_eq!(
        names,
        vec![
            ("redis.command", Some("SET")),
            ("redis.command", Some("GET")),
            ("redis.command", Some("INCR")),
            ("redis.pipeline", Some("PIPELINE")),
            ("redis.pipeline", Some("MULTI")),
        ]
    );
    for s in spans {
        for (field, want) in common(port) {
            assert_eq!(s.get(field), Some(want.as_str()), "{field} of {s:?}");
        }
        assert_eq!(s.get("otel.name"), s.get("db.operation.name"));
        // No argument value anywhere: neither the key nor the value.
        for v in s.fields.values() {
            assert!(!v.contains(SECRET) && !v.contains("trace:k"), "{s:?}");
        }
    }
    assert_eq!(spans[0].get("error.type"), None);
    assert_eq!(
        spans[2].get("error.type"),
        Some("Response"),
        "INCR of a string"
    );
    assert_eq!(spans[3].get("db.operation.batch.size"), Some("3"));
    assert_eq!(spans[4].get("db.operation.batch.size"), Some("2"));
}

#[test]
fn blocking_commands_and_pipelines_get_spans_with_otel_names_and_no_arguments() {
    let server = RedisServer::new();
    let r = Redis::from_url(&server.url()).unwrap();
    let rec = Recorder::default();
    tracing::subscriber::with_default(rec.clone(), || {
        r.set("trace:k", SECRET).unwrap();
        let v: Option<String> = r.get("trace:k").unwrap();
        assert_eq!(v.as_deref(), Some(SECRET));
        assert_eq!(r.incr("trace:k").unwrap_err().kind(), ErrorKind::Response);
        let got = r
            .pipeline(false)
            .get("trace:k")
            .strlen("trace:k")
            .exists("trace:k")
            .execute()
            .unwrap();
        assert_eq!(got.len(), 3);
        let got = r
            .pipeline(true)
            .get("trace:k")
            .get("trace:k")
            .execute()
            .unwrap();
        assert_eq!(got.len(), 2);
    });
    check(&rec.spans.lock().unwrap(), server.port());
}

#[test]
fn async_commands_and_pipelines_get_spans_with_otel_names_and_no_arguments() {
    let server = RedisServer::new();
    let rec = Recorder::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(rec.clone(), || {
        rt.block_on(async {
            let r = aio::Redis::from_url(&server.url()).unwrap();
            r.set("trace:k", SECRET).await.unwrap();
            let v: Option<String> = r.get("trace:k").await.unwrap();
            assert_eq!(v.as_deref(), Some(SECRET));
            assert_eq!(
                r.incr("trace:k").await.unwrap_err().kind(),
                ErrorKind::Response
            );
            let got = r
                .pipeline(false)
                .get("trace:k")
                .strlen("trace:k")
                .exists("trace:k")
                .execute()
                .await
                .unwrap();
            assert_eq!(got.len(), 3);
            let got = r
                .pipeline(true)
                .get("trace:k")
                .get("trace:k")
                .execute()
                .await
                .unwrap();
            assert_eq!(got.len(), 2);
        })
    });
    check(&rec.spans.lock().unwrap(), server.port());
}
