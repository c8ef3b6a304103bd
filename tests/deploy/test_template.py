"""deploy/pitstop.yaml on paper: cfn-lint, the notification filters against the
storage layout, and least privilege in every IAM statement."""

import fnmatch

import pytest

from tests.deploy import cfn

# DESIGN.md's storage layout: what the app writes, and what the alert function writes.
TRIGGERS = [
    "reports/daily/2026-11-27/summary.json",
    "reports/weekly/2026-W48/summary.json",
    "events/low-stock/2026-11-27/DRK-001-1234.json",
    "events/low-stock/2026-11-27/CAFÉ 250g-7.json",
]
QUIET = [
    "reports/daily/2026-11-27/sales.csv",
    "reports/daily/2026-11-27/restock.csv",
    "reports/daily/2026-11-27/report.pdf",
    "reports/weekly/2026-W48/sales.csv",
    "reports/weekly/2026-W48/restock.csv",
    "reports/weekly/2026-W48/report.pdf",
    "orders/2026-11-27/daily-2026-11-27.csv",
    "orders/2026-11-27/events-DRK-001-1234.csv",
    "alerts/sent/2026-11-27/3f2a9c0d1e4b5a6978877665544332211aabbccd.json",
    "alerts/sent/unknown/3f2a9c0d1e4b5a6978877665544332211aabbccd.json",
]


def test_cfn_lint_reports_nothing_on_the_template(template):
    from cfnlint.api import ManualArgs, lint_file  # the fixture checked it is there

    # Errors and warnings (cfn-lint's default), in the region of the cost
    # estimate and in the store's own (Sao Paulo).
    matches = lint_file(cfn.TEMPLATE, ManualArgs(regions=["us-east-1", "sa-east-1"]))

    assert [str(match) for match in matches] == []


# ------------------------------------------------------------------------------
# S3 notifications and the storage layout
# ------------------------------------------------------------------------------
def notifications(evaluated) -> list[dict]:
    bucket = evaluated.template["Resources"]["ReportsBucket"]["Properties"]
    config = evaluated.value(bucket["NotificationConfiguration"])
    assert set(config) == {"LambdaConfigurations"}, "only the alert function"
    return config["LambdaConfigurations"]


def notified(evaluated, key: str) -> bool:
    """Whether S3 would invoke the function for this new key (prefix and
    suffix rules of one configuration both hold)."""
    for config in notifications(evaluated):
        rules = {
            rule["Name"].lower(): rule["Value"]
            for rule in config["Filter"]["S3Key"]["Rules"]
        }
        if key.startswith(rules.get("prefix", "")) and key.endswith(
            rules.get("suffix", "")
        ):
            return True
    return False


@pytest.mark.parametrize("key", TRIGGERS)
def test_manifests_and_low_stock_events_invoke_the_alert_function(evaluated, key):
    assert notified(evaluated, key)


@pytest.mark.parametrize("key", QUIET)
def test_report_files_orders_and_markers_invoke_nothing(evaluated, key):
    assert not notified(evaluated, key)


def test_notifications_are_object_created_and_go_to_the_alert_function(evaluated):
    function_arn = evaluated.get_att("AlertFunction", "Arn")
    for config in notifications(evaluated):
        assert config["Event"] == "s3:ObjectCreated:*"
        assert config["Function"] == function_arn


def test_s3_may_invoke_the_function_only_from_the_reports_bucket(evaluated):
    permission = evaluated.value(
        evaluated.template["Resources"]["AlertInvokePermission"]["Properties"]
    )
    bucket = evaluated.template["Resources"]["ReportsBucket"]

    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceArn"] == evaluated.get_att("ReportsBucket", "Arn")
    assert bucket["DependsOn"] == "AlertInvokePermission"


# ------------------------------------------------------------------------------
# IAM: no wildcard actions, S3 only on the bucket's prefixes
# ------------------------------------------------------------------------------
def allow_statements(evaluated) -> list[tuple[str, dict]]:
    resources = evaluated.template["Resources"]
    roles = [name for name, r in resources.items() if r["Type"] == "AWS::IAM::Role"]
    return [
        (role, statement)
        for role in roles
        for statement in cfn.statements(evaluated, role)
        if statement["Effect"] == "Allow"
    ]


def test_no_statement_allows_a_wildcard_action(evaluated):
    statements = allow_statements(evaluated)
    assert statements
    for role, statement in statements:
        assert "NotAction" not in statement, role
        for action in statement["Action"]:
            _, _, name = action.partition(":")
            assert action != "*", role
            assert name and "*" not in name, f"{role}: {action}"


