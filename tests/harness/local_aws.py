#!/usr/bin/env python3
"""A local AWS for the end-to-end tests: moto's server in-process, plus AWS Config.

moto answers STS (assumed credentials map to the role's account), S3, SNS and
Organizations over HTTP. Its Config `select_resource_config` only returns canned
results, so this harness answers `SelectResourceConfig` and
`SelectAggregateResourceConfig` (and the batch reads of the types the advanced query
does not return: `ListDiscoveredResources`, `BatchGetResourceConfig` and their aggregate
forms) from items seeded per account and region, with real
pagination (at most 100 per page, NextToken), a switch that makes chosen accounts deny
access, and an optional delay per call (for the collection benchmark).

Usage: local_aws.py --seed SEED.json
Prints "READY <endpoint-url>" once listening, then serves until stdin closes. Lines on
stdin are commands, each answered with one JSON line on stdout:
  sns TOPIC_ARN            -> messages published to the topic (any account, region)
  s3-keys BUCKET           -> object keys in the bucket
  s3-get BUCKET KEY FILE   -> writes the object to FILE, answers its metadata
  config-calls             -> number of Config select calls answered
  batch-calls              -> number of Config list-discovered and batch-get calls answered
  throttled                -> number of Config calls refused as past the seeded rates
  clock                    -> this harness's monotonic clock, in seconds
  arrivals API             -> {scope: [monotonic arrival time of each call of API (select,
                              batch-get, describe) not refused as past the seeded rate]},
                              per account or `aggregator NAME`
  assume-calls             -> number of sts:AssumeRole calls answered
  inspector-calls          -> number of Inspector BatchGetAccountStatus and ListCoverage calls
  items FILE               -> replaces the seeded items with FILE's {"ACCOUNT": {"REGION": [item]}}
  s3-put BUCKET KEY FILE   -> uploads FILE
  s3-encryption BUCKET     -> the bucket's default encryption rules and access logging
  s3-policy BUCKET         -> the bucket's versioning status and policy
  buckets                  -> {"names": [bucket names of the default account]}
  config-types             -> the resource types botocore's model of Config knows (ResourceType)
  stacks ACCOUNT           -> {stack name: {status, outputs}} in us-east-1, deleted ones left out
  lambda ACCOUNT NAME      -> the function's Runtime, Environment, code key, SHA-256, size, reserved
                              concurrency and dead-letter target
  role ACCOUNT NAME        -> the IAM role's trust policy, the actions and statements of its
                              inline policies
  rule ACCOUNT             -> the first EventBridge rule (its ScheduleExpression) and Targets
  lambda-proxy URL NAME    -> {"url": ...}: a Lambda Invoke endpoint that passes every
                              invocation on to the emulator at URL (`cargo lambda watch`,
                              which knows the function by its own name for it) as NAME
  lambda-calls             -> the function names the proxy was asked to invoke
  state-machine TEMPLATE RESOURCE FUNCTION EMULATOR BINARY [VALUES]
                           -> {"arn": ...}: the template's state machine, executed by moto's
                              ASL interpreter, its Lambda tasks' invocations of FUNCTION passed
                              on to the emulator (as BINARY); VALUES (JSON) override its !Sub
                              names, which default to the parameters' defaults
  execute ARN NAME [INPUT] -> starts an execution named NAME and waits: status, output, error, cause
  start ARN NAME [INPUT]   -> {"executionArn": ...}: starts one, without waiting
  wait EXECUTION_ARN       -> waits for it: status, output, error, cause
  hold RUN / release RUN   -> the function's invocations for run RUN wait in the harness until
                              released (one execution kept running while another starts)
  pass-on FUNCTION EMULATOR BINARY
                           -> "ok": state machines' invocations of FUNCTION go to the emulator
  state-machines           -> names of the default account's state machines
  invoked                  -> every payload the state machine sent the function, in order
  stackset-requests        -> every StackSet change request (action and parameters), in order
  stackset NAME            -> the StackSet's status, permission model, AutoDeployment, OUs and
                              [account, region] of its instances (null when there is none)

Every Config request it answers is checked against botocore's service model for its
operation (required members, enum values, lengths and ranges): a miss is a
ValidationException, as AWS answers. Its answers follow AWS's documentation: SELECT
returns only the selected properties, GROUP BY with COUNT(*) one result per group,
deleted resources' last items are returned like any other (`resourceType NOT IN` and a
query with no type condition read as Config does), GetDiscoveredResourceCounts and
GetAggregateDiscoveredResourceCounts count the items not deleted, each account and region has
its own recorder (recording everything unless seeded otherwise), and calls past the
seeded rates (per account, or per aggregator: a token bucket of one second's calls) are
throttled.

Seed file:
  {"items": {"ACCOUNT": {"REGION": [item, ...]}},
   "recorders": {"ACCOUNT": {"REGION": null | {"recording": false, "lastStatus": "Failure",
                 "allSupported": false, "resourceTypes": [...]}}},  # default: recording all
   "aggregator_sources": [{"SourceId": ..., "AwsRegion": ..., "LastUpdateStatus": ...}],
                                       # default: every seeded account and region SUCCEEDED
   "services": {"ACCOUNT": {"REGION": {"cache_clusters": [CreateCacheCluster args],
                "replication_groups": [CreateReplicationGroup args],
                "eks_clusters": [{"name": ..., "nodegroups": [CreateNodegroup args]}]}}},
   "inspector": {"ACCOUNT": {"REGION": {"enabled": ["ec2", "ecr", "lambda"],
                 "coverage": [CoveredResource, with "lastScannedDaysAgo"/"lastInUseDaysAgo"]}}},
                                       # Amazon Inspector: BatchGetAccountStatus, ListCoverage
   "unprocessed": N,                   # the first N batch gets leave their last key unprocessed
   "rates": {"select": 8, "batch-get": 15, "describe": 8},  # calls a second past which
                                       # Config throttles, per account or aggregator
   "deny": ["ACCOUNT", ...],
   "delay_ms": 0,                      # each Config call takes this long
   "assume_delay_ms": 0,               # each sts:AssumeRole takes this long
   "no_role": ["ACCOUNT", ...],        # sts:AssumeRole of any role there: AccessDenied (no
                                       # member role, or one that does not trust the caller)
   "refused_keys": ["AKID", ...],      # sts:GetCallerIdentity signed with these access keys:
                                       # InvalidClientTokenId, as for a key STS does not know
   "throttle": {"ACCOUNT": N},          # that account's next N Config calls are throttled
   "organization": ["ACCOUNT", ...],   # create an organization with these member ids
   "stacksets_access": true,           # trusted access for CloudFormation StackSets
   "stackset_fail": {"ACCOUNT": "reason"},  # that account's stack instances fail
   "execute_state_machines": true,     # state machines (API or CloudFormation) run (moto's
                                       # ASL interpreter; see step_functions.py)
   "refused_puts": ["REGEX", ...],     # S3 PutObject of a key matching one: AccessDenied
   "buckets": ["NAME", ...], "topics": ["NAME", ...]}   # made in the default account
"""
import argparse
import ast
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

