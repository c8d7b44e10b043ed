//! The one seam to AWS: every client is built from one `SdkConfig` that honours the
//! usual profile, region and endpoint settings (`AWS_PROFILE`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`), so the same code talks to AWS, to GovCloud, or to a local AWS
//! in tests.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;

/// Where to reach AWS; empty fields fall back to the environment and profile files.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// FIPS endpoints for every client; `None`: on in the `aws-us-gov` partition (its
    /// regions start with `us-gov-`), else as `AWS_USE_FIPS_ENDPOINT` says.
    pub fips: Option<bool>,
}

/// Whether a region's clients use FIPS endpoints by default: in GovCloud, yes.
pub fn fips_by_default(region: &str) -> bool {
    region.starts_with("us-gov-")
}

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("no AWS region configured: set AWS_REGION or pass --region")]
    NoRegion,
    /// No credentials could be loaded, or AWS refused them: one line saying what to do.
    #[error("{0}")]
    Credentials(String),
    #[error("{0}")]
    Call(String),
}

/// The message for credentials that could not be loaded at all.
pub const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_PROFILE, run 'aws sso login --profile NAME', or pass --profile";

/// Error codes with which AWS refuses the credentials themselves (not a permission).
const REFUSED: [&str; 6] = [
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
];

impl AwsSettings {
    pub async fn load(&self) -> Result<SdkConfig, AwsError> {
        // Config's select calls are throttled at a low rate per account; concurrent
        // readers back off and retry (adaptive mode slows the client when throttled)
        // rather than report an account as failed after three tries.
        // AWS_MAX_ATTEMPTS, the SDK's own setting, wins when given.
        let attempts = std::env::var("AWS_MAX_ATTEMPTS")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(8);
        let retry = aws_config::retry::RetryConfig::adaptive().with_max_attempts(attempts);
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &self.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &self.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        // Built with `fips-tls`: TLS on the FIPS-validated AWS-LC module.
        #[cfg(feature = "fips-tls")]
        {
            use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
            loader = loader.http_client(
                aws_smithy_http_client::Builder::new()
                    .tls_provider(Provider::Rustls(CryptoMode::AwsLcFips))
                    .build_https(),
            );
        }
        let config = loader.load().await;
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(AwsError::NoRegion);
        };
        let fips = self
            .fips
            .or_else(|| fips_by_default(&region).then_some(true));
        Ok(match fips {
            Some(on) => config.to_builder().use_fips(on).build(),
            None => config,
        })
    }
}

/// The error text of an SDK call: the service's code and message when it answered
/// (`AccessDeniedException: User is not authorized ...`), else the failure with its
/// causes (a refused connection, a timeout).
pub fn describe<E, R>(e: &aws_sdk_sts::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match e {
        aws_sdk_sts::error::SdkError::ServiceError(s) => {
            let err = s.err();
            format!(
                "{}: {}",
                err.code().unwrap_or("error"),
                err.message().unwrap_or("no message")
            )
        }
        other => describe_chain(other),
    }
}

/// An environment variable that is set and not blank.
fn env_set(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The profile in use by name: `--profile`, else `AWS_PROFILE`, as the SDK reads them.
fn named_profile(profile: Option<&str>) -> Option<String> {
    profile.map(String::from).or_else(|| env_set("AWS_PROFILE"))
}

/// Where the credentials in use come from, for messages: the profile named, else the
/// environment's keys, else the default profile.
fn credentials_source(profile: Option<&str>) -> String {
    match named_profile(profile) {
        Some(p) => format!("profile {p:?}"),
        None if env_set("AWS_ACCESS_KEY_ID").is_some() => "AWS_ACCESS_KEY_ID".into(),
        None => "the default profile".into(),
    }
}

/// Sorts a failed first call into the credentials' own problems and the rest: no
/// credentials at all, a profile that is not there, credentials AWS refused.
fn credentials_error<E, R>(
    e: &aws_sdk_sts::error::SdkError<E, R>,
    profile: Option<&str>,
) -> Option<AwsError>
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let aws_sdk_sts::error::SdkError::ServiceError(s) = e {
        let code = s.err().code().unwrap_or_default();
        return REFUSED.contains(&code).then(|| {
            let source = credentials_source(profile);
            let how = match source.strip_prefix("profile ") {
                Some(p) => format!(
                    "run 'aws sso login --profile {}' or renew its keys",
                    p.trim_matches('"')
                ),
                None => "renew them, or pass --profile".into(),
            };
            AwsError::Credentials(format!(
                "AWS refused the credentials of {source} ({code}: {}): {how}",
                s.err().message().unwrap_or("no message")
            ))
        });
    }
    // A credentials provider that found nothing fails the call before it is sent.
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(missing) =
            c.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
        {
            return Some(AwsError::Credentials(match named_profile(profile) {
                Some(p) => format!(
                    "no AWS credentials for profile {p:?} ({}): check that ~/.aws/config defines it, or run 'aws sso login --profile {p}'",
                    first_line(&describe_chain(missing))
                ),
                None => NO_CREDENTIALS.into(),
            }));
        }
        cause = c.source();
    }
    None
}

fn describe_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Who the credentials are, from their ARN.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    /// `aws`, `aws-us-gov` or `aws-cn`.
    pub partition: String,
    /// The user, or the role session: what session names carry into member accounts.
    pub name: String,
}

/// The caller's account, partition and name: the first call of every command, so
/// missing or refused credentials are said here, in one line, naming `profile` (the
/// one passed with `--profile`; `AWS_PROFILE` is read as the SDK reads it).
pub async fn caller(config: &SdkConfig, profile: Option<&str>) -> Result<Caller, AwsError> {
    let me = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            credentials_error(&e, profile).unwrap_or_else(|| {
                AwsError::Call(format!("sts:GetCallerIdentity failed: {}", describe(&e)))
            })
        })?;
    let arn = me.arn().unwrap_or_default();
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string();
    Ok(Caller {
        account: me.account().unwrap_or_default().to_string(),
        partition,
        name: caller_name(arn).to_string(),
    })
}

