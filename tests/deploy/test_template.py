"""deploy/pitstop.yaml on paper: cfn-lint, the notification filters against the
storage layout, least privilege in every IAM statement, backups, no SSH, the
group of one, alarms and their topic."""

import fnmatch
import json
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lambda_alert import sendonce
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
    "reports/daily/2026-11-27/waste.csv",
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


# Actions AWS authorizes on no resource but "*" (EC2's Describe calls,
# PutMetricData); the latter is held to the stack's namespace by a condition.
RESOURCELESS = {"ec2:DescribeVolumes", "cloudwatch:PutMetricData"}


def test_no_statement_allows_a_wildcard_resource(evaluated):
    for role, statement in allow_statements(evaluated):
        assert "NotResource" not in statement, role
        for resource in statement["Resource"]:
            if resource == "*":
                assert set(statement["Action"]) <= RESOURCELESS, statement


def test_metrics_are_allowed_only_into_the_stacks_namespace(evaluated):
    (statement,) = [
        s
        for s in cfn.statements(evaluated, "InstanceRole")
        if "cloudwatch:PutMetricData" in s["Action"]
    ]

    assert statement["Action"] == ["cloudwatch:PutMetricData"]
    assert statement["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": f"Pitstop/{cfn.STACK}"}
    }


def test_the_server_attaches_only_its_tagged_volume_to_its_own_instances(evaluated):
    grants = {
        s["Sid"]: s
        for s in cfn.statements(evaluated, "InstanceRole")
        if {"ec2:AttachVolume", "ec2:AssociateAddress"} & set(s["Action"])
    }

    volume = grants["AttachTheDataVolume"]
    assert volume["Resource"] == [f"arn:aws:ec2:{cfn.REGION}:{cfn.ACCOUNT}:volume/*"]
    assert volume["Condition"] == {
        "StringEquals": {"aws:ResourceTag/pitstop-data": cfn.STACK}
    }
    own = grants["ToItsOwnServer"]
    assert own["Condition"] == {
        "StringEquals": {"aws:ResourceTag/pitstop-stack": cfn.STACK}
    }
    allocation = evaluated.get_att("ElasticIp", "AllocationId")
    assert grants["TakeTheAddress"]["Resource"] == [
        f"arn:aws:ec2:{cfn.REGION}:{cfn.ACCOUNT}:elastic-ip/{allocation}"
    ]


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

    backups = f"{bucket}/backups/*"

    # Dumps go in and come back for a restore; they are never deleted from here.
    assert s3_grants(evaluated, "InstanceRole") == {
        "s3:GetObject": prefixes | {f"{artifacts}/releases/*", backups},
        "s3:PutObject": prefixes | {backups},
        "s3:DeleteObject": prefixes,
        "s3:ListBucket": {bucket},
    }


def test_the_alert_function_reads_triggers_and_writes_orders_and_markers(evaluated):
    bucket = evaluated.get_att("ReportsBucket", "Arn")
    reads = {f"{bucket}/reports/*", f"{bucket}/events/*"}
    writes = {f"{bucket}/orders/*", f"{bucket}/alerts/sent/*"}

    assert s3_grants(evaluated, "AlertFunctionRole") == {
        # Its markers too: a claim's age decides whether a retry takes it over.
        "s3:GetObject": reads | {f"{bucket}/alerts/sent/*"},
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
        "DomainName",
        "AlertEmail",
        "AlertPhone",
        "OpsEmail",
        "DataVolumeSize",
        "SnapshotRetentionDays",
        "BackupRegion",
        "OffsiteSnapshotRetentionDays",
        "BackupRetentionDays",
        "ReportVersionRetentionDays",
    } <= set(template["Parameters"])
    assert {"KeyName", "SshCidr", "WhatsAppToken"}.isdisjoint(template["Parameters"])
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


