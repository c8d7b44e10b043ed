#!/usr/bin/env python3
"""Tests of the local AWS itself: what it answers beyond moto must be what AWS answers.

Run by tests/aws_models.rs (`python -m unittest` in the harness venv). Each test starts
the harness with a seed and talks to it through boto3, as a client would.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import boto3
import botocore.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))


class Harness:
    def __init__(self, seed):
        self.seed = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(seed, self.seed)
        self.seed.close()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "local_aws.py"), "--seed", self.seed.name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("READY "), line
        self.url = line.split()[1]

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def client(self, service="config", region="us-east-1"):
        # No retries: each answer is the harness's own, not the SDK's second try.
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                                          parameter_validation=False))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        os.unlink(self.seed.name)


def instance(i, status="OK"):
    return {"resourceType": "AWS::EC2::Instance", "resourceId": f"i-{i}", "accountId": "123456789012",
            "awsRegion": "us-east-1", "configurationItemStatus": status,
            "configuration": {"instanceId": f"i-{i}", "instanceType": "t3.micro", "placement": {"tenancy": "default"}},
            "tags": [{"key": "owner", "value": "ops"}]}


def role(name):
    """An IAM role as Config records it: a global type, in the region Config keeps it."""
    return {"resourceType": "AWS::IAM::Role", "resourceId": f"AROA{name.upper()}", "resourceName": name,
            "accountId": "123456789012", "awsRegion": "global", "configurationItemStatus": "OK",
            "configurationItemCaptureTime": "2026-12-01T00:00:00.000Z",
            "arn": f"arn:aws:iam::123456789012:role/{name}", "configuration": {"roleName": name}}


SEED = {"items": {"123456789012": {"us-east-1": [instance(1), instance(2), instance(3, "ResourceDeleted"),
                                                 role("ops")]},
                  "111111111111": {"us-east-1": [instance(4)], "us-west-2": [instance(5)]}},
        "recorders": {"111111111111": {"us-west-2": None, "us-east-1": {"recording": False}}}}


class ModelChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = Harness(SEED)
        cls.config = cls.aws.client()

    @classmethod
    def tearDownClass(cls):
        cls.aws.close()

    def refused(self, call, **params):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**params)
        self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationException")
        return caught.exception.response["Error"]["Message"]

    def test_an_enum_miss_is_a_validation_exception(self):
        # Config does not record ElastiCache clusters: the enum has no such value.
        message = self.refused(self.config.list_discovered_resources, resourceType="AWS::ElastiCache::CacheCluster")
        self.assertIn("enum", message)
        self.refused(self.config.batch_get_resource_config,
                     resourceKeys=[{"resourceType": "AWS::Lightsail::Instance", "resourceId": "x"}])
        self.refused(self.config.list_aggregate_discovered_resources, ConfigurationAggregatorName="org",
                     ResourceType="AWS::EKS::Nodegroup")
        # A real value is answered.
        self.config.list_discovered_resources(resourceType="AWS::EC2::Instance")

    def test_lengths_and_ranges(self):
        q = "SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'"
        self.refused(self.config.select_resource_config, Expression=q, Limit=101)
        self.refused(self.config.select_resource_config, Expression=q + " " * 4096)
        self.refused(self.config.select_resource_config, Expression="")
        keys = [{"resourceType": "AWS::EC2::Instance", "resourceId": f"i-{i}"} for i in range(101)]
        self.refused(self.config.batch_get_resource_config, resourceKeys=keys)
        self.refused(self.config.select_aggregate_resource_config, Expression=q, ConfigurationAggregatorName="")
        self.assertEqual(len(self.config.select_resource_config(Expression=q, Limit=100)["Results"]), 3)

    def test_select_returns_only_the_selected_properties_and_deleted_items(self):
        q = ("SELECT resourceId, configurationItemStatus, configuration.instanceType "
             "WHERE resourceType IN ('AWS::EC2::Instance')")
        results = [json.loads(r) for r in self.config.select_resource_config(Expression=q)["Results"]]
        self.assertEqual(results[0], {"resourceId": "i-1", "configurationItemStatus": "OK",
                                      "configuration": {"instanceType": "t3.micro"}})
        # The last item of a deleted resource is returned like any other.
        self.assertIn({"resourceId": "i-3", "configurationItemStatus": "ResourceDeleted",
                       "configuration": {"instanceType": "t3.micro"}}, results)

    def test_not_in_reads_every_other_type_and_no_condition_every_type(self):
        # `resourceType NOT IN`, as AWS's Workload Discovery queries an aggregator.
        q = ("SELECT resourceId, resourceType, configurationItemCaptureTime "
             "WHERE resourceType NOT IN ('AWS::EC2::Instance', 'AWS::EC2::SecurityGroup')")
        results = [json.loads(r) for r in self.config.select_resource_config(Expression=q)["Results"]]
        self.assertEqual(results, [{"resourceId": "AROAOPS", "resourceType": "AWS::IAM::Role",
                                    "configurationItemCaptureTime": "2026-12-01T00:00:00.000Z"}])
        q = "SELECT accountId, awsRegion, COUNT(*) GROUP BY accountId, awsRegion"
        groups = [json.loads(r) for r in
                  self.config.select_aggregate_resource_config(Expression=q, ConfigurationAggregatorName="org")["Results"]]
        self.assertIn({"accountId": "123456789012", "awsRegion": "us-east-1", "COUNT(*)": 4}, groups)

    def test_discovered_counts_per_type_leave_deleted_resources_out(self):
        counts = self.config.get_discovered_resource_counts()
        self.assertEqual(counts["resourceCounts"], [{"resourceType": "AWS::EC2::Instance", "count": 2},
                                                    {"resourceType": "AWS::IAM::Role", "count": 1}])
        self.assertEqual(counts["totalDiscoveredResources"], 3)
        grouped = self.config.get_aggregate_discovered_resource_counts(
            ConfigurationAggregatorName="org", GroupByKey="RESOURCE_TYPE",
            Filters={"AccountId": "111111111111"})
        self.assertEqual(grouped["GroupedResourceCounts"], [{"GroupName": "AWS::EC2::Instance", "ResourceCount": 2}])
        self.refused(self.config.get_aggregate_discovered_resource_counts,
                     ConfigurationAggregatorName="org", GroupByKey="TYPE")

    def test_group_by_counts_per_group(self):
        q = ("SELECT accountId, awsRegion, COUNT(*) WHERE resourceType IN ('AWS::EC2::Instance') "
             "GROUP BY accountId, awsRegion")
        groups = [json.loads(r) for r in
                  self.config.select_aggregate_resource_config(Expression=q, ConfigurationAggregatorName="org")["Results"]]
        self.assertEqual(sorted((g["accountId"], g["awsRegion"], g["COUNT(*)"]) for g in groups),
                         [("111111111111", "us-east-1", 1), ("111111111111", "us-west-2", 1),
                          ("123456789012", "us-east-1", 3)])

    def test_recorders_per_account_and_region(self):
        mine = self.config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        self.assertEqual([(s["name"], s["recording"], s["lastStatus"]) for s in mine], [("default", True, "Success")])
        group = self.config.describe_configuration_recorders()["ConfigurationRecorders"][0]["recordingGroup"]
        self.assertTrue(group["allSupported"])
        creds = self.aws.client("sts").assume_role(RoleArn="arn:aws:iam::111111111111:role/x",
                                                   RoleSessionName="t")["Credentials"]
        def member(region):
            return boto3.client("config", endpoint_url=self.aws.url, region_name=region,
                                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"])
        self.assertEqual(member("us-west-2").describe_configuration_recorders()["ConfigurationRecorders"], [])
        stopped = member("us-east-1").describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        self.assertEqual(stopped[0]["recording"], False)
        sources = self.config.describe_configuration_aggregator_sources_status(
            ConfigurationAggregatorName="org")["AggregatedSourceStatusList"]
        self.assertEqual(len(sources), 3)
        self.refused(self.config.describe_configuration_aggregator_sources_status,
                     ConfigurationAggregatorName="org", UpdateStatus=["BROKEN"])


class Unprocessed(unittest.TestCase):
    def test_batch_get_sometimes_leaves_keys_to_ask_for_again(self):
        aws = Harness({**SEED, "unprocessed": 1})
        try:
            config = aws.client()
            keys = [{"resourceType": "AWS::EC2::Instance", "resourceId": f"i-{i}"} for i in (1, 2)]
            first = config.batch_get_resource_config(resourceKeys=keys)
            self.assertEqual([i["resourceId"] for i in first["baseConfigurationItems"]], ["i-1"])
            self.assertEqual(first["unprocessedResourceKeys"], keys[1:])
            again = config.batch_get_resource_config(resourceKeys=first["unprocessedResourceKeys"])
            self.assertEqual([i["resourceId"] for i in again["baseConfigurationItems"]], ["i-2"])
            self.assertNotIn("unprocessedResourceKeys", again)
        finally:
            aws.close()


class Throttling(unittest.TestCase):
    def test_calls_past_the_rate_are_throttled_per_account_and_aggregator(self):
        # One call a second: a bucket of one, refilled once a second.
        aws = Harness({**SEED, "rates": {"select": 1}})
        try:
            config = aws.client()
            q = "SELECT resourceId WHERE resourceType IN ('AWS::EC2::Instance')"
            codes = []
            for _ in range(6):
                try:
                    config.select_resource_config(Expression=q)
                    codes.append("ok")
                except botocore.exceptions.ClientError as e:
                    codes.append(e.response["Error"]["Code"])
            self.assertEqual(codes[0], "ok")
            self.assertIn("ThrottlingException", codes[1:])
            # The aggregator is a scope of its own.
            config.select_aggregate_resource_config(Expression=q, ConfigurationAggregatorName="org")
            time.sleep(1.1)
            config.select_resource_config(Expression=q)
            self.assertGreaterEqual(aws.ask("throttled"), 1)
            # Each call let through is recorded with its arrival, per scope: the calls
            # refused are not.
            arrivals = aws.ask("arrivals select")
            self.assertEqual(len(arrivals["123456789012"]), codes.count("ok") + 1)
            self.assertEqual(len(arrivals["aggregator org"]), 1)
            self.assertEqual(arrivals["123456789012"], sorted(arrivals["123456789012"]))
            self.assertLessEqual(arrivals["123456789012"][-1], aws.ask("clock"))
            self.assertEqual(aws.ask("arrivals batch-get"), {})
        finally:
            aws.close()


class MemberRoles(unittest.TestCase):
    def test_an_account_without_the_role_refuses_assume_role_as_sts_does(self):
        aws = Harness({**SEED, "no_role": ["111111111111"]})
        try:
            sts = aws.client("sts")
            with self.assertRaises(botocore.exceptions.ClientError) as refused:
                sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/Collector", RoleSessionName="s")
            self.assertEqual(refused.exception.response["Error"]["Code"], "AccessDenied")
            self.assertIn("arn:aws:iam::111111111111:role/Collector", str(refused.exception))
            ok = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/Collector", RoleSessionName="s")
            self.assertTrue(ok["Credentials"]["AccessKeyId"])
            self.assertEqual(aws.ask("assume-calls"), 2)
        finally:
            aws.close()

    def test_a_key_sts_does_not_know_is_refused(self):
        aws = Harness({**SEED, "refused_keys": ["AKIDREFUSED"]})
        try:
            refused = boto3.client("sts", endpoint_url=aws.url, region_name="us-east-1",
                                   aws_access_key_id="AKIDREFUSED", aws_secret_access_key="x")
            with self.assertRaises(botocore.exceptions.ClientError) as e:
                refused.get_caller_identity()
            self.assertEqual(e.exception.response["Error"]["Code"], "InvalidClientTokenId")
            self.assertEqual(aws.client("sts").get_caller_identity()["Account"], "123456789012")
        finally:
            aws.close()


def covered(i, account="123456789012", kind="AWS_EC2_INSTANCE", days=1):
    return {"accountId": account, "resourceType": kind, "resourceId": f"i-{i:017x}", "scanType": "PACKAGE",
            "scanMode": "EC2_SSM_AGENT_BASED", "scanStatus": {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"},
            "lastScannedDaysAgo": days}


class Inspector(unittest.TestCase):
    """Amazon Inspector, which moto does not emulate: account status and coverage."""

    @classmethod
    def setUpClass(cls):
        coverage = [covered(i) for i in range(250)] + [covered(999, account="222222222222")]
        cls.aws = Harness({**SEED, "inspector": {"123456789012": {"us-east-1": {
            "enabled": ["ec2", "lambda"], "coverage": coverage}}}})

    @classmethod
    def tearDownClass(cls):
        cls.aws.close()

    def test_status_names_each_scan_type_and_accounts_never_enabled(self):
        inspector = self.aws.client("inspector2")
        out = inspector.batch_get_account_status(accountIds=["123456789012", "111111111111"])
        states = {a["accountId"]: {k: v["status"] for k, v in a["resourceState"].items()} for a in out["accounts"]}
        self.assertEqual(states["123456789012"], {"ec2": "ENABLED", "ecr": "DISABLED", "lambda": "ENABLED"})
        self.assertEqual(set(states["111111111111"].values()), {"DISABLED"})
        other_region = self.aws.client("inspector2", "us-west-2").batch_get_account_status(accountIds=["123456789012"])
        self.assertEqual(other_region["accounts"][0]["state"]["status"], "DISABLED")

    def test_coverage_pages_at_most_200_filtered_by_account(self):
        inspector = self.aws.client("inspector2")
        only = {"accountId": [{"comparison": "EQUALS", "value": "123456789012"}]}
        first = inspector.list_coverage(maxResults=200, filterCriteria=only)
        self.assertEqual(len(first["coveredResources"]), 200)
        second = inspector.list_coverage(maxResults=200, filterCriteria=only, nextToken=first["nextToken"])
        self.assertEqual(len(second["coveredResources"]), 50)
        self.assertNotIn("nextToken", second)
        scanned = first["coveredResources"][0]["lastScannedAt"]
        self.assertLess(abs(time.time() - 86400 - scanned.timestamp()), 120)
        everything = inspector.list_coverage()
        self.assertEqual(len(everything["coveredResources"]), 100, "100 a page when not asked")

    def test_requests_off_the_model_are_refused(self):
        inspector = self.aws.client("inspector2")
        for params in [{"maxResults": 201}, {"maxResults": 0},
                       {"filterCriteria": {"accountId": [{"comparison": "LIKE", "value": "1"}]}}]:
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                inspector.list_coverage(**params)
            self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationException", params)


class FaultsAndStepFunctions(unittest.TestCase):
    def test_refused_puts_are_denied_as_s3_denies_and_other_keys_are_stored(self):
        aws = Harness({"buckets": ["reports"], "refused_puts": ["/runs/[^/]+/batch-00002\\."]})
        try:
            s3 = aws.client("s3")
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                s3.put_object(Bucket="reports", Key="inv/runs/r1/batch-00002.read.jsonl.gz", Body=b"x")
            self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")
            self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
            s3.put_object(Bucket="reports", Key="inv/runs/r1/batch-00001.read.jsonl.gz", Body=b"y")
            self.assertEqual(aws.ask("s3-keys reports"), ["inv/runs/r1/batch-00001.read.jsonl.gz"])
        finally:
            aws.close()

    def test_the_definition_is_the_templates_and_its_tolerance_keeps_its_value(self):
        sys.path.insert(0, HERE)
        import step_functions
        template = os.path.join(HERE, "..", "..", "cloudformation", "collector.yaml")
        arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
        text = step_functions.definition(template, "StateMachine", {"Function.Arn": arn})
        given = json.loads(text)
        self.assertEqual(given["States"]["ReadBatches"]["MaxConcurrency"], 10, "the parameter's default")
        self.assertEqual(given["States"]["Plan"]["Parameters"]["FunctionName"], arn)
        handed = step_functions.decimal_tolerance(text)
        self.assertIn('"ToleratedFailurePercentage": 100.0', handed)
        self.assertEqual(json.loads(handed), given)
        with self.assertRaises(KeyError):
            step_functions.definition(template, "StateMachine", {})


if __name__ == "__main__":
    unittest.main()
