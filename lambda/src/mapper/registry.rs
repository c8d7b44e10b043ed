//! Every supported resource type, as data. Adding a type is one entry here (starting
//! from [`BASE`]), at most one small function in its family's file, and one real item
//! under `tests/fixtures/config-types/`.

use super::conf::Conf;
use super::{compute, ssm_inventory, storage, Draft, HostFacts, MapContext};
use super::{containers, databases, edge, load_balancer, messaging, network, serverless};
use crate::fields::Field;
use crate::item::ConfigItem;

/// How items of a type are read, live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// Config's advanced query (`SelectResourceConfig`).
    Select,
    /// Recorded (in the Config API's `ResourceType` enum), but not returned by the
    /// advanced query: `ListDiscoveredResources` then `BatchGetResourceConfig`.
    BatchGet,
    /// Not recorded by AWS Config at all: read from the service's own API in every
    /// target account and region, and made into items of the same shape.
    Service(ServiceRead),
}

/// The service APIs that stand in for Config where it records nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceRead {
    ElastiCacheClusters,
    ElastiCacheReplicationGroups,
    EksNodegroups,
}

impl ServiceRead {
    /// The IAM actions this read calls, as the templates grant them.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            ServiceRead::ElastiCacheClusters => &[
                "elasticache:DescribeCacheClusters",
                "elasticache:ListTagsForResource",
            ],
            ServiceRead::ElastiCacheReplicationGroups => &[
                "elasticache:DescribeReplicationGroups",
                "elasticache:ListTagsForResource",
            ],
            ServiceRead::EksNodegroups => &[
                "eks:ListClusters",
                "eks:ListNodegroups",
                "eks:DescribeNodegroup",
            ],
        }
    }
}

impl Read {
    pub fn describe(self) -> &'static str {
        match self {
            Read::Select => "advanced query",
            Read::BatchGet => "batch get",
            Read::Service(ServiceRead::ElastiCacheClusters) => {
                "ElastiCache API (not recorded by Config)"
            }
            Read::Service(ServiceRead::ElastiCacheReplicationGroups) => {
                "ElastiCache API (not recorded by Config)"
            }
            Read::Service(ServiceRead::EksNodegroups) => "EKS API (not recorded by Config)",
        }
    }
}

/// The Public column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Public {
    Yes,
    No,
    /// Decided by the type's function from what the item records (named here, for the
    /// warning when the item does not record it: the cell then stays empty).
    Rule(&'static str),
}

/// The Location column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The item's region.
    Region,
    /// A global service: "global".
    Global,
    /// The first of these configuration paths (then the item's `availabilityZone`) that
    /// holds a real zone, else the region.
    Zone(&'static [&'static str]),
}

/// Rows an item gives, for the `types` listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    One,
    PerAddress,
    PerContainer,
    /// SSM inventory: fills its instance's rows, or one of its own; plus one per
    /// installed package the software setting selects.
    JoinsInstance,
}

impl Rows {
    pub fn describe(self) -> &'static str {
        match self {
            Rows::One => "1",
            Rows::PerAddress => "1 per address (1 if none)",
            Rows::PerContainer => "1 per container",
            Rows::JoinsInstance => "joins its EC2 instance; + 1 per selected package",
        }
    }
}

type HostFn = fn(&ConfigItem, &mut Conf<'_>, &MapContext) -> Option<HostFacts>;

/// One supported resource type.
pub struct Mapper {
    pub resource_type: &'static str,
    /// The Asset Type column.
    pub asset_type: &'static str,
    pub read: Read,
    /// Configuration paths of the identifier, tried in order after the item's ARN (or
    /// before it, for [`Self::short_id`] types).
    pub id: &'static [&'static str],
    /// EC2-style resources are known by their short id (`i-…`, `h-…`), not their ARN.
    pub short_id: bool,
    /// Authenticated Scan: "Yes" only where the CSP administers an operating system.
    pub scan: bool,
    /// A physical server (Virtual "No").
    pub physical: bool,
    pub public: Public,
    pub location: Location,
    /// Configuration paths tried in order for these columns (lists are joined for VLAN).
    pub dns: &'static [&'static str],
    pub hardware: &'static [&'static str],
    pub vlan: &'static [&'static str],
    /// Software/Database Vendor and a fixed Name & Version ("" = none).
    pub vendor: &'static str,
    pub software: &'static str,
    pub rows: Rows,
    /// The columns [`Self::fill`] may set, for the `types` listing.
    pub fills: &'static [Field],
    /// What is particular to the type.
    pub fill: Option<fn(&mut Draft<'_>)>,
    /// For SSM items, which describe a host rather than being an asset.
    pub host: Option<HostFn>,
}