def test_data_volume_is_snapshotted_every_6_hours_and_on_delete(evaluated):
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
    assert schedule["CreateRule"]["Interval"] == 6
    assert schedule["CreateRule"]["IntervalUnit"] == "HOURS"
    assert schedule["RetainRule"] == {
        "Interval": evaluated.params["SnapshotRetentionDays"],
        "IntervalUnit": "DAYS",
    }
    # The server finds it by this tag (provision.sh), not by its id.
    assert tags["pitstop-data"] == cfn.STACK


def test_every_snapshot_is_copied_encrypted_to_another_region(template):
    evaluator = cfn.Evaluator(
        template, {"BackupRegion": "us-west-2", "OffsiteSnapshotRetentionDays": "45"}
    )
    policy = evaluator.value(template["Resources"]["SnapshotPolicy"]["Properties"])
    (schedule,) = policy["PolicyDetails"]["Schedules"]

    assert schedule["CrossRegionCopyRules"] == [
        {
            "Target": "us-west-2",
            "Encrypted": True,
            "CopyTags": True,
            "RetainRule": {"Interval": "45", "IntervalUnit": "DAYS"},
        }
    ]
    (rule,) = template["Rules"].values()
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "BackupRegion"}, {"Ref": "AWS::Region"}]}]
    }


def test_dumps_and_report_versions_are_kept_as_the_parameters_say(template):
    evaluator = cfn.Evaluator(
        template, {"BackupRetentionDays": "60", "ReportVersionRetentionDays": "3650"}
    )
    bucket = evaluator.value(template["Resources"]["ReportsBucket"]["Properties"])
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}

    assert rules["database-dumps-expire"]["Prefix"] == "backups/"
    assert rules["database-dumps-expire"]["ExpirationInDays"] == "60"
    reports = rules["old-reports-cheaper"]
    assert reports["NoncurrentVersionExpiration"] == {"NoncurrentDays": "3650"}
    # No rule without a prefix expires versions: it would cut the reports' short.
    for rule in rules.values():
        if "Prefix" not in rule:
            assert "NoncurrentVersionExpiration" not in rule
            assert "ExpirationInDays" not in rule


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


def test_whatsapp_settings_reach_the_function_only_when_configured(template):
    off = cfn.Evaluator(template)
    on = cfn.Evaluator(
        template,
        {
            "WhatsAppWebhookUrl": "https://graph.example.com/v1/messages",
            "WhatsAppTo": "+5511987654321",
        },
    )
    props = template["Resources"]["AlertFunction"]["Properties"]

    assert not fnmatch.filter(off.value(props)["Environment"]["Variables"], "WHATSAPP*")
    variables = on.value(props)["Environment"]["Variables"]
    # The token itself is in Parameter Store, which the function may read.
    assert "WHATSAPP_TOKEN" not in variables
    parameter = variables["WHATSAPP_TOKEN_PARAMETER"]
    assert parameter == f"/pitstop/{cfn.STACK}/whatsapp-token"
    reads = [
        s
        for s in cfn.statements(on, "AlertFunctionRole")
        if s["Action"] == ["ssm:GetParameter"]
    ]
    assert [s["Resource"] for s in reads] == [
        [f"arn:aws:ssm:{cfn.REGION}:{cfn.ACCOUNT}:parameter{parameter}"]
    ]


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


def test_no_ssh_port_no_key_pair_session_manager_instead(template, evaluated):
    resources = template["Resources"]
    ingress = resources["WebSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    launch = resources["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    role = evaluated.value(resources["InstanceRole"]["Properties"])

    assert {(r["FromPort"], r["ToPort"]) for r in ingress} == {(80, 80), (443, 443)}
    assert not [r for r in resources.values() if r["Type"].endswith("Ingress")]
    assert "KeyName" not in launch
    assert "KeyName" not in str(template)
    assert "SshCidr" not in str(template)
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    ]


def test_the_server_requires_imdsv2_with_one_hop(template):
    launch = template["Resources"]["LaunchTemplate"]["Properties"]

    assert launch["LaunchTemplateData"]["MetadataOptions"] == {
        "HttpEndpoint": "enabled",
        "HttpTokens": "required",
        "HttpPutResponseHopLimit": 1,
    }


