//! Exports oxredis's command and pipeline spans (cargo feature `tracing`) as OpenTelemetry
//! spans to stdout: a `tracing` subscriber with the `tracing-opentelemetry` layer, over an
//! OpenTelemetry SDK tracer whose exporter prints each span.
//!
//! ```text
//! cargo run -p oxredis-otel-stdout -- redis://127.0.0.1:6379
//! ```
//! Each span prints with `db.system.name = redis`, `db.operation.name`, `db.namespace`,
//! `server.address`, `server.port` (and `db.operation.batch.size` for the pipeline), named after
//! the command, of kind Client; no key or value appears.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let tracer = provider.tracer("oxredis-otel-stdout");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));

    let outcome = tracing::subscriber::with_default(subscriber, || -> oxredis::Result<()> {
        let r = oxredis::Redis::from_url(&url)?;
        r.set("otel:example", "a value that is never recorded")?;
        let v: Option<String> = r.get("otel:example")?;
        println!("GET otel:example -> {v:?}");
        let replies = r
            .pipeline(true)
            .incr("otel:counter")
            .expire("otel:counter", 60)
            .execute()?;
        println!("MULTI/EXEC -> {replies:?}");
        Ok(())
    });
    // Flushes the exporter: every span is printed before the process ends.
    provider.shutdown()?;
    outcome?;
    Ok(())
}