impl Mapper {
    /// The columns every item of this type fills (tag-driven columns aside).
    pub fn columns(&self) -> Vec<Field> {
        if self.host.is_some() {
            let mut fields = vec![
                Field::AssetId,
                Field::AssetType,
                Field::Location,
                Field::Comments,
            ];
            fields.extend(self.fills.iter().copied());
            fields.sort();
            return fields;
        }
        let mut fields = vec![
            Field::AssetId,
            Field::Virtual,
            Field::AuthenticatedScan,
            Field::Location,
            Field::AssetType,
            Field::Comments,
        ];
        if !matches!(self.public, Public::Rule(_)) || self.fill.is_some() {
            fields.push(Field::Public);
        }
        let declared = [
            (!self.dns.is_empty(), Field::Dns),
            (!self.hardware.is_empty(), Field::HardwareModel),
            (!self.vlan.is_empty(), Field::Vlan),
            (!self.vendor.is_empty(), Field::SoftwareVendor),
            (!self.software.is_empty(), Field::SoftwareNameVersion),
            (
                matches!(self.rows, Rows::PerAddress | Rows::JoinsInstance),
                Field::Ip,
            ),
        ];
        fields.extend(declared.iter().filter(|(on, _)| *on).map(|(_, f)| *f));
        fields.extend(self.fills.iter().copied());
        fields.sort();
        fields.dedup();
        fields
    }
}

/// What most types share: a managed AWS service, not scanned, private, in its region,
/// one row, known by its ARN.
pub const BASE: Mapper = Mapper {
    resource_type: "",
    asset_type: "",
    read: Read::Select,
    id: &[],
    short_id: false,
    scan: false,
    physical: false,
    public: Public::No,
    location: Location::Region,
    dns: &[],
    hardware: &[],
    vlan: &[],
    vendor: "AWS",
    software: "",
    rows: Rows::One,
    fills: &[],
    fill: None,
    host: None,
};

use Field::*;

