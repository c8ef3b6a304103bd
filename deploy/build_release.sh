#!/usr/bin/env bash
# Package the committed HEAD as the release the instance installs:
# dist/pitstop-<version>.tar.gz, a git archive of the commit (uv.lock, the code,
# deploy/ with its provisioning). Prints the version (default: HEAD's short id).
#
#   deploy/build_release.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(git rev-parse --short=12 HEAD)}
[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || {
    echo "build_release: bad version '$version'" >&2
    exit 1
}
# The instance installs with uv sync --locked: the lock must be in the commit.
git ls-files --error-unmatch uv.lock pyproject.toml deploy/provision.sh >/dev/null
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "build_release: warning: uncommitted changes are not in the release" >&2
fi

mkdir -p dist
git archive --format=tar.gz --output "dist/pitstop-$version.tar.gz" HEAD
echo "$version"
