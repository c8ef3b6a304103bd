"""moto's CloudFormation creates the stack from the template. moto lacks a few
resource types; those are left out here, and only if nothing refers to them
(so leaving them out cannot hide a broken reference)."""

import io
import json
import zipfile

import boto3
from moto.cloudformation.parsing import get_model_map

from tests.deploy import cfn

# What moto 5 cannot create; each is a leaf of the template.
UNSUPPORTED = {
    "AWS::CloudWatch::Alarm",
    "AWS::DLM::LifecyclePolicy",
    "AWS::Logs::MetricFilter",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription",
}


def references(node, name: str) -> bool:
    """Whether a Ref, GetAtt, Sub or DependsOn in node names the resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and value == name:
                return True
            if key == "Fn::GetAtt" and (
                value[0] == name if isinstance(value, list) else value.startswith(name)
            ):
                return True
            if key == "DependsOn" and name in cfn.as_list(value):
                return True
            if references(value, name):
                return True
    elif isinstance(node, list):
        return any(references(item, name) for item in node)
    elif isinstance(node, str):
        return f"${{{name}}}" in node or f"${{{name}." in node
    return False


def for_moto(template: dict) -> dict:
    template = json.loads(json.dumps(template))
    resources = template["Resources"]
    left_out = {n for n, r in resources.items() if r["Type"] not in get_model_map()}

    assert {resources[n]["Type"] for n in left_out} <= UNSUPPORTED
    for name in left_out:
        del resources[name]
    for name in left_out:
        assert not references(template, name), f"{name} is referred to"
    return template


def artifacts() -> None:
    """The artifact bucket deploy.sh fills: the function's zip."""
    s3 = boto3.client("s3", region_name=cfn.REGION)
    s3.create_bucket(Bucket=cfn.REQUIRED["ArtifactBucket"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_alert/__init__.py", "")
        archive.writestr(
            "lambda_alert/handler.py", "def handler(event, context): ...\n"
        )
    s3.put_object(
        Bucket=cfn.REQUIRED["ArtifactBucket"],
        Key=cfn.REQUIRED["LambdaKey"],
        Body=buffer.getvalue(),
    )


def test_moto_creates_the_stack_with_its_outputs(template, aws_mock):
    artifacts()
    cloudformation = boto3.client("cloudformation", region_name=cfn.REGION)
    parameters = {**cfn.REQUIRED, "AlertEmail": "owner@example.com"}

    cloudformation.create_stack(
        StackName=cfn.STACK,
        TemplateBody=json.dumps(for_moto(template)),
        Parameters=[
            {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
        ],
        Capabilities=["CAPABILITY_IAM"],
    )

    (stack,) = cloudformation.describe_stacks(StackName=cfn.STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert outputs["SecretKeyParameter"] == f"/pitstop/{cfn.STACK}/django-secret-key"
    assert outputs["SiteUrl"] == f"http://{outputs['SiteAddress']}/"
    assert outputs["AlertTopicArn"].startswith(f"arn:aws:sns:{cfn.REGION}:")
    assert outputs["ImageId"].startswith("ami-")
    bucket = outputs["ReportsBucketName"]
    assert bucket.startswith(f"pitstop-{stack['StackId'].split(':')[4]}-{cfn.REGION}-")
    boto3.client("s3", region_name=cfn.REGION).head_bucket(Bucket=bucket)

    # The name the invoke permission computes is the bucket's own.
    function = outputs["AlertFunctionName"]
    policy = boto3.client("lambda", region_name=cfn.REGION).get_policy(
        FunctionName=function
    )
    (statement,) = json.loads(policy["Policy"])["Statement"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:s3:::{bucket}"
    )

    # One server, from the launch template, IMDSv2 only.
    (group,) = boto3.client(
        "autoscaling", region_name=cfn.REGION
    ).describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["AutoScalingGroupName"]]
    )["AutoScalingGroups"]
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (1, 1, 1)
    template_id = group["LaunchTemplate"]["LaunchTemplateId"]
    (version,) = boto3.client(
        "ec2", region_name=cfn.REGION
    ).describe_launch_template_versions(LaunchTemplateId=template_id)[
        "LaunchTemplateVersions"
    ]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in data
