//! Settings shared by the CLI, the Lambda's environment and the deployer's YAML: each
//! is a library type with one parser (`FromStr`), and serde goes through that parser,
//! so a value that the function would refuse at cold start fails `fedramp-deploy plan`.

/// `impl Deserialize` through the type's `FromStr`, naming the accepted values.
macro_rules! deserialize_from_str {
    ($t:ty) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use deserialize_from_str;

/// A setting that is one of a few names (`key`: the setting's name in messages,
/// `expected`: the names as the error lists them): `name()`, `Display`, `FromStr` (any
/// case, trimmed) and `Deserialize` through it, from one list of variants and names.
macro_rules! named_setting {
    ($t:ident, $key:literal, $expected:literal, $($variant:ident => $name:literal),+) => {
        impl $t {
            pub fn name(self) -> &'static str {
                match self {
                    $($t::$variant => $name),+
                }
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $t {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                let wanted = text.trim().to_ascii_lowercase();
                [$($t::$variant),+]
                    .into_iter()
                    .find(|s| s.name() == wanted)
                    .ok_or_else(|| format!(concat!($key, ": expected ", $expected, ", found {:?}"), text))
            }
        }

        deserialize_from_str!($t);
    };
}

/// `a, b,c` -> [a, b, c].
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The role the collector assumes in every member account, unless told otherwise.
pub const DEFAULT_MEMBER_ROLE_NAME: &str = "InventoryCollector-for-Lambda";

/// The Config APIs the collector limits its rate on, each per account (or aggregator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    /// `SelectResourceConfig` and `SelectAggregateResourceConfig`.
    Select,
    /// `ListDiscoveredResources`, `BatchGetResourceConfig` and their aggregate forms.
    BatchGet,
    /// `DescribeConfigurationRecorders`/`…Status`, `DescribeConfigurationAggregatorSourcesStatus`.
    Describe,
}

impl Api {
    const ALL: [(Api, &'static str); 3] = [
        (Api::Select, "select"),
        (Api::BatchGet, "batch-get"),
        (Api::Describe, "describe"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("", |(_, n)| n)
    }
}

/// Calls per second per account (or aggregator) for each [`Api`]: the `rates` setting,
/// `select=8,batch-get=15,describe=8` by default.
///
/// Where the defaults come from: AWS publishes no per-API rate for Config's read APIs.
/// AWS's own Workload Discovery on AWS holds itself to 8 `SelectAggregateResourceConfig`
/// and 15 `BatchGetAggregateResourceConfig` calls a second (after its users met "Rate
/// exceeded" above that); the same figures serve the per-account forms, and the
/// recorder descriptions, a handful of calls per target, take the select figure.
/// An organization whose quotas were raised sets higher ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    pub select: f64,
    pub batch_get: f64,
    pub describe: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            select: 8.0,
            batch_get: 15.0,
            describe: 8.0,
        }
    }
}

impl Rates {
    pub fn per_second(&self, api: Api) -> f64 {
        match api {
            Api::Select => self.select,
            Api::BatchGet => self.batch_get,
            Api::Describe => self.describe,
        }
    }

    /// Each of `n` readers' share of rates they all count against (a fan-out's
    /// children reading one aggregator), so together they stay within them.
    pub fn shared_by(&self, n: usize) -> Rates {
        let n = n.max(1) as f64;
        Rates {
            select: self.select / n,
            batch_get: self.batch_get / n,
            describe: self.describe / n,
        }
    }
}

impl std::fmt::Display for Rates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = Api::ALL
            .iter()
            .map(|(api, name)| format!("{name}={}", self.per_second(*api)))
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl std::str::FromStr for Rates {
    type Err = String;

    /// `select=8,batch-get=15`: the APIs named are set, the others keep their default.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut rates = Rates::default();
        for part in split_list(text) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("rates: expected API=CALLS_PER_SECOND, found {part:?}"))?;
            let api = Api::ALL
                .iter()
                .find(|(_, n)| *n == name.trim())
                .map(|(a, _)| *a)
                .ok_or_else(|| {
                    format!("rates: unknown API {name:?}; expected select, batch-get or describe")
                })?;
            let n: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.1 && *n <= 10_000.0)
                .ok_or_else(|| {
                    format!(
                        "rates: {name} expects calls per second from 0.1 to 10000, found {value:?}"
                    )
                })?;
            match api {
                Api::Select => rates.select = n,
                Api::BatchGet => rates.batch_get = n,
                Api::Describe => rates.describe = n,
            }
        }
        Ok(rates)
    }
}
deserialize_from_str!(Rates);