import boto3
from moto.core.exceptions import JsonRESTError
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.config.responses import ConfigResponse
from moto.inspector2 import urls as inspector2_urls
from moto.inspector2.responses import Inspector2Response
from moto.sts.responses import TokenResponse
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.organizations.models import organizations_backends
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
import moto.organizations.utils as org_utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import step_functions  # noqa: E402  (beside this file)

DEFAULT_ACCOUNT = "123456789012"
SEED = {"items": {}, "deny": [], "delay_ms": 0}
CALLS = {"config": 0, "batch": 0, "throttled": 0, "describe": 0}
LOCK = threading.Lock()
MODELS = {}


def service_model(service="config"):
    """botocore's model of a service, loaded once."""
    if service not in MODELS:
        import botocore.session
        MODELS[service] = botocore.session.get_session().get_service_model(service)
    return MODELS[service]


def shape_errors(shape, value, path):
    """What AWS's model says is wrong with `value`: required members, enum values,
    lengths of strings and lists, ranges of numbers (botocore's own client checks only
    some of these; the service checks them all)."""
    meta, kind = shape.metadata, shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path} must be an object"]
        errors = [f"{path}.{m} is required" for m in shape.required_members if m not in value]
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                errors += shape_errors(member, value[name], f"{path}.{name}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path} must be a list"]
        errors = []
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{path} must have at least {meta['min']} members")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path} must have at most {meta['max']} members")
        for i, v in enumerate(value):
            errors += shape_errors(shape.member, v, f"{path}[{i}]")
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path} must be a string"]
        errors = []
        if shape.enum and value not in shape.enum:
            errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                          f"Member must satisfy enum value set")
        if "min" in meta and len(value) < meta["min"]:
            errors.append(f"{path} must be at least {meta['min']} characters")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must have "
                          f"length less than or equal to {meta['max']}")
        return errors
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path} must be an integer"]
        if "min" in meta and value < meta["min"]:
            return [f"{path} must be at least {meta['min']}"]
        if "max" in meta and value > meta["max"]:
            return [f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                    f"have value less than or equal to {meta['max']}"]
    return []


def checked(operation, params, service="config"):
    """The request's parameters once AWS's model accepts them."""
    shape = service_model(service).operation_model(operation).input_shape
    errors = shape_errors(shape, params, operation) if shape is not None else []
    if errors:
        raise JsonRESTError("ValidationException", "; ".join(errors))
    return params


def answered(operation, body, service="config", **optional):
    """A response, held to the model's output shape too, so the harness cannot answer
    what AWS never would. `optional` members (a next token, unprocessed keys) are left
    out when empty, as AWS leaves them out."""
    body.update({k: v for k, v in optional.items() if v})
    shape = service_model(service).operation_model(operation).output_shape
    errors = shape_errors(shape, body, operation) if shape is not None else []
    if errors:
        raise RuntimeError(f"the harness answered {operation} off AWS's model: {errors}")
    return json.dumps(body)


BUCKETS = {}
ARRIVALS = {}


def rate_limited(scope, api):
    """Config's throttling, a token bucket per account (or aggregator) and API as AWS
    meters its APIs: it holds one second's calls at the seeded rate and refills at that
    rate; a call that finds it empty gets ThrottlingException."""
    rate = SEED.get("rates", {}).get(api)
    if not rate:
        return
    now = time.monotonic()
    with LOCK:
        tokens, last = BUCKETS.get((scope, api), (float(rate), now))
        tokens = min(float(rate), tokens + (now - last) * rate)
        throttled = tokens < 1.0
        if throttled:
            CALLS["throttled"] += 1
        else:
            tokens -= 1.0
        BUCKETS[(scope, api)] = (tokens, now)
    if throttled:
        raise JsonRESTError("ThrottlingException", "Rate exceeded")


def token_page(items, params, limit_key, token_key, most=100):
    """One page (at most `most`: 100 is Config's limit) and the token of the next, if any."""
    limit = min(int(params.get(limit_key) or 100), most)
    start = int(params.get(token_key) or 0)
    return items[start:start + limit], (str(start + limit) if start + limit < len(items) else None)


def page(items, params, operation="SelectResourceConfig"):
    chunk, token = token_page(items, params, "Limit", "NextToken")
    expression = params.get("Expression", "")
    response = {"Results": [json.dumps(selected(i, expression) if "GROUP BY" not in expression else i)
                            for i in chunk],
                "QueryInfo": {"SelectFields": [{"Name": "*"}]}}
    return answered(operation, response, NextToken=token)


# The types AWS Config's advanced query returns, AWS's schema of it (the collector's
# own copy, with its source): an item of any other type is never in a SELECT's results.
ADVANCED_QUERY_TYPES = {
    line.strip() for line in open(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "lambda", "src", "mapper",
        "advanced_query_types.txt"))
    if line.strip() and not line.startswith("#")}