/// Every supported resource type. The first five are the original ones; the order is
/// otherwise by family and only matters to the `types` listing.
pub const REGISTRY: &[Mapper] = &[
    Mapper {
        resource_type: "AWS::EC2::Instance",
        asset_type: "EC2",
        id: &["instanceId"],
        short_id: true,
        scan: true,
        public: Public::Rule("a public address or public DNS name"),
        location: Location::Zone(&["placement.availabilityZone"]),
        hardware: &["instanceType"],
        vlan: &["vpcId"],
        vendor: "",
        rows: Rows::PerAddress,
        fills: &[Dns, Mac, Baseline, OsNameVersion],
        fill: Some(compute::ec2_instance),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ElasticLoadBalancing::LoadBalancer",
        asset_type: "Load Balancer-Classic",
        public: Public::Rule("scheme"),
        dns: &["dnsname"],
        vlan: &["vpcid"],
        vendor: "",
        rows: Rows::PerAddress,
        fill: Some(load_balancer::any),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        asset_type: "Load Balancer",
        id: &["loadBalancerArn"],
        public: Public::Rule("scheme"),
        dns: &["dNSName"],
        vlan: &["vpcId"],
        vendor: "",
        rows: Rows::PerAddress,
        fills: &[AssetType],
        fill: Some(load_balancer::v2),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::RDS::DBInstance",
        asset_type: "RDS",
        id: &["dBInstanceArn"],
        public: Public::Rule("publiclyAccessible"),
        location: Location::Zone(&["availabilityZone"]),
        dns: &["endpoint.address"],
        hardware: &["dBInstanceClass"],
        vlan: &["dBSubnetGroup.vpcId"],
        fills: &[SoftwareNameVersion],
        fill: Some(databases::rds_instance),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::DynamoDB::Table",
        asset_type: "DynamoDB",
        id: &["tableArn"],
        software: "DynamoDB",
        ..BASE
    },
    // Compute
    Mapper {
        resource_type: "AWS::EC2::Host",
        asset_type: "EC2 Dedicated Host",
        id: &["hostId"],
        short_id: true,
        physical: true,
        location: Location::Zone(&["availabilityZone"]),
        vendor: "",
        fills: &[HardwareModel, SerialAssetTag],
        fill: Some(compute::ec2_host),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::WorkSpaces::Workspace",
        asset_type: "WorkSpace",
        id: &["WorkspaceId", "Id"],
        scan: true,
        hardware: &["WorkspaceProperties.ComputeTypeName"],
        vendor: "",
        rows: Rows::PerAddress,
        fills: &[Baseline, NetBios],
        fill: Some(compute::workspace),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::SageMaker::NotebookInstance",
        asset_type: "SageMaker Notebook",
        id: &["NotebookInstanceArn"],
        hardware: &["InstanceType"],
        vlan: &["SubnetId"],
        software: "SageMaker Notebook",
        fill: Some(compute::sagemaker_notebook),
        ..BASE
    },
    // Networking
    Mapper {
        resource_type: "AWS::EC2::NetworkInterface",
        asset_type: "Network Interface",
        id: &["networkInterfaceId"],
        short_id: true,
        public: Public::Rule("a public address"),
        location: Location::Zone(&["availabilityZone"]),
        vlan: &["vpcId"],
        vendor: "",
        rows: Rows::PerAddress,
        fills: &[Dns, Mac],
        fill: Some(network::network_interface),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EC2::EIP",
        asset_type: "Elastic IP",
        id: &["allocationId"],
        short_id: true,
        public: Public::Yes,
        vendor: "",
        rows: Rows::PerAddress,
        fill: Some(network::elastic_ip),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EC2::NatGateway",
        asset_type: "NAT Gateway",
        id: &["natGatewayId"],
        public: Public::Rule("connectivityType"),
        vlan: &["vpcId"],
        software: "NAT Gateway",
        rows: Rows::PerAddress,
        fill: Some(network::nat_gateway),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::Route53Resolver::ResolverEndpoint",
        asset_type: "Route 53 Resolver Endpoint",
        // In the Config API's enum, not in the advanced-query schema.
        read: Read::BatchGet,
        id: &["Arn"],
        vlan: &["HostVPCId"],
        software: "Route 53 Resolver",
        rows: Rows::PerAddress,
        fills: &[Comments],
        fill: Some(network::resolver_endpoint),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EC2::VPCEndpoint",
        asset_type: "VPC Endpoint",
        id: &["vpcEndpointId"],
        hardware: &["vpcEndpointType"],
        vlan: &["vpcId"],
        fills: &[Dns, SoftwareNameVersion],
        fill: Some(network::vpc_endpoint),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EC2::VPNConnection",
        asset_type: "Site-to-Site VPN",
        id: &["vpnConnectionId"],
        public: Public::Yes,
        hardware: &["type"],
        vlan: &["vpnGatewayId", "transitGatewayId"],
        software: "Site-to-Site VPN",
        rows: Rows::PerAddress,
        fill: Some(network::vpn_connection),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EC2::ClientVpnEndpoint",
        asset_type: "Client VPN Endpoint",
        id: &["ClientVpnEndpointId", "Id"],
        public: Public::Yes,
        vlan: &["VpcId"],
        software: "Client VPN",
        fills: &[HardwareModel],
        fill: Some(network::client_vpn),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::NetworkFirewall::Firewall",
        asset_type: "Network Firewall",
        id: &["firewall.firewallArn", "FirewallArn"],
        vlan: &["firewall.vpcId", "VpcId"],
        software: "Network Firewall",
        fills: &[Baseline],
        fill: Some(network::network_firewall),
        ..BASE
    },
    // Load balancing and edge
    Mapper {
        resource_type: "AWS::CloudFront::Distribution",
        asset_type: "CloudFront",
        public: Public::Yes,
        location: Location::Global,
        dns: &["domainName"],
        software: "CloudFront",
        fill: Some(edge::cloudfront),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::GlobalAccelerator::Accelerator",
        asset_type: "Global Accelerator",
        id: &["AcceleratorArn"],
        public: Public::Yes,
        location: Location::Global,
        dns: &["DnsName"],
        software: "Global Accelerator",
        rows: Rows::PerAddress,
        fill: Some(edge::global_accelerator),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::Route53::HostedZone",
        asset_type: "Route 53 Hosted Zone",
        public: Public::Rule("VPCs"),
        location: Location::Global,
        dns: &["Name"],
        vlan: &["VPCs"],
        software: "Route 53",
        fills: &[AssetId],
        fill: Some(edge::hosted_zone),
        ..BASE
    },
    // Databases and search
    Mapper {
        resource_type: "AWS::RDS::DBCluster",
        asset_type: "RDS",
        id: &["dbclusterArn", "dBClusterArn"],
        public: Public::Rule("publiclyAccessible"),
        fills: &[Dns, HardwareModel, SoftwareNameVersion],
        fill: Some(databases::rds_cluster),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::Redshift::Cluster",
        asset_type: "Redshift",
        id: &["clusterNamespaceArn"],
        public: Public::Rule("publiclyAccessible"),
        location: Location::Zone(&["availabilityZone"]),
        dns: &["endpoint.address"],
        vlan: &["vpcId"],
        rows: Rows::PerAddress,
        fills: &[HardwareModel, SoftwareNameVersion],
        fill: Some(databases::redshift),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ElastiCache::CacheCluster",
        asset_type: "ElastiCache",
        read: Read::Service(ServiceRead::ElastiCacheClusters),
        id: &["aRN", "arn"],
        location: Location::Zone(&["preferredAvailabilityZone"]),
        dns: &["configurationEndpoint.address"],
        fills: &[Dns, HardwareModel, SoftwareNameVersion],
        fill: Some(databases::cache_cluster),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ElastiCache::ReplicationGroup",
        asset_type: "ElastiCache",
        read: Read::Service(ServiceRead::ElastiCacheReplicationGroups),
        id: &["aRN", "arn"],
        dns: &["configurationEndpoint.address"],
        hardware: &["cacheNodeType"],
        fills: &[Dns, SoftwareNameVersion],
        fill: Some(databases::replication_group),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::DMS::ReplicationInstance",
        asset_type: "DMS Replication Instance",
        id: &["ReplicationInstanceArn", "ReplicationInstanceIdentifier"],
        public: Public::Rule("PubliclyAccessible"),
        location: Location::Zone(&["AvailabilityZone"]),
        hardware: &["ReplicationInstanceClass"],
        rows: Rows::PerAddress,
        fills: &[SoftwareNameVersion],
        fill: Some(databases::dms),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::Elasticsearch::Domain",
        asset_type: "OpenSearch",
        id: &["arn"],
        public: Public::Rule("vpcoptions"),
        vlan: &["vpcoptions.vpcid"],
        fills: &[Dns, HardwareModel, SoftwareNameVersion],
        fill: Some(databases::elasticsearch),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::OpenSearch::Domain",
        asset_type: "OpenSearch",
        id: &["Arn", "DomainArn"],
        public: Public::Rule("VPCOptions"),
        vlan: &["VPCOptions.SubnetIds"],
        fills: &[Dns, HardwareModel, SoftwareNameVersion],
        fill: Some(databases::opensearch),
        ..BASE
    },
    // Containers
    Mapper {
        resource_type: "AWS::EKS::Cluster",
        asset_type: "EKS",
        id: &["Arn"],
        public: Public::Rule("ResourcesVpcConfig.EndpointPublicAccess"),
        dns: &["Endpoint"],
        vlan: &["ResourcesVpcConfig.VpcId", "ResourcesVpcConfig.SubnetIds"],
        fills: &[SoftwareNameVersion],
        fill: Some(containers::eks_cluster),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EKS::Nodegroup",
        asset_type: "EKS Node Group",
        read: Read::Service(ServiceRead::EksNodegroups),
        id: &["NodegroupArn", "Arn"],
        hardware: &["InstanceTypes"],
        vlan: &["Subnets"],
        fills: &[HardwareModel, SoftwareNameVersion, Baseline],
        fill: Some(containers::eks_nodegroup),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ECS::Cluster",
        asset_type: "ECS Cluster",
        id: &["Arn"],
        software: "ECS",
        fills: &[HardwareModel],
        fill: Some(containers::ecs_cluster),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ECS::Service",
        asset_type: "ECS Service",
        id: &["ServiceArn"],
        public: Public::Rule("NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"),
        vlan: &["NetworkConfiguration.AwsvpcConfiguration.Subnets"],
        fills: &[HardwareModel, SoftwareNameVersion, Baseline],
        fill: Some(containers::ecs_service),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ECS::TaskDefinition",
        asset_type: "Container",
        rows: Rows::PerContainer,
        fills: &[HardwareModel, SoftwareVendor, SoftwareNameVersion, Baseline],
        fill: Some(containers::task_definition),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ECR::Repository",
        asset_type: "ECR Repository",
        id: &["Arn"],
        dns: &["RepositoryUri"],
        software: "ECR",
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ECR::PublicRepository",
        asset_type: "ECR Public Repository",
        id: &["Arn"],
        public: Public::Yes,
        software: "ECR Public",
        fills: &[HardwareModel, OsNameVersion],
        fill: Some(containers::ecr_public),
        ..BASE
    },
    // Serverless and application platforms
    Mapper {
        resource_type: "AWS::Lambda::Function",
        asset_type: "Lambda",
        id: &["functionArn"],
        vlan: &["vpcConfig.vpcId", "vpcConfig.subnetIds"],
        fills: &[HardwareModel, SoftwareNameVersion],
        fill: Some(serverless::lambda_function),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ApiGateway::RestApi",
        asset_type: "API Gateway",
        public: Public::Rule("endpointConfiguration.types"),
        software: "REST",
        fills: &[Dns],
        fill: Some(serverless::rest_api),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ApiGateway::Stage",
        asset_type: "API Gateway Stage",
        public: Public::Rule("its REST API's endpoint type (see the API's own row)"),
        software: "REST stage",
        fills: &[Dns, HardwareModel],
        fill: Some(serverless::rest_stage),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ApiGatewayV2::Api",
        asset_type: "API Gateway",
        public: Public::Rule("disableExecuteApiEndpoint"),
        dns: &["apiEndpoint"],
        fills: &[SoftwareNameVersion],
        fill: Some(serverless::http_api),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::AppSync::GraphQLApi",
        asset_type: "AppSync API",
        id: &["Arn"],
        public: Public::Rule("Visibility"),
        dns: &["GraphQLUrl"],
        software: "AppSync GraphQL",
        fill: Some(serverless::appsync),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::AppRunner::Service",
        asset_type: "App Runner Service",
        id: &["ServiceArn"],
        public: Public::Rule("NetworkConfiguration.IngressConfiguration"),
        dns: &["ServiceUrl"],
        vlan: &["NetworkConfiguration.EgressConfiguration.VpcConnectorArn"],
        fills: &[HardwareModel, SoftwareNameVersion],
        fill: Some(serverless::app_runner),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::ElasticBeanstalk::Environment",
        asset_type: "Elastic Beanstalk Environment",
        id: &["environmentArn"],
        public: Public::Rule("its load balancer's scheme (see that load balancer's row)"),
        dns: &["cNAME"],
        fills: &[SoftwareNameVersion, Baseline],
        fill: Some(serverless::beanstalk),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::StepFunctions::StateMachine",
        asset_type: "Step Functions",
        id: &["Arn"],
        fills: &[SoftwareNameVersion],
        fill: Some(serverless::state_machine),
        ..BASE
    },
    // Storage
    Mapper {
        resource_type: "AWS::S3::Bucket",
        asset_type: "S3",
        public: Public::Rule("supplementaryConfiguration (public access block, policy, ACL)"),
        software: "S3",
        fills: &[AssetId, Dns],
        fill: Some(storage::s3_bucket),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::EFS::FileSystem",
        asset_type: "EFS",
        id: &["Arn", "FileSystemArn"],
        software: "EFS",
        fills: &[Dns, HardwareModel],
        fill: Some(storage::efs),
        ..BASE
    },
    // Messaging and streaming
    Mapper {
        resource_type: "AWS::SQS::Queue",
        asset_type: "SQS",
        id: &["QueueArn", "Arn"],
        dns: &["QueueUrl"],
        software: "SQS",
        ..BASE
    },
    Mapper {
        resource_type: "AWS::SNS::Topic",
        asset_type: "SNS",
        id: &["TopicArn"],
        software: "SNS",
        ..BASE
    },
    Mapper {
        resource_type: "AWS::Kinesis::Stream",
        asset_type: "Kinesis",
        id: &["Arn"],
        software: "Kinesis Data Streams",
        fills: &[HardwareModel],
        fill: Some(messaging::kinesis),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::MSK::Cluster",
        asset_type: "MSK",
        id: &["Arn", "ClusterArn"],
        public: Public::Rule("BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type"),
        vlan: &["BrokerNodeGroupInfo.ClientSubnets"],
        fills: &[HardwareModel, SoftwareNameVersion],
        fill: Some(messaging::msk),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::AmazonMQ::Broker",
        asset_type: "Amazon MQ",
        id: &["Arn"],
        public: Public::Rule("PubliclyAccessible"),
        hardware: &["HostInstanceType"],
        vlan: &["SubnetIds"],
        rows: Rows::PerAddress,
        fills: &[Dns, SoftwareNameVersion],
        fill: Some(messaging::amazon_mq),
        ..BASE
    },
    // Systems Manager: facts about hosts, joined onto their EC2 instance's rows
    Mapper {
        resource_type: "AWS::SSM::ManagedInstanceInventory",
        asset_type: "Managed Instance",
        vendor: "",
        rows: Rows::JoinsInstance,
        fills: &[
            OsNameVersion,
            NetBios,
            PatchLevel,
            Mac,
            SoftwareVendor,
            SoftwareNameVersion,
        ],
        host: Some(ssm_inventory::inventory),
        ..BASE
    },
    Mapper {
        resource_type: "AWS::SSM::PatchCompliance",
        asset_type: "Managed Instance",
        vendor: "",
        rows: Rows::JoinsInstance,
        fills: &[PatchLevel],
        host: Some(ssm_inventory::patch_compliance),
        ..BASE
    },
];