/// A config for `region` acting as `role_arn` (with `external_id` when the role asks),
/// in a session named `session` (what the member account's CloudTrail shows).
pub async fn assume_role(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    region: &str,
    session: &str,
) -> Result<SdkConfig, String> {
    let credentials = assumed(base, role_arn, external_id, &session_name(session)).await?;
    Ok(base
        .to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .region(Region::new(region.to_string()))
        .build())
}

/// One `sts:AssumeRole`: the role's credentials, with their expiry.
async fn assumed(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    session: &str,
) -> Result<Credentials, String> {
    let out = aws_sdk_sts::Client::new(base)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session)
        .set_external_id(external_id.map(String::from))
        .send()
        .await
        .map_err(|e| format!("sts:AssumeRole {role_arn} failed: {}", describe(&e)))?;
    let c = out
        .credentials()
        .ok_or_else(|| format!("sts:AssumeRole {role_arn} returned no credentials"))?;
    let expiry = std::time::SystemTime::try_from(c.expiration().to_owned()).ok();
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        expiry,
        "assumed-role",
    ))
}

/// Assumed-role credentials, one session per role (so per member account), shared by
/// every region's clients of that account and assumed again shortly before they
/// expire. AssumeRole is called once per account, not once per account and region; a
/// role that could not be assumed is not tried again in the same run (its other
/// regions fail with the same cause at once, instead of each waiting on STS).
pub struct RoleSessions {
    base: SdkConfig,
    external_id: Option<String>,
    session: String,
    cells: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Assumed>>>>>,
}

type Assumed = Result<Credentials, String>;

/// How long before expiry credentials are assumed again: past any one call's retries.
const REFRESH_BEFORE: std::time::Duration = std::time::Duration::from_secs(5 * 60);

impl RoleSessions {
    pub fn new(base: &SdkConfig, external_id: Option<String>, session: &str) -> Self {
        RoleSessions {
            base: base.clone(),
            external_id,
            session: session_name(session),
            cells: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The role's credentials: the cached ones while they are good for more than
    /// [`REFRESH_BEFORE`], else newly assumed (one caller at a time per role).
    pub async fn credentials(&self, role_arn: &str) -> Result<Credentials, String> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(cells.entry(role_arn.to_string()).or_default())
        };
        let mut cached = cell.lock().await;
        match cached.as_ref() {
            Some(Err(m)) => return Err(m.clone()),
            Some(Ok(c))
                if c.expiry()
                    .is_none_or(|at| at > std::time::SystemTime::now() + REFRESH_BEFORE) =>
            {
                return Ok(c.clone())
            }
            _ => {}
        }
        let credentials = assumed(
            &self.base,
            role_arn,
            self.external_id.as_deref(),
            &self.session,
        )
        .await;
        *cached = Some(credentials.clone());
        credentials
    }

    /// A config for `region` acting as the role: its credentials are asked of this
    /// cache whenever the client's own cache finds them near expiry. The role is
    /// assumed here first, so a role that cannot be assumed fails at this stage.
    pub async fn config(
        self: &Arc<Self>,
        role_arn: &str,
        region: &str,
    ) -> Result<SdkConfig, String> {
        self.credentials(role_arn).await?;
        let provider = RoleProvider {
            sessions: Arc::clone(self),
            role_arn: role_arn.to_string(),
        };
        Ok(self
            .base
            .to_builder()
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                provider,
            ))
            .region(Region::new(region.to_string()))
            .build())
    }
}

#[derive(Debug)]
struct RoleProvider {
    sessions: Arc<RoleSessions>,
    role_arn: String,
}

impl std::fmt::Debug for RoleSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleSessions")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl aws_credential_types::provider::ProvideCredentials for RoleProvider {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            self.sessions
                .credentials(&self.role_arn)
                .await
                .map_err(aws_credential_types::provider::error::CredentialsError::provider_error)
        })
    }
}

/// A valid role session name: the characters STS allows (`[\w+=,.@-]`), at most 64.
pub fn session_name(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if clean.len() < 2 {
        "fedramp-inventory".into()
    } else {
        clean
    }
}

/// The caller's name for session names: the user, or the role session, from its ARN.
pub fn caller_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The same identity in another region.
pub fn in_region(base: &SdkConfig, region: &str) -> SdkConfig {
    base.to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// S3 with path-style addressing when an endpoint is set: a local AWS has no
/// per-bucket host names.
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let builder =
        aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fips_is_on_in_govcloud_unless_said_otherwise() {
        let load = |region: &str, fips: Option<bool>| AwsSettings {
            region: Some(region.into()),
            fips,
            ..AwsSettings::default()
        };
        assert_eq!(
            load("us-gov-west-1", None).load().await.unwrap().use_fips(),
            Some(true)
        );
        assert_eq!(
            load("us-gov-west-1", Some(false))
                .load()
                .await
                .unwrap()
                .use_fips(),
            Some(false)
        );
        assert_eq!(
            load("us-east-1", Some(true))
                .load()
                .await
                .unwrap()
                .use_fips(),
            Some(true)
        );
        assert!(!fips_by_default("us-east-1"));
        assert_eq!(
            session_name("fedramp-deploy-alice smith!"),
            "fedramp-deploy-alice-smith-"
        );
        assert_eq!(session_name(&"x".repeat(80)).len(), 64);
        assert_eq!(
            caller_name("arn:aws:sts::1:assumed-role/Admin/alice@example.com"),
            "alice@example.com"
        );
    }
}