def test_no_statement_allows_a_wildcard_resource(evaluated):
    for role, statement in allow_statements(evaluated):
        assert "NotResource" not in statement, role
        for resource in statement["Resource"]:
            assert resource != "*", f"{role} {statement.get('Sid')}"


def s3_grants(evaluated, role: str) -> dict[str, set[str]]:
    """Each S3 action of the role and the resources it is allowed on."""
    grants: dict[str, set[str]] = {}
    for statement in cfn.statements(evaluated, role):
        for action in statement["Action"]:
            if action.startswith("s3:"):
                grants.setdefault(action, set()).update(statement["Resource"])
    return grants


def test_the_app_reaches_its_bucket_prefixes_and_nothing_else(evaluated):
    bucket = evaluated.get_att("ReportsBucket", "Arn")
    artifacts = f"arn:aws:s3:::{cfn.REQUIRED['ArtifactBucket']}"
    prefixes = {f"{bucket}/{p}/*" for p in ("reports", "events", "orders", "alerts")}

    assert s3_grants(evaluated, "InstanceRole") == {
        "s3:GetObject": prefixes | {f"{artifacts}/releases/*"},
        "s3:PutObject": prefixes,
        "s3:DeleteObject": prefixes,
        "s3:ListBucket": {bucket},
    }


def test_the_alert_function_reads_triggers_and_writes_orders_and_markers(evaluated):
    bucket = evaluated.get_att("ReportsBucket", "Arn")
    reads = {f"{bucket}/reports/*", f"{bucket}/events/*"}
    writes = {f"{bucket}/orders/*", f"{bucket}/alerts/sent/*"}

    assert s3_grants(evaluated, "AlertFunctionRole") == {
        "s3:GetObject": reads,
        "s3:GetObjectVersion": reads,
        "s3:PutObject": writes,
        "s3:DeleteObject": writes,
        "s3:ListBucket": {bucket},
    }


def test_the_function_cannot_write_where_it_would_trigger_itself(evaluated):
    for resource in s3_grants(evaluated, "AlertFunctionRole")["s3:PutObject"]:
        key = resource.split(":::", 1)[1].split("/", 1)[1].replace("*", "x.json")
        assert not notified(evaluated, key)
        assert not notified(evaluated, key.replace("x.json", "summary.json"))


def test_sns_and_sqs_rights_name_their_topic_and_queue(evaluated):
    topic = evaluated.ref("AlertTopic")
    queue = evaluated.get_att("AlertFailureQueue", "Arn")
    by_role = {
        role: {
            action: resource
            for s in cfn.statements(evaluated, role)
            for action in s["Action"]
            if action.split(":")[0] in {"sns", "sqs"}
            for resource in s["Resource"]
        }
        for role in ("InstanceRole", "AlertFunctionRole")
    }

    assert by_role["InstanceRole"] == {
        "sns:Subscribe": topic,
        "sns:Unsubscribe": topic,
        "sns:ListSubscriptionsByTopic": topic,
    }
    assert by_role["AlertFunctionRole"] == {
        "sns:Publish": topic,
        "sqs:SendMessage": queue,
    }


# ------------------------------------------------------------------------------
# What the issue asks the stack to hold
# ------------------------------------------------------------------------------
def test_parameters_cover_what_the_owner_chooses(template):
    assert {
        "InstanceType",
        "KeyName",
        "SshCidr",
        "DomainName",
        "AlertEmail",
        "AlertPhone",
        "DataVolumeSize",
        "SnapshotRetention",
    } <= set(template["Parameters"])
    for name in ("LatestArm64ImageId", "LatestX8664ImageId"):
        assert template["Parameters"][name]["Type"] == (
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
        )
        assert "al2023-ami" in template["Parameters"][name]["Default"]


def test_every_instance_type_gets_an_image_of_its_architecture(template):
    for instance_type in template["Parameters"]["InstanceType"]["AllowedValues"]:
        evaluator = cfn.Evaluator(template, {"InstanceType": instance_type})
        expected = "arm64" if instance_type.startswith("t4g") else "x86_64"
        assert evaluator.condition("IsArm64") == (expected == "arm64")


