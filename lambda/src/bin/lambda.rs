//! The Lambda function (`bootstrap`): JSON logs, settings checked once at cold start,
//! each scheduled invocation returns the run result (a failed run is an error).

use fedramp_inventory::function::{deadline_margin, handle, settings_from_env};
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
            Ok::<_, Error>(handle(settings, deadline, margin).await?)
        },
    ))
    .await
}