def test_one_server_from_a_launch_template_in_the_pinned_subnet(template, evaluated):
    resources = template["Resources"]
    group = resources["AutoScalingGroup"]
    props = evaluated.value(group["Properties"])
    launch = evaluated.value(resources["LaunchTemplate"]["Properties"])

    assert [r for r in resources.values() if r["Type"] == "AWS::EC2::Instance"] == []
    assert props["MinSize"] == props["MaxSize"] == props["DesiredCapacity"] == "1"
    assert props["VPCZoneIdentifier"] == [evaluated.ref("PublicSubnet")]
    assert props["LaunchTemplate"] == {
        "LaunchTemplateId": evaluated.ref("LaunchTemplate"),
        "Version": evaluated.get_att("LaunchTemplate", "LatestVersionNumber"),
    }
    # The data volume lives in the subnet's zone; the old server goes first.
    volume = evaluated.value(resources["DataVolume"]["Properties"])
    assert volume["AvailabilityZone"] == evaluated.get_att(
        "PublicSubnet", "AvailabilityZone"
    )
    rolling = group["UpdatePolicy"]["AutoScalingRollingUpdate"]
    assert rolling["MinInstancesInService"] == 0
    assert rolling["WaitOnResourceSignals"] is True
    assert group["CreationPolicy"]["ResourceSignal"]["Count"] == 1
    tags = launch["LaunchTemplateData"]["TagSpecifications"][0]["Tags"]
    assert {"Key": "pitstop-stack", "Value": cfn.STACK} in tags
    assert launch["LaunchTemplateData"]["IamInstanceProfile"] == {
        "Arn": evaluated.get_att("InstanceProfile", "Arn")
    }


# Each alarm: what it watches; every one goes to the operations topic.
ALARMS = {
    "SiteDownAlarm": ("AWS/Lambda", "Errors"),
    "ServerStatusAlarm": ("AWS/EC2", "StatusCheckFailed"),
    "RootDiskAlarm": ("Pitstop/pitstop", "disk_used_percent"),
    "DataDiskAlarm": ("Pitstop/pitstop", "disk_used_percent"),
    "MemoryAlarm": ("Pitstop/pitstop", "mem_used_percent"),
    "BackupsMissingAlarm": ("Pitstop/pitstop", "BackupsSucceeded"),
    "SnapshotsFailedAlarm": ("AWS/DataLifecycleManager", "SnapshotsCreateFailed"),
    "SnapshotCopiesFailedAlarm": (
        "AWS/DataLifecycleManager",
        "SnapshotsCopiedRegionFailed",
    ),
    "AlertErrorsAlarm": ("AWS/Lambda", "Errors"),
    "AlertFailuresAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
}


def test_alarms_watch_the_server_the_backups_and_the_site(evaluated):
    resources = evaluated.template["Resources"]
    alarms = {
        name: evaluated.value(r["Properties"])
        for name, r in resources.items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }

    assert {n: (a["Namespace"], a["MetricName"]) for n, a in alarms.items()} == ALARMS
    dimensions = {n: a.get("Dimensions", []) for n, a in alarms.items()}
    assert dimensions["RootDiskAlarm"] == [{"Name": "path", "Value": "/"}]
    assert dimensions["DataDiskAlarm"] == [{"Name": "path", "Value": "/data"}]
    assert alarms["RootDiskAlarm"]["Threshold"] == 80
    assert alarms["DataDiskAlarm"]["Threshold"] == 80
    assert dimensions["SnapshotsFailedAlarm"] == [
        {"Name": "DLMPolicyId", "Value": evaluated.ref("SnapshotPolicy")}
    ]
    assert dimensions["SiteDownAlarm"] == [
        {"Name": "FunctionName", "Value": evaluated.ref("HealthCheckFunction")}
    ]
    assert dimensions["ServerStatusAlarm"] == [
        {"Name": "AutoScalingGroupName", "Value": evaluated.ref("AutoScalingGroup")}
    ]
    assert alarms["BackupsMissingAlarm"]["TreatMissingData"] == "breaching"


