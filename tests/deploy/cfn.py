"""Reading deploy/pitstop.yaml offline: cfn-lint's own YAML loader (it knows the
short-form tags, !Sub and friends) and a small evaluator of the intrinsic
functions the template uses, so tests can ask what an ARN or a script becomes
for given parameters without AWS."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "pitstop.yaml"

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "pitstop"
STACK_ID = (
    f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/"
    "c0ffee12-3456-7890-abcd-ef0123456789"
)
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::StackName": STACK,
    "AWS::StackId": STACK_ID,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
# Required parameters (no default) as deploy/deploy.sh passes them.
REQUIRED = {
    "ArtifactBucket": "pitstop-artifacts",
    "ReleaseVersion": "0123456789ab",
    "LambdaKey": "lambda/lambda_alert-0123456789abcdef.zip",
}


def plain(node: Any) -> Any:
    """cfn-lint's nodes (dict_node, str_node…) as plain dicts, lists and str."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    if isinstance(node, str):
        return str(node)
    return node


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data, through cfn-lint's YAML decoder."""
    from cfnlint.decode import cfn_yaml

    return plain(cfn_yaml.load(str(path)))


class NoValue:
    """AWS::NoValue: the key or item it stands for disappears."""


@dataclass
class Evaluator:
    """Resolves intrinsic functions for one set of parameters."""

    template: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.params = {
            name: str(spec.get("Default", ""))
            for name, spec in self.template.get("Parameters", {}).items()
        }
        self.params.update(REQUIRED)
        self.params.update(self.overrides)
        # SSM parameter types resolve to an image id.
        for name, spec in self.template["Parameters"].items():
            if spec["Type"].startswith("AWS::SSM::Parameter::Value"):
                self.params[name] = "ami-0123456789abcdef0"

    # -- conditions ------------------------------------------------------------
    def condition(self, name: str) -> bool:
        return bool(self.value(self.template["Conditions"][name]))

    def active(self, logical_id: str) -> bool:
        resource = self.template["Resources"][logical_id]
        return "Condition" not in resource or self.condition(resource["Condition"])

    # -- values ----------------------------------------------------------------
    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self.value(item) for item in node]
            return [item for item in items if item is not NoValue]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            function = _FUNCTIONS.get(key)
            if function:
                return function(self, arg)
        values = {key: self.value(item) for key, item in node.items()}
        return {key: item for key, item in values.items() if item is not NoValue}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NoValue
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        return self.physical_id(name)

    def physical_id(self, logical_id: str) -> str:
        resource = self.template["Resources"][logical_id]
        kind = resource["Type"]
        if kind == "AWS::S3::Bucket":
            return self.value(resource["Properties"]["BucketName"])
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-{logical_id}"
        if kind == "AWS::EC2::EIP":
            return "198.51.100.7"
        return f"{STACK}-{logical_id}"

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        if kind == "AWS::S3::Bucket" and attribute == "Arn":
            return f"arn:aws:s3:::{self.physical_id(logical_id)}"
        return f"{self.physical_id(logical_id)}.{attribute}"

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        variables = {name: self.value(node) for name, node in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name:
                return self.get_att(*name.split(".", 1))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)


def _if(evaluator: Evaluator, arg: list[Any]) -> Any:
    name, then, otherwise = arg
    return evaluator.value(then if evaluator.condition(name) else otherwise)


def _get_att(evaluator: Evaluator, arg: Any) -> str:
    logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
    return evaluator.get_att(logical_id, attribute)


def _find_in_map(evaluator: Evaluator, arg: list[Any]) -> Any:
    name, first, second = (evaluator.value(item) for item in arg)
    return evaluator.template["Mappings"][name][first][second]


_FUNCTIONS = {
    "Ref": lambda e, arg: e.ref(arg),
    "Fn::Sub": lambda e, arg: e.sub(arg),
    "Fn::GetAtt": _get_att,
    "Fn::Join": lambda e, arg: arg[0].join(str(v) for v in e.value(arg[1])),
    "Fn::Select": lambda e, arg: e.value(arg[1])[int(e.value(arg[0]))],
    "Fn::Split": lambda e, arg: e.value(arg[1]).split(arg[0]),
    "Fn::GetAZs": lambda e, arg: [f"{REGION}a", f"{REGION}b"],
    "Fn::Base64": lambda e, arg: e.value(arg),  # left readable for the tests
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::Equals": lambda e, arg: e.value(arg[0]) == e.value(arg[1]),
    "Fn::Not": lambda e, arg: not e.value(arg[0]),
    "Fn::And": lambda e, arg: all(e.value(item) for item in arg),
    "Fn::Or": lambda e, arg: any(e.value(item) for item in arg),
    "Condition": lambda e, arg: e.condition(arg),
}


def statements(evaluator: Evaluator, logical_id: str) -> list[dict[str, Any]]:
    """Every policy statement that applies to a role: its inline policies and
    the AWS::IAM::Policy resources attached to it, evaluated."""
    resources = evaluator.template["Resources"]
    documents = [
        policy["PolicyDocument"]
        for policy in resources[logical_id]["Properties"].get("Policies", [])
    ]
    documents += [
        resource["Properties"]["PolicyDocument"]
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": logical_id} in resource["Properties"]["Roles"]
    ]
    found = []
    for document in documents:
        for statement in evaluator.value(document)["Statement"]:
            found.append(
                {
                    **statement,
                    "Action": as_list(statement["Action"]),
                    "Resource": as_list(statement["Resource"]),
                }
            )
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
