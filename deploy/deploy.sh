#!/usr/bin/env bash
# Build the alert function's zip and the release archive from the committed
# HEAD, upload both to the artifact bucket, create or update the stack, then
# provision the server through SSM Run Command and wait for its exit code
# (docs/deploy.md).
#
#   deploy/deploy.sh STACK ARTIFACT_BUCKET [Parameter=Value ...]
#
# e.g. deploy/deploy.sh pitstop my-artifacts-bucket AlertEmail=owner@example.com \
#          DomainName=shop.example.com BackupRegion=us-east-1
# Parameters not given keep their current value on an update. WhatsAppToken=...
# and PaymentWebhookSecret=... (what a payment service signs the kiosk's
# payment webhook with) go to Parameter Store (SecureString), never to the stack.
#
# On the server the new release answers on a side port before it goes live and
# again after; if it fails, the server goes back to the release before, the
# stack's ReleaseVersion and LambdaKey go back too, and this exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
stack=$1
bucket=$2
shift 2
POLL_SECONDS=${POLL_SECONDS:-10}
PYTHON=${PYTHON:-python3}

# The release is a git archive of HEAD and the function's zip is built from the
# working tree: both must be the same code.
if [ -n "$(git status --porcelain)" ]; then
    echo "deploy: uncommitted changes; commit (or stash) them first:" >&2
    git status --short >&2
    exit 1
fi

params=()
token=""
webhook_secret=""
for arg in "$@"; do
    case $arg in
    WhatsAppToken=*) token=${arg#WhatsAppToken=} ;;
    PaymentWebhookSecret=*) webhook_secret=${arg#PaymentWebhookSecret=} ;;
    *) params+=("$arg") ;;
    esac
done
if [ -n "$webhook_secret" ] && [ ${#webhook_secret} -lt 16 ]; then
    echo "deploy: PaymentWebhookSecret must be at least 16 characters" >&2
    exit 2
fi

stack_value() { # stack_value Parameters|Outputs KEY
    local kind=$1 key=${1%s}Key value=${1%s}Value
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].${kind}[?$key=='$2'].$value" --output text 2>/dev/null || true
}

put_secret() { # put_secret NAME VALUE [--overwrite]; the value never on a command line
    local file
    file=$(mktemp)
    chmod 600 "$file"
    printf '%s' "$2" >"$file"
    aws ssm put-parameter --name "$1" --type SecureString --value "file://$file" \
        "${@:3}" >/dev/null || {
        rm -f "$file"
        return 1
    }
    rm -f "$file"
}

version=$(deploy/build_release.sh)
"$PYTHON" scripts/build_lambda.py >/dev/null
# Content-addressed: the same code is the same key, and CloudFormation updates
# the function only when the code changed.
lambda_key=lambda/lambda_alert-$(sha256sum dist/lambda_alert.zip | cut -c1-16).zip

aws s3 cp --only-show-errors dist/lambda_alert.zip "s3://$bucket/$lambda_key"
aws s3 cp --only-show-errors "dist/pitstop-$version.tar.gz" \
    "s3://$bucket/releases/pitstop-$version.tar.gz"

previous=$(stack_value Parameters ReleaseVersion)
previous_lambda=$(stack_value Parameters LambdaKey)

# Secrets, in Parameter Store: the app's key made once (every server of the
# stack shares it), the WhatsApp token and the payment webhook's secret when
# given (the app reads the secret at start: the provisioning below restarts it).
secret_key=/pitstop/$stack/django-secret-key
if ! aws ssm get-parameter --name "$secret_key" --query Parameter.Name \
    --output text >/dev/null 2>&1; then
    put_secret "$secret_key" "$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
fi
if [ -n "$token" ]; then
    put_secret "/pitstop/$stack/whatsapp-token" "$token" --overwrite
fi
if [ -n "$webhook_secret" ]; then
    put_secret "/pitstop/$stack/payment-webhook-secret" "$webhook_secret" --overwrite
fi

release=("ArtifactBucket=$bucket" "ReleaseVersion=$version" "LambdaKey=$lambda_key")
# An existing stack keeps the image its server runs; ImageId=ami-… (or
# ImageId= for the latest Amazon Linux) given here replaces the server.
image=$(stack_value Outputs ImageId)
if [[ $image == ami-* ]]; then
    release+=("ImageId=$image")
fi

update_stack() {
    aws cloudformation deploy \
        --stack-name "$stack" \
        --template-file deploy/pitstop.yaml \
        --s3-bucket "$bucket" --s3-prefix templates \
        --capabilities CAPABILITY_IAM \
        --no-fail-on-empty-changeset \
        --parameter-overrides "$@"
}

show_outputs() {
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
}

update_stack "${release[@]}" "${params[@]}"

if [[ $previous != [A-Za-z0-9]* ]]; then
    # A new stack: its server provisioned this release at first boot, and the
    # stack completed only once it had signalled success.
    show_outputs
    exit 0
fi

# ------------------------------------------------------------------------------
# Provision the running server through Run Command, and wait for its exit code
# ------------------------------------------------------------------------------
group=$(stack_value Outputs AutoScalingGroupName)
instance=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$group" \
    --query "AutoScalingGroups[0].Instances[?LifecycleState=='InService'].InstanceId" \
    --output text)
[[ $instance == i-* ]] || {
    echo "deploy: no server in service in $group" >&2
    exit 1
}

# stack.env from the stack as it is now (cfn-init), then the release; the
# variables are the server's own (single quotes on purpose).
# shellcheck disable=SC2016
commands=$("$PYTHON" -c 'import json, sys
print(json.dumps({"commands": sys.argv[1:], "executionTimeout": ["3600"]}))' \
    'set -eu' \
    '. /etc/pitstop/stack.env' \
    '/opt/aws/bin/cfn-init -v --stack "$STACK_NAME" --resource LaunchTemplate --configsets settings --region "$AWS_REGION"' \
    '/usr/local/sbin/pitstop-deploy')
command_id=$(aws ssm send-command --instance-ids "$instance" \
    --document-name AWS-RunShellScript --comment "pitstop release $version" \
    --parameters "$commands" --query Command.CommandId --output text)
echo "deploy: provisioning $version on $instance (Run Command $command_id)" >&2

invocation() {
    aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" \
        --query "$1" --output text 2>/dev/null
}
status=Pending
for _ in $(seq 400); do # executionTimeout ends it before this does
    status=$(invocation Status) || status=Pending # not registered yet
    case $status in
    Pending | InProgress | Delayed) sleep "$POLL_SECONDS" ;;
    *) break ;;
    esac
done
invocation StandardOutputContent >&2 || true
invocation StandardErrorContent >&2 || true
code=$(invocation ResponseCode) || code=""

if [ "$status" = Success ] && [ "$code" = 0 ]; then
    echo "deploy: release $version is live" >&2
    show_outputs
    exit 0
fi

echo "deploy: provisioning $version failed ($status, exit ${code:-?}); the server" \
    "kept or went back to its previous release. The stack goes back to $previous." >&2
update_stack "ReleaseVersion=$previous" "LambdaKey=$previous_lambda"
exit 1