def test_every_alarm_goes_to_the_ops_topic_never_the_managers(evaluated):
    resources = evaluated.template["Resources"]
    ops, managers = evaluated.ref("OpsTopic"), evaluated.ref("AlertTopic")

    for name in ALARMS:
        alarm = evaluated.value(resources[name]["Properties"])
        actions = alarm["AlarmActions"] + alarm.get("OKActions", [])
        assert alarm["AlarmActions"] == [ops], name
        assert managers not in actions, name


@pytest.mark.parametrize(
    ("overrides", "endpoint"),
    [
        ({}, None),
        ({"AlertEmail": "owner@example.com"}, "owner@example.com"),
        (
            {"AlertEmail": "owner@example.com", "OpsEmail": "it@example.com"},
            "it@example.com",
        ),
    ],
)
def test_ops_mail_goes_to_ops_email_else_the_alert_email(template, overrides, endpoint):
    evaluator = cfn.Evaluator(template, overrides)
    subscription = template["Resources"]["OpsEmailSubscription"]

    assert evaluator.active("OpsEmailSubscription") is (endpoint is not None)
    if endpoint:
        assert evaluator.value(subscription["Properties"])["Endpoint"] == endpoint


def test_the_agent_ships_what_the_alarms_and_log_groups_expect(template, evaluated):
    config = json.loads((cfn.DEPLOY / "cloudwatch-agent.json").read_text())
    resources = template["Resources"]
    groups = {
        evaluated.value(r["Properties"])["LogGroupName"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    shipped = config["logs"]["logs_collected"]["journald"]["collect_list"]

    units = set()
    for entry in shipped:
        name = entry["log_group_name"].replace(
            "__LOG_GROUP_PREFIX__", "/pitstop/pitstop"
        )
        assert groups[name]["RetentionInDays"] == 90
        units |= set(entry["units"])
    assert {
        "pitstop-web",
        "pitstop-worker",
        "pitstop-beat",
        "nginx",
        "postgresql",
    } <= units
    metrics = config["metrics"]
    assert metrics["namespace"] == "__METRICS_NAMESPACE__"
    assert metrics["metrics_collected"]["disk"]["resources"] == ["/", "/data"]
    assert ["path"] in metrics["aggregation_dimensions"]
    assert "mem_used_percent" in metrics["metrics_collected"]["mem"]["measurement"]
    init = resources["LaunchTemplate"]["Metadata"]["AWS::CloudFormation::Init"]
    stack_env = evaluated.value(init["settings"]["files"]["/etc/pitstop/stack.env"])
    assert "METRICS_NAMESPACE=Pitstop/pitstop\n" in stack_env["content"]
    assert "LOG_GROUP_PREFIX=/pitstop/pitstop\n" in stack_env["content"]


def test_backup_log_lines_count_as_the_metric_the_alarm_watches(evaluated):
    resources = evaluated.template["Resources"]
    metric = evaluated.value(resources["BackupsSucceededMetric"]["Properties"])
    backup = (cfn.DEPLOY / "bin" / "pitstop-backup").read_text()

    assert metric["LogGroupName"] == evaluated.ref("BackupLogGroup")
    assert metric["FilterPattern"] == '"backup ok"'
    assert 'echo "backup ok: ' in backup
    (transformation,) = metric["MetricTransformations"]
    assert transformation["MetricNamespace"] == "Pitstop/pitstop"
    assert transformation["MetricName"] == "BackupsSucceeded"


# boto3 in the alert function (#10): connect 3 s, read 10 s, standard retries
# (3 attempts, backoff under 1 + 2 s).
ONE_STUCK_CALL = 3 * (3 + 10) + 1 + 2


def test_alert_function_timeout_and_claim_lease_fit_its_boto3_timeouts(evaluated):
    function = evaluated.value(
        evaluated.template["Resources"]["AlertFunction"]["Properties"]
    )
    lease = int(function["Environment"]["Variables"]["ALERT_CLAIM_LEASE_SECONDS"])

    assert function["Timeout"] >= 2 * ONE_STUCK_CALL
    assert function["Timeout"] < lease <= function["Timeout"] + 60
    # The code's default, should the variable be left out, is as safe.
    assert function["Timeout"] < sendonce.LEASE_SECONDS


def health_check_code(template) -> dict:
    code = template["Resources"]["HealthCheckFunction"]["Properties"]["Code"]
    namespace: dict = {}
    exec(compile(code["ZipFile"], "index.py", "exec"), namespace)
    return namespace


@pytest.fixture
def site():
    """A stand-in site on 127.0.0.1 whose /healthz answers what the test sets."""
    answer = {"code": 200, "body": b'{"status": "ok", "release": "abc"}'}

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(answer["code"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    answer["url"] = f"http://127.0.0.1:{server.server_port}/healthz"
    yield answer
    server.shutdown()
    server.server_close()


def test_the_outside_health_check_raises_unless_the_site_says_ok(
    template, site, monkeypatch
):
    handler = health_check_code(template)["handler"]
    monkeypatch.setenv("HEALTH_URL", site["url"])
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    assert handler({}, None) == {"status": "ok", "release": "abc"}
    site["code"], site["body"] = 503, b'{"status": "unavailable", "release": "abc"}'
    with pytest.raises(urllib.error.HTTPError):
        handler({}, None)
    site["code"], site["body"] = 200, b'{"status": "starting"}'
    with pytest.raises(RuntimeError):
        handler({}, None)


def test_the_health_check_asks_the_sites_healthz_every_5_minutes(template):
    with_domain = cfn.Evaluator(template, {"DomainName": "shop.example.com"})
    resources = template["Resources"]
    props = resources["HealthCheckFunction"]["Properties"]
    schedule = with_domain.value(resources["HealthCheckSchedule"]["Properties"])

    assert with_domain.value(props)["Environment"]["Variables"]["HEALTH_URL"] == (
        "https://shop.example.com/healthz"
    )
    assert cfn.Evaluator(template).value(props)["Environment"]["Variables"][
        "HEALTH_URL"
    ] == ("http://198.51.100.7/healthz")
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert schedule["Targets"][0]["Arn"] == with_domain.get_att(
        "HealthCheckFunction", "Arn"
    )


def test_each_checkov_suppression_is_justified_inline(template):
    skips = [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    assert skips
    for name, skip in skips:
        assert skip["id"].startswith("CKV_"), name
        assert len(skip.get("comment", "").split()) >= 15, f"{name} {skip['id']}"


def test_outputs_name_the_site_the_bucket_and_the_topic(template):
    with_domain = cfn.Evaluator(template, {"DomainName": "shop.example.com"})
    without = cfn.Evaluator(template)
    outputs = template["Outputs"]

    assert {"SiteUrl", "ReportsBucketName", "AlertTopicArn"} <= set(outputs)
    assert with_domain.value(outputs["SiteUrl"]["Value"]) == "https://shop.example.com/"
    assert without.value(outputs["SiteUrl"]["Value"]) == "http://198.51.100.7/"


def test_the_server_may_read_the_payment_webhook_secret_and_nothing_else_new(
    evaluated,
):
    reads = [
        s
        for s in cfn.statements(evaluated, "InstanceRole")
        if s["Action"] == ["ssm:GetParameter"]
    ]
    prefix = f"arn:aws:ssm:{cfn.REGION}:{cfn.ACCOUNT}:parameter/pitstop/{cfn.STACK}/"

    assert [sorted(s["Resource"]) for s in reads] == [
        [prefix + "django-secret-key", prefix + "payment-webhook-secret"]
    ]
    outputs = evaluated.value(evaluated.template["Outputs"])
    assert outputs["PaymentWebhookSecretParameter"]["Value"] == (
        f"/pitstop/{cfn.STACK}/payment-webhook-secret"
    )
