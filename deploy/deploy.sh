#!/usr/bin/env bash
# Build the alert function's zip and the release archive, upload both to the
# artifact bucket, and create or update the stack (docs/deploy.md).
#
#   deploy/deploy.sh STACK ARTIFACT_BUCKET [Parameter=Value ...]
#
# e.g. deploy/deploy.sh pitstop my-artifacts-bucket AlertEmail=owner@example.com \
#          DomainName=shop.example.com SshCidr=203.0.113.7/32
# Parameters not given keep their current value on an update.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
stack=$1
bucket=$2
shift 2

version=$(deploy/build_release.sh)
"${PYTHON:-python3}" scripts/build_lambda.py >/dev/null
# Content-addressed: the same code is the same key, and CloudFormation updates
# the function only when the code changed.
lambda_key=lambda/lambda_alert-$(sha256sum dist/lambda_alert.zip | cut -c1-16).zip

aws s3 cp --only-show-errors dist/lambda_alert.zip "s3://$bucket/$lambda_key"
aws s3 cp --only-show-errors "dist/pitstop-$version.tar.gz" \
    "s3://$bucket/releases/pitstop-$version.tar.gz"

params=("ArtifactBucket=$bucket" "ReleaseVersion=$version" "LambdaKey=$lambda_key")
# An existing stack keeps the image its instance runs: a newer Amazon Linux
# would replace the instance (docs/deploy.md, "Operating system updates").
image=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='ImageId'].OutputValue" \
    --output text 2>/dev/null || true)
if [[ $image == ami-* ]]; then
    params+=("ImageId=$image")
fi

aws cloudformation deploy \
    --stack-name "$stack" \
    --template-file deploy/pitstop.yaml \
    --s3-bucket "$bucket" --s3-prefix templates \
    --capabilities CAPABILITY_IAM \
    --no-fail-on-empty-changeset \
    --parameter-overrides "${params[@]}" "$@"

aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