impl serde::Serialize for Rates {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Where the scan columns come from: the `scan-coverage` setting (`none`: the
/// `in-latest-scan` tag alone; `inspector`: Amazon Inspector's `ListCoverage` in every
/// target account and region).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScanSource {
    #[default]
    None,
    Inspector,
}

named_setting!(ScanSource, "scan-coverage", "none or inspector", None => "none", Inspector => "inspector");

/// Whether the types AWS Config does not record (ElastiCache clusters and replication
/// groups, EKS node groups) are read from their own APIs, which needs the member role in
/// each account: the `service-reads` setting. `off` leaves them out on purpose; the run
/// says so instead of counting a missing role as a failure on every run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServiceReads {
    #[default]
    MemberRoles,
    Off,
}

named_setting!(
    ServiceReads,
    "service-reads",
    "member-roles or off",
    MemberRoles => "member-roles",
    Off => "off"
);

/// Whether the network facts (security groups, subnets, VPCs, route tables, internet
/// gateways, network ACLs, load-balancer listeners) are read: the `network` setting.
/// They feed the ports, protocols and services, the permitted connections and the
/// boundary diagram; `off` leaves them unread, and each run names them as not read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Network {
    #[default]
    On,
    Off,
}

named_setting!(Network, "network", "on or off", On => "on", Off => "off");

/// Which resources the run lists: the `scope` setting. `boundary` lists the types
/// with a mapper as workbook rows (and reads the network facts); `all` also lists every
/// other resource AWS Config records, of any type, as an information resource (CR26's
/// MAS-CSO-IIR and KSI-PIY-GIV count IAM roles, keys, trails and the rest), read with
/// only the envelope Config keeps for every type so the cost stays low.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Boundary,
    All,
}

named_setting!(Scope, "scope", "boundary or all", Boundary => "boundary", All => "all");

/// Whether a scheduled run spreads over AWS Step Functions (a Distributed Map of the
/// function): the `fan-out` setting. `off` reads in one function, as a small
/// organization needs; `on` always fans out; `auto` fans out only when the planned
/// targets pass what one function reads in time ([`FanOut::fans_out`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FanOut {
    #[default]
    Off,
    On,
    Auto,
}

named_setting!(FanOut, "fan-out", "off, on or auto", Off => "off", On => "on", Auto => "auto");

/// The targets past which `auto` fans out: half of what one function was measured to
/// read in its 15 minutes under AWS's rates (docs/benchmarks.md's capacity table,
/// `make bench-collect`: about 4,900 accounts x 4 regions in list mode, 1,500 x 4 in
/// aggregator mode), so a month's growth or a slower API still fits.
pub const AUTO_FAN_OUT_TARGETS: usize = 9_800;
pub const AUTO_FAN_OUT_SHARDS: usize = 3_000;

/// How a fanned-out run is spread: the `fan-out` setting, the Distributed Map's
/// `MaxConcurrency` (`fan-out-concurrency`, the template's and the function's alike: an
/// aggregator's rates are shared by that many children), and the most account-regions
/// (or aggregator shards) one batch holds (`fan-out-batch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FanOutSettings {
    pub mode: FanOut,
    pub concurrency: usize,
    pub batch: usize,
}

/// A child reads 1,000 account-regions in about a minute at the measured 20 a second
/// (list mode), far inside its 15 minutes, and the manifest's items stay far under
/// Step Functions' 256 KiB each.
pub const DEFAULT_FAN_OUT_BATCH: usize = 1_000;
/// Ten children at once: 10 x 64 concurrent reads is well within STS's and Config's
/// per-account rates, which each account-region meets in one child only.
pub const DEFAULT_FAN_OUT_CONCURRENCY: usize = 10;

impl Default for FanOutSettings {
    fn default() -> Self {
        FanOutSettings {
            mode: FanOut::Off,
            concurrency: DEFAULT_FAN_OUT_CONCURRENCY,
            batch: DEFAULT_FAN_OUT_BATCH,
        }
    }
}

