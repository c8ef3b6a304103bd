"""A stand-in for the AWS CLI on PATH (tests of deploy/deploy.sh and
deploy/bin/pitstop-backup): it records each call as a JSON line in
$FAKE_AWS_LOG and answers what the scripts ask, as the account would.

$FAKE_PROVISION is what Run Command reports: Success, or Failed (the new
release failed its smoke test on the server). $FAKE_NEW_STACK=1: no stack
until a `cloudformation deploy` creates it.
$FAKE_S3_DIR: where `s3 cp FILE s3://…` copies the file.
$FAKE_VOLUMES: a JSON list of what successive `ec2 describe-volumes` calls
answer (the last one again once the list is used up).
"""

import json
import os
import shutil
import sys
from pathlib import Path

OLD_RELEASE = "0ldrelease000"
OLD_LAMBDA = "lambda/lambda_alert-0000000000000000.zip"
IMAGE = "ami-0123456789abcdef0"
GROUP = "pitstop-AutoScalingGroup-ABC"
INSTANCE = "i-0123456789abcdef0"
COMMAND = "c0ffee00-1111-2222-3333-444455556666"


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1] if name in args else ""


def created() -> bool:
    with open(os.environ["FAKE_AWS_LOG"]) as log:
        return any('"cloudformation", "deploy"' in line for line in log)


def main(args: list[str]) -> int:
    record = {"args": args}
    value = option(args, "--value")
    if value.startswith("file://"):
        record["file"] = Path(value.removeprefix("file://")).read_text()
    with open(os.environ["FAKE_AWS_LOG"], "a") as log:
        log.write(json.dumps(record) + "\n")

    query = option(args, "--query")
    match args[:2]:
        case ["s3", "cp"]:
            source, target = [a for a in args[2:] if not a.startswith("-")][-2:]
            if "FAKE_S3_DIR" in os.environ and not source.startswith("s3://"):
                key = target.removeprefix("s3://").split("/", 1)[1]
                copy = Path(os.environ["FAKE_S3_DIR"], key)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
        case ["cloudformation", "describe-stacks"]:
            if os.environ.get("FAKE_NEW_STACK") and not created():
                print(
                    "An error occurred (ValidationError): does not exist",
                    file=sys.stderr,
                )
                return 254
            for name, answer in {
                "ReleaseVersion": OLD_RELEASE,
                "LambdaKey": OLD_LAMBDA,
                "ImageId": IMAGE,
                "AutoScalingGroupName": GROUP,
            }.items():
                if f"'{name}'" in query:
                    print(answer)
                    break
            else:
                print("SiteUrl  http://198.51.100.7/")
        case ["ec2", "describe-volumes"]:
            answers = json.loads(os.environ["FAKE_VOLUMES"])
            with open(os.environ["FAKE_AWS_LOG"]) as log:
                asked = sum('"describe-volumes"' in line for line in log)
            print(answers[min(asked, len(answers)) - 1])
        case ["ssm", "get-parameter"]:
            print(option(args, "--name"))
        case ["autoscaling", "describe-auto-scaling-groups"]:
            print(INSTANCE)
        case ["ssm", "send-command"]:
            print(COMMAND)
        case ["ssm", "get-command-invocation"]:
            ok = os.environ.get("FAKE_PROVISION", "Success") == "Success"
            print(
                {
                    "Status": "Success" if ok else "Failed",
                    "ResponseCode": "0" if ok else "1",
                    "StandardOutputContent": "provision: checking release",
                    "StandardErrorContent": ""
                    if ok
                    else "provision: error: release failed its smoke test",
                }[query]
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
