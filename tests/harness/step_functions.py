"""AWS Step Functions for the local AWS: the collector's state machine, executed.

moto's Step Functions runs a definition with LocalStack's ASL interpreter once its
`execute_state_machine` setting is on. The interpreter calls Lambda's Invoke and S3's
GetObject (a Distributed Map's ItemReader) on moto's own server (`MOTO_PORT`); moto's
Lambda would need Docker to run code, so Invoke of the collector is passed on to the
real function under cargo-lambda's runtime emulator, as `lambda-proxy` does.

The definition is the template's own: `DefinitionString`'s `!Sub` text, with the
template's parameter defaults (or values given) and the function's ARN put in, never a
copy of it.
"""
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml
from moto.awslambda.responses import LambdaResponse
from moto.core.config import default_user_config
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

INVOKED = []
EMULATOR = {}
# Runs whose invocations wait in the harness until released (`hold`, `release`): one
# execution kept running while another starts, whatever the machine's speed.
HELD = {}


def forward(emulator, binary, body, content_type="application/json"):
    """One invocation of the emulator's function `binary`: (status, headers, payload),
    its answer passed back unchanged."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = urllib.request.Request(
        f"{emulator}/2015-03-31/functions/{binary}/invocations", data=body or b"{}", method="POST",
        headers={"Content-Type": content_type or "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=900) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def _invoke(self):
    """moto's Lambda Invoke, answered by the emulator for the function the state
    machine was made for; any other function as moto answers it."""
    name = urllib.parse.unquote(self.path.rsplit("/", 2)[-2])
    function = name.split(":function:")[-1].split(":")[0]
    if not EMULATOR or function != EMULATOR["function"]:
        return _moto_invoke(self)
    payload = json.loads(self.body or "{}")
    held = HELD.get(payload.get("run"))
    if held is not None and not held.wait(timeout=600):
        return 500, {"content-type": "application/json"}, b'{"message": "held past 600 s"}'
    INVOKED.append(payload)
    status, headers, payload = forward(EMULATOR["url"], EMULATOR["binary"], self.body)
    out = {"content-type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
    if headers.get("X-Amz-Function-Error"):
        out["X-Amz-Function-Error"] = headers["X-Amz-Function-Error"]
    # The emulator answers a function error with a 200 and the error header, or with a
    # 5xx of its own; Lambda's Invoke answers 200 with X-Amz-Function-Error either way.
    if status >= 500 and "X-Amz-Function-Error" not in out:
        out["X-Amz-Function-Error"] = "Unhandled"
        status = 200
    return status, out, payload


_moto_invoke = LambdaResponse.invoke
LambdaResponse.invoke = _invoke


class _Executing:
    """Where CloudFormation's state machines are made and deleted: in the interpreter's
    backend once executing is on, as moto's own switch does for the API's."""

    def __getitem__(self, account):
        if default_user_config["stepfunctions"]["execute_state_machine"]:
            return stepfunctions_parser_backends[account]
        return _plain_backends[account]


def _from_cloudformation(cls, name, cfn, account_id, region_name, **kwargs):
    properties = dict(cfn.get("Properties", {}))
    if isinstance(properties.get("DefinitionString"), str):
        properties["DefinitionString"] = decimal_tolerance(properties["DefinitionString"])
    return _cfn_create(cls, name, dict(cfn, Properties=properties), account_id, region_name, **kwargs)


_plain_backends = sfn_models.stepfunctions_backends
sfn_models.stepfunctions_backends = _Executing()
_cfn_create = sfn_models.StateMachine.create_from_cloudformation_json.__func__
sfn_models.StateMachine.create_from_cloudformation_json = classmethod(_from_cloudformation)


def execute_state_machines():
    """From now on, state machines (made by the API or by CloudFormation) run."""
    default_user_config["stepfunctions"]["execute_state_machine"] = True


def pass_on(function, emulator, binary):
    """Invocations of `function` by a state machine go to the emulator at `emulator`,
    which knows it as `binary`."""
    EMULATOR.update({"function": function, "url": emulator, "binary": binary})


class _Tagged(yaml.SafeLoader):
    """CloudFormation's short forms (!Sub, !Ref, ...) read as their long forms."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Tagged.add_multi_constructor("!", _tag)


def definition(template, resource, values):
    """The state machine `resource`'s definition in `template`: its `!Sub` text with
    `values` (names as the text writes them: `Function.Arn`, `AWS::Partition`) and the
    parameters' defaults put in. Any name left unresolved is an error."""
    with open(template, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=_Tagged)
    text = doc["Resources"][resource]["Properties"]["DefinitionString"]["Fn::Sub"]
    known = {name: str(p.get("Default", "")) for name, p in doc.get("Parameters", {}).items()}
    known.update({"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"})
    known.update(values)

    def put(match):
        name = match.group(1)
        if name not in known:
            raise KeyError(f"the definition names ${{{name}}}, which nothing gives")
        return known[name]

    return re.sub(r"\$\{([^}]+)\}", put, text)


def decimal_tolerance(text):
    """The interpreter's grammar reads ToleratedFailurePercentage only as a decimal (its
    lexer takes `100` for an integer token the rule does not accept); AWS's model makes
    it a number (Float), and its own examples write integers. The same number is handed
    on in decimal form: the definition's value is unchanged (`make` checks it)."""
    return re.sub(r'("ToleratedFailurePercentage"\s*:\s*)(\d+)(?=\s*[,}])', r"\1\2.0", text)


def make(client, template, resource, function, emulator, binary, values):
    """The state machine made from the template, its function's invocations passed on to
    the emulator at `emulator` (which knows it as `binary`): its ARN."""
    execute_state_machines()
    pass_on(function, emulator, binary)
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
    values = dict(values)
    values.setdefault("Function.Arn", arn)
    text = definition(template, resource, values)
    given = json.loads(text)  # the template's text is JSON, as Step Functions needs
    text = decimal_tolerance(text)
    assert json.loads(text) == given, "the definition handed on is the template's"
    made = client.create_state_machine(
        name=function, definition=text, type="STANDARD",
        roleArn="arn:aws:iam::123456789012:role/state-machine")
    return {"arn": made["stateMachineArn"]}


def hold(run):
    """The function's invocations for `run` wait until `release(run)`."""
    HELD[run] = threading.Event()


def release(run):
    HELD.pop(run).set()


def start(client, arn, name, payload):
    """Starts an execution named `name`, without waiting: its ARN."""
    return {"executionArn": client.start_execution(stateMachineArn=arn, name=name, input=payload)["executionArn"]}


def execute(client, arn, name, payload, timeout=600):
    """Starts an execution named `name` and waits for it to end: its status, output,
    error and cause."""
    return wait(client, start(client, arn, name, payload)["executionArn"], timeout)


def wait(client, execution, timeout=600):
    """Waits for an execution to end: its status, output, error and cause."""
    name = execution.rsplit(":", 1)[-1]
    deadline = time.monotonic() + timeout
    while True:
        described = client.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            return {"status": "TIMED_OUT_WAITING", "name": name}
        time.sleep(0.5)
    output = described.get("output")
    return {"status": described["status"], "name": name,
            "output": json.loads(output) if output else None,
            "error": described.get("error"), "cause": described.get("cause")}


if __name__ == "__main__":
    # The template's definition as Step Functions receives it (parameter defaults put
    # in), for the ASL validator `make lint` runs: step_functions.py TEMPLATE RESOURCE
    import sys
    print(definition(sys.argv[1], sys.argv[2], {
        "Function.Arn": "arn:aws:lambda:us-east-1:123456789012:function:fedramp-inventory"}))