def wanted(items, expression):
    """Only the resource types the query asks for, as Config reads its WHERE:
    `resourceType IN (...)` those named, `resourceType NOT IN (...)` all but those (AWS's
    Workload Discovery reads an aggregator so), and no condition on the type every
    type. The caller's type list is exercised."""
    listed = (re.search(r"resourceType\s+(NOT\s+)?IN\s*\(([^)]*)\)", expression, re.IGNORECASE)
              or re.search(r"resourceType\s*=()\s*('[^']*')", expression))
    if not listed:
        if re.search(r"\bresourceType\b", expression.split("WHERE", 1)[-1]) and "WHERE" in expression:
            raise JsonRESTError("InvalidExpressionException",
                                f"the local AWS reads resourceType only in IN or NOT IN: {expression}")
        return [i for i in items if i.get("resourceType") in ADVANCED_QUERY_TYPES]
    names = set(re.findall(r"'([^']*)'", listed[2]))
    if listed[1]:
        return [i for i in items if i.get("resourceType") not in names
                and i.get("resourceType") in ADVANCED_QUERY_TYPES]
    return [i for i in items if i.get("resourceType") in names]


def counted_call(account=None, counter="config", scope=None, api=None):
    if api:
        rate_limited(scope or account, api)
    with LOCK:
        if api:
            ARRIVALS.setdefault(api, {}).setdefault(scope or account, []).append(time.monotonic())
        CALLS[counter] += 1
        throttled = SEED.get("throttle", {}).get(account, 0) > 0
        if throttled:
            SEED["throttle"][account] -= 1
    if SEED.get("delay_ms"):
        time.sleep(SEED["delay_ms"] / 1000)
    if throttled:
        raise JsonRESTError("ThrottlingException", "Rate exceeded")


def own_items(self, action, counter="config", api="select"):
    """The request's parameters (checked against AWS's model) and the calling account's
    items in its region, once the call is counted and a denied account refused."""
    account, region = self.current_account, self.region
    params = checked(action, json.loads(self.body or "{}"))
    counted_call(account, counter, api=api)
    if account in SEED.get("deny", []):
        raise JsonRESTError("AccessDeniedException",
                            f"User is not authorized to perform config:{action} in {account}")
    return params, SEED["items"].get(account, {}).get(region, [])


def selected(item, expression):
    """Only the properties the SELECT names (`configuration.x.y` keeps that path), as
    advanced query answers; `*` is not a property Config accepts."""
    match = re.match(r"\s*SELECT\s+(.*?)(?:\s+WHERE\s|\s+GROUP\s+BY\s|\s*$)", expression,
                     re.IGNORECASE | re.DOTALL)
    if not match:
        return item
    out = {}
    for prop in (p.strip() for p in match[1].split(",")):
        head, *rest = prop.split(".")
        if head not in item:
            continue
        if not rest:
            out[head] = item[head]
            continue
        value, target = item[head], out.setdefault(head, {})
        for i, part in enumerate(rest):
            if not isinstance(value, dict) or part not in value:
                break
            value = value[part]
            if i == len(rest) - 1:
                target[part] = value
            else:
                target = target.setdefault(part, {})
    return out


def aggregate_items():
    """(account, region, item) of every account the aggregator can read."""
    for account in sorted(SEED["items"]):
        if account in SEED.get("deny", []):
            continue
        for region in sorted(SEED["items"][account]):
            for item in SEED["items"][account][region]:
                yield account, region, item


def select_resource_config(self):
    params, items = own_items(self, "SelectResourceConfig")
    return page(wanted(items, params.get("Expression", "")), params)


def select_aggregate_resource_config(self):
    """The aggregator's items of the query's types, narrowed by `accountId = '...'` and
    `awsRegion = '...'` when the query says so; with `GROUP BY accountId, awsRegion`,
    one {"accountId", "awsRegion", "COUNT(*)"} result per group, as Config answers."""
    params = checked("SelectAggregateResourceConfig", json.loads(self.body or "{}"))
    counted_call(scope=f"aggregator {params['ConfigurationAggregatorName']}", api="select")
    expression = params.get("Expression", "")
    if "GROUP BY" in expression and "GROUP BY accountId, awsRegion" not in expression:
        raise JsonRESTError("InvalidExpressionException", f"unsupported GROUP BY: {expression}")
    shard = re.search(r"accountId = '([^']*)' AND awsRegion = '([^']*)'", expression)
    if shard and shard[1] not in SEED.get("deny", []):
        # One account and region: straight from the seed (the capacity benchmark asks
        # for thousands of these).
        narrowed = [(shard[1], shard[2], i) for i in SEED["items"].get(shard[1], {}).get(shard[2], [])]
    else:
        narrowed = [(a, r, i) for a, r, i in aggregate_items()
                    if f"accountId = '{a}'" in expression or "accountId = " not in expression
                    if f"awsRegion = '{r}'" in expression or "awsRegion = " not in expression]
    if "GROUP BY" in expression:
        counts = {}
        for account, region, item in narrowed:
            if wanted([item], expression):
                counts[(account, region)] = counts.get((account, region), 0) + 1
        groups = [{"accountId": a, "awsRegion": r, "COUNT(*)": n} for (a, r), n in counts.items()]
        return page(groups, params, "SelectAggregateResourceConfig")
    return page(wanted([i for _, _, i in narrowed], expression), params, "SelectAggregateResourceConfig")


def base_item(item):
    """A seeded item as BatchGet*ResourceConfig returns it: configuration and each
    supplementary value as JSON text, and no tags (batch get returns none)."""
    out = {k: item[k] for k in ("accountId", "arn", "resourceType", "resourceId", "resourceName",
                                "awsRegion", "availabilityZone", "configurationItemStatus") if k in item}
    if "configurationItemCaptureTime" in item:
        # A timestamp in AWS's JSON protocol: seconds since the epoch.
        from datetime import datetime
        captured = datetime.fromisoformat(item["configurationItemCaptureTime"].replace("Z", "+00:00"))
        out["configurationItemCaptureTime"] = captured.timestamp()
    out["version"] = "1.3"
    out["configuration"] = json.dumps(item.get("configuration"))
    out["supplementaryConfiguration"] = {
        k: json.dumps(v) for k, v in (item.get("supplementaryConfiguration") or {}).items()}
    return out


