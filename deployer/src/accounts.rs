//! Reaching the management account and each member account.

use aws_config::SdkConfig;
use fedramp_inventory::aws::{assume_role, caller, AwsSettings, Caller};

use crate::config::DeployConfig;

/// The management account's session and who it is, checked against the settings: a
/// deploy into the wrong account is refused before anything is created.
pub async fn management(config: &DeployConfig) -> anyhow::Result<(SdkConfig, Caller)> {
    let base = AwsSettings {
        profile: config.profile.clone(),
        region: Some(config.management.region.clone()),
        ..AwsSettings::default()
    }
    .load()
    .await?;
    let me = caller(&base, config.profile.as_deref()).await?;
    if me.account != config.management.account_id {
        anyhow::bail!(
            "the AWS credentials are for account {}, but management.account-id is {}: nothing was changed",
            me.account,
            config.management.account_id
        );
    }
    Ok((base, me))
}

/// Who the deployment is for: the partition and, when the management account is in
/// an organization, its id (the roles' trust and permissions are kept inside it).
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub partition: String,
    pub organization_id: String,
}

/// The organization's id; empty when the account is in none. Organization mode needs
/// one, so there its absence is an error.
pub async fn scope(
    config: &DeployConfig,
    base: &SdkConfig,
    partition: &str,
) -> anyhow::Result<Scope> {
    let described = aws_sdk_organizations::Client::new(base)
        .describe_organization()
        .send()
        .await;
    let organization_id = match described {
        Ok(d) => d
            .organization()
            .and_then(|o| o.id())
            .unwrap_or_default()
            .to_string(),
        Err(e) if config.members.organization => anyhow::bail!(
            "members.organization is true, but organizations:DescribeOrganization failed: {}",
            fedramp_inventory::aws::describe(&e)
        ),
        Err(_) => String::new(),
    };
    Ok(Scope {
        partition: partition.to_string(),
        organization_id,
    })
}

/// Member account ids: the list, or the organization's active accounts other than
/// the management account (the collector reads that one with its own role).
pub async fn members(config: &DeployConfig, base: &SdkConfig) -> anyhow::Result<Vec<String>> {
    if !config.members.organization {
        return Ok(config
            .members
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect());
    }
    let accounts = fedramp_inventory::reader::config::organization_accounts(base)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(accounts
        .into_iter()
        .map(|a| a.id)
        .filter(|id| *id != config.management.account_id)
        .collect())
}

/// A session in a member account: its named profile, or the access role in a session
/// named after who deploys (`me`), so the member account's CloudTrail ties each change
/// to a person.
pub async fn member_session(
    config: &DeployConfig,
    base: &SdkConfig,
    me: &Caller,
    account: &str,
) -> Result<SdkConfig, String> {
    let region = &config.management.region;
    if let Some(profile) = config.member_access.profiles.get(account) {
        let settings = AwsSettings {
            profile: Some(profile.clone()),
            region: Some(region.clone()),
            ..AwsSettings::default()
        };
        return settings.load().await.map_err(|e| e.to_string());
    }
    let role = format!(
        "arn:{}:iam::{account}:role/{}",
        me.partition, config.member_access.role
    );
    let session = format!("fedramp-deploy-{}", me.name);
    assume_role(base, &role, None, region, &session).await
}