def test_data_volume_is_snapshotted_nightly_and_on_delete(evaluated):
    resources = evaluated.template["Resources"]
    volume = resources["DataVolume"]
    tags = {t["Key"]: t["Value"] for t in evaluated.value(volume["Properties"]["Tags"])}
    policy = evaluated.value(resources["SnapshotPolicy"]["Properties"])
    details = policy["PolicyDetails"]

    assert volume["DeletionPolicy"] == volume["UpdateReplacePolicy"] == "Snapshot"
    assert evaluated.value(volume["Properties"])["VolumeType"] == "gp3"
    assert details["ResourceTypes"] == ["VOLUME"]
    for target in details["TargetTags"]:
        assert tags[target["Key"]] == target["Value"]
    (schedule,) = details["Schedules"]
    assert schedule["CreateRule"]["Interval"] == 24
    assert schedule["RetainRule"]["Count"] == evaluated.params["SnapshotRetention"]
    attached = evaluated.value(resources["Instance"]["Properties"]["Volumes"])
    assert attached == [{"Device": "/dev/sdf", "VolumeId": evaluated.ref("DataVolume")}]


def test_bucket_is_private_encrypted_versioned_and_ages_reports(evaluated):
    bucket = evaluated.value(evaluated.template["Resources"]["ReportsBucket"])
    props = bucket["Properties"]

    assert bucket["DeletionPolicy"] == "Retain"
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["old-reports-cheaper"]["Prefix"] == "reports/"
    assert rules["old-reports-cheaper"]["Transitions"]


def test_alert_function_parks_failures_and_raises_alarms(evaluated):
    resources = evaluated.template["Resources"]
    function = evaluated.value(resources["AlertFunction"]["Properties"])
    invoke = evaluated.value(resources["AlertInvokeConfig"]["Properties"])
    alarmed = [
        evaluated.value(r["Properties"])
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]

    assert function["Runtime"] == "python3.12"
    assert function["Handler"] == "lambda_alert.handler.handler"
    assert function["Environment"]["Variables"]["ALERT_TOPIC_ARN"] == evaluated.ref(
        "AlertTopic"
    )
    assert invoke["FunctionName"] == evaluated.ref("AlertFunction")
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == (
        evaluated.get_att("AlertFailureQueue", "Arn")
    )
    metrics = {(a["Namespace"], a["MetricName"]) for a in alarmed}
    assert ("AWS/Lambda", "Errors") in metrics
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in metrics
    assert all(evaluated.ref("AlertTopic") in a["AlarmActions"] for a in alarmed)


def test_whatsapp_settings_reach_the_function_only_when_configured(template):
    off = cfn.Evaluator(template)
    on = cfn.Evaluator(
        template,
        {
            "WhatsAppWebhookUrl": "https://graph.example.com/v1/messages",
            "WhatsAppToken": "secret",
            "WhatsAppTo": "+5511987654321",
        },
    )
    props = template["Resources"]["AlertFunction"]["Properties"]

    assert not fnmatch.filter(off.value(props)["Environment"]["Variables"], "WHATSAPP*")
    assert on.value(props)["Environment"]["Variables"]["WHATSAPP_TOKEN"] == "secret"


@pytest.mark.parametrize(
    ("overrides", "email", "sms"),
    [
        ({}, False, False),
        ({"AlertEmail": "owner@example.com"}, True, False),
        ({"AlertPhone": "+5511987654321"}, False, True),
    ],
)
def test_subscriptions_follow_the_alert_parameters(template, overrides, email, sms):
    evaluator = cfn.Evaluator(template, overrides)

    assert evaluator.active("AlertEmailSubscription") is email
    assert evaluator.active("AlertSmsSubscription") is sms


def test_ssh_is_closed_unless_a_cidr_is_given(template):
    ingress = template["Resources"]["WebSecurityGroup"]["Properties"]
    ports = {rule["FromPort"] for rule in ingress["SecurityGroupIngress"]}

    assert ports == {80, 443}
    assert not cfn.Evaluator(template).active("SshIngress")
    assert cfn.Evaluator(template, {"SshCidr": "203.0.113.7/32"}).active("SshIngress")


def test_outputs_name_the_site_the_bucket_and_the_topic(template):
    with_domain = cfn.Evaluator(template, {"DomainName": "shop.example.com"})
    without = cfn.Evaluator(template)
    outputs = template["Outputs"]

    assert {"SiteUrl", "ReportsBucketName", "AlertTopicArn"} <= set(outputs)
    assert with_domain.value(outputs["SiteUrl"]["Value"]) == "https://shop.example.com/"
    assert without.value(outputs["SiteUrl"]["Value"]) == "http://198.51.100.7/"