def of_type(items, resource_type):
    return [i for i in items if i.get("resourceType") == resource_type]


def list_discovered_resources(self):
    params, items = own_items(self, "ListDiscoveredResources", "batch", "batch-get")
    items = of_type(items, params.get("resourceType"))
    chunk, token = token_page(items, params, "limit", "nextToken")
    out = {"resourceIdentifiers": [{"resourceType": i["resourceType"], "resourceId": i["resourceId"]}
                                   for i in chunk]}
    return answered("ListDiscoveredResources", out, nextToken=token)


def batch_get_resource_config(self):
    params, items = own_items(self, "BatchGetResourceConfig", "batch", "batch-get")
    keys = params.get("resourceKeys", [])
    keys, unprocessed = held_back(keys)
    found = [i for k in keys for i in items
             if i.get("resourceType") == k["resourceType"] and i.get("resourceId") == k["resourceId"]]
    # The model's lists hold at least one key: AWS leaves an empty one out.
    out = {"baseConfigurationItems": [base_item(i) for i in found]}
    return answered("BatchGetResourceConfig", out, unprocessedResourceKeys=unprocessed)


def list_aggregate_discovered_resources(self):
    params = checked("ListAggregateDiscoveredResources", json.loads(self.body or "{}"))
    counted_call(counter="batch", scope=f"aggregator {params['ConfigurationAggregatorName']}",
                 api="batch-get")
    found = [(a, r, i) for a, r, i in aggregate_items() if i.get("resourceType") == params.get("ResourceType")]
    chunk, token = token_page(found, params, "Limit", "NextToken")
    out = {"ResourceIdentifiers": [{"SourceAccountId": a, "SourceRegion": r, "ResourceId": i["resourceId"],
                                    "ResourceType": i["resourceType"]} for a, r, i in chunk]}
    return answered("ListAggregateDiscoveredResources", out, NextToken=token)


def batch_get_aggregate_resource_config(self):
    params = checked("BatchGetAggregateResourceConfig", json.loads(self.body or "{}"))
    counted_call(counter="batch", scope=f"aggregator {params['ConfigurationAggregatorName']}",
                 api="batch-get")
    asked, unprocessed = held_back(params.get("ResourceIdentifiers", []))
    wanted_ids = {(x["SourceAccountId"], x["SourceRegion"], x["ResourceType"], x["ResourceId"])
                  for x in asked}
    found = [i for a, r, i in aggregate_items()
             if (a, r, i.get("resourceType"), i.get("resourceId")) in wanted_ids]
    out = {"BaseConfigurationItems": [base_item(i) for i in found]}
    return answered("BatchGetAggregateResourceConfig", out, UnprocessedResourceIdentifiers=unprocessed)


def current(items):
    """What Config counts as discovered: not deleted (AWS: "the number of resources that
    Config is recording"; deleted resources are not listed unless asked for)."""
    return [i for i in items if not str(i.get("configurationItemStatus", "")).startswith("ResourceDeleted")]


def type_counts(items):
    counts = {}
    for i in current(items):
        counts[i["resourceType"]] = counts.get(i["resourceType"], 0) + 1
    return sorted(counts.items())


def get_discovered_resource_counts(self):
    """The account's resource counts per type in its region (optionally only the types
    asked for), a page of at most `limit` (100)."""
    params, items = own_items(self, "GetDiscoveredResourceCounts", "describe", "describe")
    asked = set(params.get("resourceTypes") or [])
    counts = [(t, n) for t, n in type_counts(items) if not asked or t in asked]
    chunk, token = token_page(counts, params, "limit", "nextToken")
    out = {"totalDiscoveredResources": sum(n for _, n in counts),
           "resourceCounts": [{"resourceType": t, "count": n} for t, n in chunk]}
    return answered("GetDiscoveredResourceCounts", out, nextToken=token)


def get_aggregate_discovered_resource_counts(self):
    """The aggregator's counts, grouped by RESOURCE_TYPE, ACCOUNT_ID or AWS_REGION (or
    one total), narrowed by the Filters given; pages of at most `Limit` (1000)."""
    params = checked("GetAggregateDiscoveredResourceCounts", json.loads(self.body or "{}"))
    counted_call(counter="describe", scope=f"aggregator {params['ConfigurationAggregatorName']}",
                 api="describe")
    f = params.get("Filters") or {}
    found = [(a, r, i) for a, r, i in aggregate_items()
             if f.get("AccountId") in (None, a) and f.get("Region") in (None, r)
             and f.get("ResourceType") in (None, i.get("resourceType"))]
    found = [(a, r, i) for a, r, i in found if current([i])]
    key = params.get("GroupByKey")
    groups = {}
    for a, r, i in found:
        name = {"RESOURCE_TYPE": i.get("resourceType"), "ACCOUNT_ID": a, "AWS_REGION": r}.get(key)
        groups[name] = groups.get(name, 0) + 1
    grouped = [{"GroupName": g, "ResourceCount": n} for g, n in sorted(groups.items())] if key else []
    chunk, token = token_page(grouped, params, "Limit", "NextToken", most=1000)
    out = {"TotalDiscoveredResources": len(found), "GroupedResourceCounts": chunk}
    return answered("GetAggregateDiscoveredResourceCounts", out, NextToken=token,
                    **({"GroupByKey": key} if key else {}))


def held_back(keys):
    """Batch get may leave keys unprocessed (AWS: "the keys that were not processed with
    the current response", to be asked for again): the first `unprocessed` calls of the
    seed hold back their last key."""
    with LOCK:
        hold = SEED.get("unprocessed", 0) > 0 and len(keys) > 0
        if hold:
            SEED["unprocessed"] -= 1
    return (keys[:-1], keys[-1:]) if hold else (keys, [])


