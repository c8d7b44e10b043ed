//! The Lambda function (`bootstrap`): JSON logs, settings checked once at cold start,
//! each scheduled invocation returns the run result.

use fedramp_inventory::function::{handle, settings_from_env};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .init();
    let settings = settings_from_env(|k| std::env::var(k).ok())?;
    let settings = &settings;
    lambda_runtime::run(service_fn(
        move |_event: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, Error>(handle(settings).await)
        },
    ))
    .await
}
