//! The Lambda function (`bootstrap`): JSON logs, settings checked once at cold start,
//! each invocation a whole run (the schedule's event) or a fanned-out run's step; a
//! failed run is an error.

use fedramp_inventory::function::{deadline_margin, invoke, settings_from_env};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .init();
    let settings = settings_from_env(|k| std::env::var(k).ok())?;
    let margin = deadline_margin(|k| std::env::var(k).ok())?;
    let settings = &settings;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let deadline = Some(event.context.deadline());
            invoke(settings, &event.payload, deadline, margin).await
        },
    ))
    .await
}