def recorder_of(account, region):
    """The seeded recorder of an account and region: recording every supported type
    unless the seed says otherwise (null: no recorder at all)."""
    seeded = SEED.get("recorders", {}).get(account, {})
    if region in seeded:
        return seeded[region]
    return {}


def describe_configuration_recorders(self):
    checked("DescribeConfigurationRecorders", json.loads(self.body or "{}"))
    counted_call(self.current_account, "describe", api="describe")
    r = recorder_of(self.current_account, self.region)
    recorders = [] if r is None else [{
        "name": "default",
        "roleARN": f"arn:aws:iam::{self.current_account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        "recordingGroup": {"allSupported": r.get("allSupported", True),
                           "includeGlobalResourceTypes": False,
                           "resourceTypes": r.get("resourceTypes", [])}}]
    return answered("DescribeConfigurationRecorders", {"ConfigurationRecorders": recorders})


def describe_configuration_recorder_status(self):
    checked("DescribeConfigurationRecorderStatus", json.loads(self.body or "{}"))
    counted_call(self.current_account, "describe", api="describe")
    r = recorder_of(self.current_account, self.region)
    statuses = [] if r is None else [{
        "name": "default", "recording": r.get("recording", True),
        "lastStatus": r.get("lastStatus", "Success"),
        **({"lastErrorCode": r["lastErrorCode"], "lastErrorMessage": r.get("lastErrorMessage", "")}
           if r.get("lastErrorCode") else {})}]
    return answered("DescribeConfigurationRecorderStatus", {"ConfigurationRecordersStatus": statuses})


def describe_configuration_aggregator_sources_status(self):
    params = checked("DescribeConfigurationAggregatorSourcesStatus", json.loads(self.body or "{}"))
    counted_call(counter="describe", scope=f"aggregator {params['ConfigurationAggregatorName']}",
                 api="describe")
    sources = SEED.get("aggregator_sources")
    if sources is None:
        sources = [{"SourceId": a, "SourceType": "ACCOUNT", "AwsRegion": r, "LastUpdateStatus": "SUCCEEDED"}
                   for a in sorted(SEED["items"]) if a not in SEED.get("deny", [])
                   for r in sorted(SEED["items"][a])]
    chunk, token = token_page(sources, params, "Limit", "NextToken")
    out = {"AggregatedSourceStatusList": chunk}
    return answered("DescribeConfigurationAggregatorSourcesStatus", out, NextToken=token)


INSPECTOR_SCANS = ("ec2", "ecr", "lambda")


def inspector_of(account, region):
    """The seeded Inspector of an account and region: which scans are enabled and the
    resources it covers. None: never enabled there."""
    return SEED.get("inspector", {}).get(account, {}).get(region)


def batch_get_account_status(self):
    """Inspector's status of each account asked for, in the caller's region: ENABLED for
    the seeded scan types, DISABLED for the others and for accounts never enabled (AWS
    answers for every account asked, enabled or not). botocore's model requires
    `errorCode` and `errorMessage` in every State, so they are given."""
    params = checked("BatchGetAccountStatus", json.loads(self.body or "{}"), "inspector2")
    with LOCK:
        CALLS["inspector"] = CALLS.get("inspector", 0) + 1
    accounts = params.get("accountIds") or [self.current_account]

    def state(on):
        return ({"status": "ENABLED", "errorCode": "ALREADY_ENABLED", "errorMessage": "enabled"} if on else
                {"status": "DISABLED", "errorCode": "RESOURCE_NOT_FOUND", "errorMessage": "not enabled"})
    out = []
    for account in accounts:
        seeded = inspector_of(account, self.region) or {}
        enabled = seeded.get("enabled", [])
        out.append({"accountId": account, "state": state(bool(enabled)),
                    "resourceState": {scan: state(scan in enabled) for scan in INSPECTOR_SCANS}})
    return answered("BatchGetAccountStatus", {"accounts": out}, "inspector2")


def covered(record):
    """A seeded covered resource as ListCoverage answers it: `lastScannedDaysAgo` and
    `lastInUseDaysAgo` (seed conveniences) become epoch-second timestamps."""
    out = {k: v for k, v in record.items() if not k.endswith("DaysAgo")}
    now = time.time()
    if "lastScannedDaysAgo" in record:
        out["lastScannedAt"] = now - record["lastScannedDaysAgo"] * 86400
    image = out.get("resourceMetadata", {}).get("ecrImage")
    if image is not None and "lastInUseDaysAgo" in record:
        image["lastInUseAt"] = now - record["lastInUseDaysAgo"] * 86400
    return out


def list_coverage(self):
    """The caller's covered resources in its region, narrowed by the `accountId` filter
    (EQUALS or NOT_EQUALS, as the model allows), `maxResults` at a time (at most 200,
    the model's limit; 100 when not given) with a nextToken."""
    params = checked("ListCoverage", json.loads(self.body or "{}"), "inspector2")
    with LOCK:
        CALLS["inspector"] = CALLS.get("inspector", 0) + 1
    seeded = inspector_of(self.current_account, self.region) or {}
    records = [covered(r) for r in seeded.get("coverage", [])]
    for f in params.get("filterCriteria", {}).get("accountId", []):
        keep = (lambda a, v=f["value"]: a == v) if f["comparison"] == "EQUALS" else (lambda a, v=f["value"]: a != v)
        records = [r for r in records if keep(r["accountId"])]
    chunk, token = token_page(records, params, "maxResults", "nextToken", 200)
    out = {"coveredResources": chunk}
    return answered("ListCoverage", out, "inspector2", nextToken=token)