impl FanOut {
    /// Whether a run of `targets` account-regions (or aggregator shards: `aggregator`)
    /// fans out.
    pub fn fans_out(self, targets: usize, aggregator: bool) -> bool {
        let most = if aggregator {
            AUTO_FAN_OUT_SHARDS
        } else {
            AUTO_FAN_OUT_TARGETS
        };
        match self {
            FanOut::Off => false,
            FanOut::On => true,
            FanOut::Auto => targets > most,
        }
    }
}

/// How many days back a scan counts as the latest: the `scan-period` setting. 30 is
/// the monthly continuous-monitoring cycle; FedRAMP's 2026 rules ask class B and C
/// providers to verify machine resources every 7 or 3 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanPeriod(u32);

impl ScanPeriod {
    pub const MAX_DAYS: u32 = 366;

    pub fn days(self) -> u32 {
        self.0
    }
}

impl Default for ScanPeriod {
    fn default() -> Self {
        ScanPeriod(30)
    }
}

impl std::fmt::Display for ScanPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for ScanPeriod {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(d))
            .map(ScanPeriod)
            .ok_or_else(|| {
                format!(
                    "scan-period: expected whole days from 1 to {}, found {text:?}",
                    Self::MAX_DAYS
                )
            })
    }
}

/// A number in YAML (`scan-period: 7`) or text; either way through [`FromStr`].
impl<'de> serde::Deserialize<'de> for ScanPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_yaml::Value::deserialize(d)?;
        let text = match &value {
            serde_yaml::Value::Number(n) => n.to_string(),
            serde_yaml::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for ScanPeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl serde::Serialize for ScanSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_name_the_default_and_refuse_nonsense() {
        let r: Rates = "select=2, describe=1.5".parse().unwrap();
        assert_eq!((r.select, r.batch_get, r.describe), (2.0, 15.0, 1.5));
        assert_eq!(
            Rates::default().to_string(),
            "select=8,batch-get=15,describe=8"
        );
        assert_eq!(
            Rates::default().to_string().parse::<Rates>(),
            Ok(Rates::default())
        );
        for bad in ["select", "select=0", "select=x", "list=3", "select=inf"] {
            assert!(bad.parse::<Rates>().is_err(), "{bad}");
        }
    }

    #[test]
    fn scan_settings_parse_through_one_type() {
        assert_eq!("Inspector".parse(), Ok(ScanSource::Inspector));
        assert_eq!(ScanSource::default().to_string(), "none");
        assert!("qualys".parse::<ScanSource>().is_err());
        assert_eq!(ScanPeriod::default().days(), 30);
        assert_eq!("7".parse::<ScanPeriod>().map(ScanPeriod::days), Ok(7));
        for bad in ["0", "367", "-3", "7.5", "week"] {
            assert!(bad.parse::<ScanPeriod>().is_err(), "{bad}");
        }
        let p: ScanPeriod = serde_yaml::from_str("3").unwrap();
        assert_eq!(p.days(), 3);
        let q: ScanPeriod = serde_yaml::from_str("\"14\"").unwrap();
        assert_eq!(q.days(), 14);
        assert!(serde_yaml::from_str::<ScanPeriod>("400").is_err());
    }

    #[test]
    fn network_parses_through_one_type() {
        assert_eq!(Network::default().to_string(), "on");
        assert_eq!("Off".parse(), Ok(Network::Off));
        let e = "maybe".parse::<Network>().unwrap_err();
        assert!(e.contains("on or off"), "{e}");
        let y: Network = serde_yaml::from_str("off").unwrap();
        assert_eq!(y, Network::Off);
    }

    #[test]
    fn scope_parses_through_one_type() {
        assert_eq!(Scope::default().to_string(), "boundary");
        assert_eq!(" ALL".parse(), Ok(Scope::All));
        let e = "everything".parse::<Scope>().unwrap_err();
        assert!(e.contains("scope: expected boundary or all"), "{e}");
        let y: Scope = serde_yaml::from_str("all").unwrap();
        assert_eq!(y, Scope::All);
    }

    #[test]
    fn service_reads_parse_through_one_type() {
        assert_eq!(ServiceReads::default().to_string(), "member-roles");
        assert_eq!("OFF".parse(), Ok(ServiceReads::Off));
        assert_eq!(" member-roles".parse(), Ok(ServiceReads::MemberRoles));
        let e = "yes".parse::<ServiceReads>().unwrap_err();
        assert!(e.contains("member-roles or off"), "{e}");
        let y: ServiceReads = serde_yaml::from_str("off").unwrap();
        assert_eq!(y, ServiceReads::Off);
    }
}