def bucket_permission(self, action, resource):
    """moto evaluates bucket policies without their conditions, so a TLS-only Deny
    (aws:SecureTransport false) would deny every request over this plain-HTTP local AWS.
    Statements with conditions are left out of the evaluation; the rest as moto does."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    if self.policy is None:
        return PermissionResult.NEUTRAL
    doc = json.loads(self.policy.decode())
    statements = doc.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    doc["Statement"] = [st for st in statements if "Condition" not in st]
    if not doc["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(doc)).is_action_permitted(action, resource)


FakeBucket.get_permission = bucket_permission


def put_object(self):
    """S3 PutObject, refused (AccessDenied, as a bucket policy's Deny answers) for the
    keys the seed's `refused_puts` patterns match."""
    from moto.s3.exceptions import S3AccessDeniedError
    key = self.parse_key_name()
    if any(re.search(pattern, key) for pattern in SEED.get("refused_puts", [])):
        raise S3AccessDeniedError()
    return _moto_put_object(self)


_moto_put_object = S3Response.put_object
S3Response.put_object = put_object
Inspector2Response.batch_get_account_status = batch_get_account_status
Inspector2Response.list_coverage = list_coverage
inspector2_urls.url_paths["{0}/coverage/list$"] = Inspector2Response.dispatch
ConfigResponse.select_resource_config = select_resource_config
ConfigResponse.select_aggregate_resource_config = select_aggregate_resource_config
ConfigResponse.list_discovered_resources = list_discovered_resources
ConfigResponse.get_discovered_resource_counts = get_discovered_resource_counts
ConfigResponse.get_aggregate_discovered_resource_counts = get_aggregate_discovered_resource_counts
ConfigResponse.batch_get_resource_config = batch_get_resource_config
ConfigResponse.list_aggregate_discovered_resources = list_aggregate_discovered_resources
ConfigResponse.batch_get_aggregate_resource_config = batch_get_aggregate_resource_config
ConfigResponse.describe_configuration_recorders = describe_configuration_recorders
ConfigResponse.describe_configuration_recorder_status = describe_configuration_recorder_status
ConfigResponse.describe_configuration_aggregator_sources_status = describe_configuration_aggregator_sources_status


PROXIED = []


def lambda_proxy(emulator, binary):
    """Lambda's Invoke API on a port of its own: the deployed function's name becomes
    the binary's, and the emulator's answer (status, function error, payload) is
    passed back unchanged."""
    import http.server

    class Invoke(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            parts = self.path.split("?")[0].split("/")
            if len(parts) != 5 or parts[1:3] != ["2015-03-31", "functions"] or parts[4] != "invocations":
                self.send_error(404, f"not an Invoke request: {self.path}")
                return
            PROXIED.append(urllib.parse.unquote(parts[3]))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, payload = step_functions.forward(
                emulator, binary, body, self.headers.get("Content-Type", "application/json"))
            self.send_response(status)
            for name in ("Content-Type", "X-Amz-Function-Error", "X-Amz-Executed-Version"):
                if headers.get(name):
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Invoke)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return {"url": f"http://127.0.0.1:{server.server_address[1]}"}


# Service-managed StackSets as AWS runs them, where moto does not: instances in the
# accounts of the target OUs (never the management account), deleted by OU, the
# targets and AutoDeployment kept on the StackSet, and per-account results (a seeded
# account fails with its reason).
STACKSET_RESULTS = {}


def ou_accounts(management, ous):
    org = organizations_backends[management]["aws"]
    units = set(ous)
    while True:
        more = {ou.id for ou in org.ou if ou.parent_id in units} - units
        if not more:
            break
        units |= more
    return sorted(a.id for a in org.accounts if a.parent_id in units and a.id != management)


def create_stack_set(self):
    answer = ORIGINAL["create_stack_set"](self)
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    stackset.auto_deployment = self._get_params().get("AutoDeployment")
    stackset.organizational_unit_ids = []
    return answer


def create_stack_instances(self):
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    if stackset.permission_model != "SERVICE_MANAGED":
        return ORIGINAL["create_stack_instances"](self)
    ous = (self._get_params().get("DeploymentTargets") or {}).get("OrganizationalUnitIds", [])
    if not ous:
        raise JsonRESTError("ValidationError", "OrganizationalUnitIds are required")
    failing, results = SEED.get("stackset_fail", {}), []
    for region in self._get_param("Regions", []):
        for account in ou_accounts(self.current_account, ous):
            if account in failing:
                results.append((account, region, "FAILED", failing[account]))
                continue
            stackset.instances.create_instances([account], [region], stackset.parameters, {}, "SERVICE_MANAGED")
            results.append((account, region, "SUCCEEDED", ""))
    stackset.organizational_unit_ids = sorted(set(stackset.organizational_unit_ids) | set(ous))
    return record_operation(stackset, "CREATE", results)


def delete_stack_instances(self):
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    ous = (self._get_params().get("DeploymentTargets") or {}).get("OrganizationalUnitIds", [])
    if stackset.permission_model != "SERVICE_MANAGED" or not ous:
        return ORIGINAL["delete_stack_instances"](self)
    regions = self._get_param("Regions", [])
    accounts = ou_accounts(self.current_account, ous)
    stackset.instances.delete(accounts, regions)
    stackset.organizational_unit_ids = [o for o in stackset.organizational_unit_ids if o not in ous]
    return record_operation(stackset, "DELETE", [(a, r, "SUCCEEDED", "") for a in accounts for r in regions])


def record_operation(stackset, action, results):
    import uuid
    operation_id = str(uuid.uuid4())
    failed = any(status == "FAILED" for _, _, status, _ in results)
    stackset._create_operation(operation_id, action, "FAILED" if failed else "SUCCEEDED")
    STACKSET_RESULTS[operation_id] = results
    return ActionResult({"OperationId": operation_id})


def list_stack_set_operation_results(self):
    results = STACKSET_RESULTS.get(self._get_param("OperationId"))
    if results is None:
        return ORIGINAL["list_stack_set_operation_results"](self)
    return ActionResult({"Summaries": [
        {"Account": a, "Region": r, "Status": status, **({"StatusReason": reason} if reason else {})}
        for a, r, status, reason in results]})


STACKSET_REQUESTS = []


def recorded(name, handler):
    """The handler, with each request's action and parameters kept in order."""
    def record(self):
        STACKSET_REQUESTS.append({"Action": name, **self._get_params()})
        return handler(self)
    return record


def assume_role(self):
    with LOCK:
        CALLS["assume"] = CALLS.get("assume", 0) + 1
    if SEED.get("assume_delay_ms"):
        time.sleep(SEED["assume_delay_ms"] / 1000)
    role = self._get_param("RoleArn") or ""
    account = role.split(":")[4] if role.count(":") >= 5 else ""
    # The harness's own sessions (role/harness) set accounts up; they are not the collector.
    if account in SEED.get("no_role", []) and not role.endswith(":role/harness"):
        # What STS answers when the role does not exist or does not trust the caller.
        from moto.sts.exceptions import STSClientError
        raise STSClientError("AccessDenied", f"User: {self.current_account} is not authorized "
                             f"to perform: sts:AssumeRole on resource: {role}")
    return ORIGINAL["assume_role"](self)


def get_caller_identity(self):
    key = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
    if key and key.group(1) in SEED.get("refused_keys", []):
        # What STS answers for an access key it does not know.
        from moto.sts.exceptions import STSClientError
        raise STSClientError("InvalidClientTokenId", "The security token included in the request is invalid.")
    return ORIGINAL["get_caller_identity"](self)


ORIGINAL = {"assume_role": TokenResponse.assume_role,
            "get_caller_identity": TokenResponse.get_caller_identity}
TokenResponse.assume_role = assume_role
TokenResponse.get_caller_identity = get_caller_identity
for name, patched in [("create_stack_set", create_stack_set),
                      ("update_stack_set", None),
                      ("create_stack_instances", create_stack_instances),
                      ("delete_stack_instances", delete_stack_instances),
                      ("delete_stack_set", None),
                      ("list_stack_set_operation_results", list_stack_set_operation_results)]:
    ORIGINAL[name] = getattr(CloudFormationResponse, name)
    handler = patched or ORIGINAL[name]
    if name != "list_stack_set_operation_results":
        handler = recorded(name, handler)
    setattr(CloudFormationResponse, name, handler)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(service, url):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def prepare(url):
    members = SEED.get("organization")
    if members:
        org = client("organizations", url)
        org.create_organization(FeatureSet="ALL")
        # New member accounts get the seeded ids instead of random ones.
        queue = list(members)
        original = org_utils.make_random_account_id
        org_utils.make_random_account_id = lambda: queue.pop(0) if queue else original()
        for account in members:
            org.create_account(AccountName=f"acct-{account}", Email=f"{account}@example.com")
        if SEED.get("stacksets_access"):
            org.enable_aws_service_access(ServicePrincipal="member.org.stacksets.cloudformation.amazonaws.com")
    s3 = client("s3", url)
    for bucket in SEED.get("buckets", []):
        s3.create_bucket(Bucket=bucket)
        # As the collector stack makes it: encrypted by default (the function sends no
        # encryption header of its own, so the bucket's default applies).
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    sns = client("sns", url)
    for topic in SEED.get("topics", []):
        sns.create_topic(Name=topic)
    # Resources AWS Config does not record, made through their own APIs (moto emulates
    # ElastiCache and EKS), in the account and region the seed names.
    for account, regions in SEED.get("services", {}).items():
        for region, made in regions.items():
            cache = session(account, url, "elasticache", region)
            for cluster in made.get("cache_clusters", []):
                cache.create_cache_cluster(**cluster)
            for group in made.get("replication_groups", []):
                cache.create_replication_group(**group)
            eks = session(account, url, "eks", region)
            for cluster in made.get("eks_clusters", []):
                eks.create_cluster(name=cluster["name"], roleArn=f"arn:aws:iam::{account}:role/eks",
                                   resourcesVpcConfig={"subnetIds": ["subnet-1"]})
                for group in cluster.get("nodegroups", []):
                    eks.create_nodegroup(clusterName=cluster["name"],
                                         nodeRole=f"arn:aws:iam::{account}:role/nodes", **group)


def session(account, url, service, region="us-east-1"):
    """A client acting in `account`: moto maps assumed-role credentials to it."""
    if account == DEFAULT_ACCOUNT:
        return boto3.client(service, endpoint_url=url, region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    creds = client("sts", url).assume_role(RoleArn=f"arn:aws:iam::{account}:role/harness",
                                           RoleSessionName="harness")["Credentials"]
    return boto3.client(service, endpoint_url=url, region_name=region,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def as_json(doc):
    """IAM documents come back parsed, as (URL-encoded) JSON text, or, for policies
    moto's CloudFormation made, as the text of a Python dict."""
    if not isinstance(doc, str):
        return doc
    text = urllib.parse.unquote(doc)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return ast.literal_eval(text)


def answer(line, url):
    words = line.split()
    if not words:
        return None
    if words[0] == "sns":
        from moto.sns import sns_backends
        messages = []
        for account in list(sns_backends.keys()):
            for region, backend in sns_backends[account].items():
                topic = backend.topics.get(words[1])
                if topic:
                    messages.extend(n[1] for n in topic.sent_notifications)
        return messages
    if words[0] == "s3-keys":
        listing = client("s3", url).list_objects_v2(Bucket=words[1])
        return [o["Key"] for o in listing.get("Contents", [])]
    if words[0] == "s3-get":
        obj = client("s3", url).get_object(Bucket=words[1], Key=words[2])
        with open(words[3], "wb") as f:
            f.write(obj["Body"].read())
        return {"ContentType": obj.get("ContentType"), "ServerSideEncryption": obj.get("ServerSideEncryption")}
    if words[0] == "s3-policy":
        s3 = client("s3", url)
        versioning = s3.get_bucket_versioning(Bucket=words[1]).get("Status")
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=words[1])["Policy"])
        except Exception:
            policy = None
        return {"Versioning": versioning, "Policy": policy}
    if words[0] == "s3-encryption":
        rules = client("s3", url).get_bucket_encryption(Bucket=words[1])["ServerSideEncryptionConfiguration"]["Rules"]
        logging = client("s3", url).get_bucket_logging(Bucket=words[1]).get("LoggingEnabled", {})
        return {"Rules": rules, "Logging": logging}
    if words[0] == "s3-put":
        with open(words[3], "rb") as f:
            client("s3", url).put_object(Bucket=words[1], Key=words[2], Body=f.read())
        return "ok"
    if words[0] == "config-types":
        # The resource types AWS's model for Config knows (its ResourceType enum).
        return sorted(service_model().shape_for("ResourceType").enum)
    if words[0] == "buckets":
        return {"names": [b["Name"] for b in client("s3", url).list_buckets().get("Buckets", [])]}
    if words[0] == "stacks":
        cf = session(words[1], url, "cloudformation")
        out = {}
        for stack in cf.describe_stacks().get("Stacks", []):
            if stack["StackStatus"] == "DELETE_COMPLETE":
                continue
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            out[stack["StackName"]] = {"status": stack["StackStatus"], "outputs": outputs}
        return out
    if words[0] == "lambda":
        fn = session(words[1], url, "lambda").get_function(FunctionName=words[2])
        conf = fn["Configuration"]
        location = fn.get("Code", {}).get("Location", "")
        return {"Runtime": conf.get("Runtime"), "Environment": conf.get("Environment", {}).get("Variables", {}),
                "CodeKey": location.split(".amazonaws.com/", 1)[-1],
                "CodeSha256": conf.get("CodeSha256"), "CodeSize": conf.get("CodeSize"),
                "ReservedConcurrency": fn.get("Concurrency", {}).get("ReservedConcurrentExecutions"),
                "DeadLetterTarget": conf.get("DeadLetterConfig", {}).get("TargetArn")}
    if words[0] == "roles":
        return sorted(r["RoleName"] for r in session(words[1], url, "iam").list_roles()["Roles"])
    if words[0] == "role":
        iam = session(words[1], url, "iam")
        role = iam.get_role(RoleName=words[2])["Role"]
        actions, statements = [], []
        for name in iam.list_role_policies(RoleName=words[2])["PolicyNames"]:
            doc = as_json(iam.get_role_policy(RoleName=words[2], PolicyName=name)["PolicyDocument"])
            for st in doc["Statement"]:
                acts = st["Action"]
                actions.extend(acts if isinstance(acts, list) else [acts])
                statements.append(st)
        return {"AssumeRolePolicyDocument": as_json(role["AssumeRolePolicyDocument"]), "Policies": actions,
                "Statements": statements}
    if words[0] == "rule":
        events = session(words[1], url, "events")
        rules = events.list_rules().get("Rules", [])
        if not rules:
            return {}
        rule = rules[0]
        rule["Targets"] = events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", [])
        return json.loads(json.dumps(rule, default=str))
    if words[0] == "stackset":
        cf = client("cloudformation", url)
        try:
            described = cf.describe_stack_set(StackSetName=words[1])["StackSet"]
        except cf.exceptions.StackSetNotFoundException:
            return None
        instances = cf.list_stack_instances(StackSetName=words[1])["Summaries"]
        return {"Status": described["Status"], "PermissionModel": described.get("PermissionModel"),
                "AutoDeployment": described.get("AutoDeployment"),
                "OrganizationalUnitIds": described.get("OrganizationalUnitIds"),
                "Instances": sorted([i["Account"], i["Region"]] for i in instances)}
    if words[0] == "stackset-requests":
        return STACKSET_REQUESTS
    if words[0] == "lambda-proxy":
        return lambda_proxy(words[1], words[2])
    if words[0] == "lambda-calls":
        return PROXIED
    if words[0] == "state-machine":
        values = json.loads(" ".join(words[6:]) or "{}")
        return step_functions.make(client("stepfunctions", url), words[1], words[2], words[3],
                                   words[4], words[5], values)
    if words[0] == "execute":
        return step_functions.execute(client("stepfunctions", url), words[1], words[2],
                                      " ".join(words[3:]) or "{}")
    if words[0] == "state-machines":
        return [m["name"] for m in client("stepfunctions", url).list_state_machines()["stateMachines"]]
    if words[0] == "start":
        return step_functions.start(client("stepfunctions", url), words[1], words[2],
                                    " ".join(words[3:]) or "{}")
    if words[0] == "wait":
        return step_functions.wait(client("stepfunctions", url), words[1])
    if words[0] == "hold":
        step_functions.hold(words[1])
        return "ok"
    if words[0] == "release":
        step_functions.release(words[1])
        return "ok"
    if words[0] == "pass-on":
        step_functions.pass_on(words[1], words[2], words[3])
        return "ok"
    if words[0] == "invoked":
        return step_functions.INVOKED
    if words[0] == "config-calls":
        return CALLS["config"]
    if words[0] == "batch-calls":
        return CALLS["batch"]
    if words[0] == "throttled":
        return CALLS["throttled"]
    if words[0] == "clock":
        return time.monotonic()
    if words[0] == "arrivals":
        with LOCK:
            return ARRIVALS.get(words[1], {})
    if words[0] == "inspector-calls":
        return CALLS.get("inspector", 0)
    if words[0] == "assume-calls":
        return CALLS.get("assume", 0)
    if words[0] == "items":
        with open(words[1], encoding="utf-8") as f:
            SEED["items"] = json.load(f)
        return "ok"
    return {"error": f"unknown command {words[0]}"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", required=True)
    args = ap.parse_args()
    with open(args.seed, encoding="utf-8") as f:
        SEED.update(json.load(f))
    port = free_port()
    # Where moto's Step Functions interpreter sends its own Lambda and S3 calls.
    os.environ["MOTO_PORT"] = str(port)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    if SEED.get("execute_state_machines"):
        step_functions.execute_state_machines()
    prepare(url)
    print(f"READY {url}", flush=True)
    for line in sys.stdin:
        try:
            print(json.dumps(answer(line, url)), flush=True)
        except Exception as e:  # answer, so the test sees the cause instead of hanging
            print(json.dumps({"error": repr(e)}), flush=True)
    server.stop()


if __name__ == "__main__":
    main()
