#!/usr/bin/env bash
# Provision this machine (Amazon Linux 2023) as the Pit Stop server and switch
# it to the release this script belongs to (/opt/pitstop/releases/<version>).
#
#   provision.sh          everything; reads /etc/pitstop/stack.env (cfn-init writes it)
#   provision.sh --bake   only what a machine image carries: packages and their
#                         updates, uv, the CloudWatch agent, the user (docs/deploy.md,
#                         "A new machine image")
#
# Every step checks before it acts, so running it again is harmless: the data
# volume is attached by its tag and formatted only when it holds no filesystem at
# all, the database is created once. The new release answers on a side port
# before /opt/pitstop/current switches to it, and again after; if it does not,
# current goes back to the release before and this exits non-zero.
# docs/deploy.md tells the story.
set -euo pipefail

RELEASE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DEPLOY_DIR=$RELEASE_DIR/deploy
APP_ROOT=${APP_ROOT:-/opt/pitstop}
CURRENT=$APP_ROOT/current
TOOLS=$APP_ROOT/tools
UV_CACHE=/var/cache/pitstop/uv
STACK_ENV=${STACK_ENV:-/etc/pitstop/stack.env}
APP_ENV=${APP_ENV:-/etc/pitstop/env}
DATA_MOUNT=/data
PGDATA=$DATA_MOUNT/postgresql/data
ACME_ROOT=/var/lib/pitstop/acme
PYTHON=${PYTHON:-/usr/bin/python3.11} # the project requires 3.11 (pyproject.toml)
UV_VERSION=0.13.8          # the same uv as scripts/bootstrap
CERTBOT_VERSION=5.8.0
KEEP_RELEASES=5
SERVICES=(pitstop-web pitstop-worker pitstop-beat)
WEB_PORT=8001       # pitstop-web's gunicorn, behind nginx
CANDIDATE_PORT=8002 # the new release's gunicorn while it is checked
CW_AGENT=/opt/aws/amazon-cloudwatch-agent

log() { printf '%s provision: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# ------------------------------------------------------------------------------
# What an image carries: packages, uv, the app's user
# ------------------------------------------------------------------------------
install_packages() {
    log "packages"
    dnf install -y -q python3.11 python3.11-pip postgresql15-server postgresql15 \
        redis6 nginx xfsprogs tar amazon-cloudwatch-agent
}

update_packages() {
    # Amazon Linux 2023's repositories are versioned: the latest release's updates.
    log "package updates"
    dnf upgrade -y -q --releasever=latest
}

# Whether "PROGRAM --version" starts with "NAME VERSION" (uv adds its platform).
has_version() {
    local out
    out=$("$1" --version 2>/dev/null) || return 1
    [[ "$out " == "$2 "* ]]
}

install_uv() {
    if ! has_version "$TOOLS/bin/uv" "uv $UV_VERSION"; then
        log "uv $UV_VERSION"
        "$PYTHON" -m venv "$TOOLS"
        "$TOOLS/bin/pip" install --quiet "uv==$UV_VERSION"
    fi
}

ensure_user() {
    id pitstop >/dev/null 2>&1 ||
        useradd --system --home-dir "$APP_ROOT" --no-create-home \
            --shell /sbin/nologin pitstop
    install -d -m 0755 "$APP_ROOT" "$APP_ROOT/releases"
    install -d -m 0755 /etc/pitstop
}

# ------------------------------------------------------------------------------
# This server's identity (IMDSv2), the data volume and the address it takes
# ------------------------------------------------------------------------------
imds() {
    local token
    token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" \
        http://169.254.169.254/latest/api/token)
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

attach_data_volume() {
    # The volume tagged pitstop-data=<stack> in this zone: already ours, or
    # free, or still held by the server this one replaces (it lets go when it
    # terminates). Sets DATA_VOLUME_ID.
    local instance zone found state holder
    instance=$(imds instance-id)
    zone=$(imds placement/availability-zone)
    for _ in $(seq 90); do
        found=$(aws ec2 describe-volumes --region "$AWS_REGION" \
            --filters "Name=tag:pitstop-data,Values=$DATA_VOLUME_TAG" \
            "Name=availability-zone,Values=$zone" \
            --query 'Volumes[].[VolumeId,State,Attachments[0].InstanceId]' --output text)
        [ -n "$found" ] || die "no volume tagged pitstop-data=$DATA_VOLUME_TAG in $zone"
        [ "$(wc -l <<<"$found")" = 1 ] ||
            die "more than one volume tagged pitstop-data=$DATA_VOLUME_TAG: ${found//$'\n'/ }"
        read -r DATA_VOLUME_ID state holder <<<"$found"
        if [ "$holder" = "$instance" ]; then
            return 0
        fi
        if [ "$state" = available ]; then
            log "attaching the data volume $DATA_VOLUME_ID"
            aws ec2 attach-volume --region "$AWS_REGION" --volume-id "$DATA_VOLUME_ID" \
                --instance-id "$instance" --device "${DATA_DEVICE:-/dev/sdf}" >/dev/null
            aws ec2 wait volume-in-use --region "$AWS_REGION" --volume-ids "$DATA_VOLUME_ID" \
                --filters "Name=attachment.instance-id,Values=$instance" \
                "Name=attachment.status,Values=attached"
            return 0
        fi
        log "the data volume $DATA_VOLUME_ID is $state ($holder); waiting for it"
        sleep "${VOLUME_PAUSE:-10}"
    done
    die "the data volume $DATA_VOLUME_ID did not become free"
}

take_address() {
    # The stack's Elastic IP, onto this server (a no-op when it is there already).
    aws ec2 associate-address --region "$AWS_REGION" --allocation-id "$EIP_ALLOCATION_ID" \
        --instance-id "$(imds instance-id)" --allow-reassociation >/dev/null
}

# ------------------------------------------------------------------------------
# The data volume: PostgreSQL's home, mounted by UUID at /data
# ------------------------------------------------------------------------------
data_device() {
    # By the volume's id where the instance exposes EBS as NVMe (t3, t4g…),
    # else by the name the template attached it as.
    local by_id=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/}
    local dev
    for dev in "$by_id" "${DATA_DEVICE:-/dev/sdf}" /dev/xvdf; do
        if [ -b "$dev" ]; then
            readlink -f "$dev"
            return 0
        fi
    done
    return 1
}

is_blank() {
    # blkid -p probes the device itself; exit 2 means no signature of any kind
    # (filesystem, partition table, RAID…), the only state in which formatting
    # is safe: a new, empty volume. A snapshot's volume keeps its filesystem.
    local rc=0
    blkid -p "$1" >/dev/null || rc=$?
    case $rc in
    0) return 1 ;;
    2) return 0 ;;
    *) die "blkid failed on $1 (exit $rc): not formatting it" ;;
    esac
}

setup_data_volume() {
    local dev="" fstype="" uuid line
    for _ in $(seq 60); do
        dev=$(data_device) && break
        sleep 5
    done
    [ -n "$dev" ] || die "data volume $DATA_VOLUME_ID is not attached"
    if findmnt -rno TARGET --source "$dev" | grep -vx "$DATA_MOUNT" >/dev/null; then
        die "$dev is mounted elsewhere: not touching it"
    fi
    if is_blank "$dev"; then
        log "formatting the new data volume $dev (xfs)"
        mkfs.xfs -q -L pitstop-data "$dev"
    fi
    fstype=$(blkid -p -o value -s TYPE "$dev" || true)
    [ "$fstype" = xfs ] || die "$dev holds '${fstype:-no filesystem}', not xfs: not using it"

    uuid=$(blkid -p -o value -s UUID "$dev")
    # nofail: the machine still boots (and can be reached) without the volume;
    # PostgreSQL requires the mount, so it then stays down rather than start empty.
    line="UUID=$uuid $DATA_MOUNT xfs defaults,noatime,nofail 0 2"
    if ! grep -qxF "$line" /etc/fstab; then
        awk -v mnt="$DATA_MOUNT" '$2 != mnt' /etc/fstab >/etc/fstab.pitstop
        echo "$line" >>/etc/fstab.pitstop
        cat /etc/fstab.pitstop >/etc/fstab
        rm -f /etc/fstab.pitstop
        systemctl daemon-reload
    fi
    install -d -m 0755 "$DATA_MOUNT"
    mountpoint -q "$DATA_MOUNT" || mount "$DATA_MOUNT"
    xfs_growfs "$DATA_MOUNT" >/dev/null # takes in a volume made bigger; else a no-op
}

# ------------------------------------------------------------------------------
# PostgreSQL (data directory on the volume, peer authentication) and Redis
# ------------------------------------------------------------------------------
psql_value() { runuser -u postgres -- psql -X -qtA -d postgres -c "$1"; }

setup_postgres() {
    install -d -m 0755 /etc/systemd/system/postgresql.service.d
    install -m 0644 "$DEPLOY_DIR/systemd/postgresql.service.d/pitstop.conf" \
        /etc/systemd/system/postgresql.service.d/pitstop.conf
    systemctl daemon-reload
    install -d -o postgres -g postgres -m 0700 "$DATA_MOUNT/postgresql"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        # C.UTF-8 where the system has it: code-point order, and upper() (the
        # admin's case-insensitive search) that knows accented letters.
        local locale=C
        if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then
            locale=C.UTF-8
        fi
        log "initdb $PGDATA ($locale)"
        install -d -o postgres -g postgres -m 0700 "$PGDATA"
        runuser -u postgres -- initdb -D "$PGDATA" -E UTF8 --locale="$locale" \
            --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    fi
    # SELinux is permissive on Amazon Linux 2023; label the moved data anyway.
    if command -v selinuxenabled >/dev/null && selinuxenabled; then
        chcon -R -t postgresql_db_t "$DATA_MOUNT/postgresql" || true
    fi
    systemctl enable --now postgresql
    [ "$(psql_value "SELECT 1 FROM pg_roles WHERE rolname = 'pitstop'")" = 1 ] ||
        runuser -u postgres -- createuser pitstop
    [ "$(psql_value "SELECT 1 FROM pg_database WHERE datname = 'pitstop'")" = 1 ] ||
        runuser -u postgres -- createdb --owner pitstop pitstop
}

setup_redis() {
    # Amazon Linux's redis6 listens on 127.0.0.1 only, in protected mode.
    systemctl enable --now redis6
}

# ------------------------------------------------------------------------------
# nginx, and HTTPS from Let's Encrypt once the domain resolves here
# ------------------------------------------------------------------------------
certificate() { echo "/etc/letsencrypt/live/$DOMAIN_NAME/fullchain.pem"; }

has_certificate() { [ -n "$DOMAIN_NAME" ] && [ -s "$(certificate)" ]; }

nginx_config() {
    # The address when there is no domain: "_" would clash with the default
    # server of Amazon Linux's nginx.conf (ours is default_server anyway).
    local site=pitstop.conf server_name=${DOMAIN_NAME:-${SITE_IP:-_}}
    has_certificate && site=pitstop-https.conf
    install -d -m 0755 /etc/nginx/pitstop "$ACME_ROOT"
    install -m 0644 "$DEPLOY_DIR/nginx/locations.conf" /etc/nginx/pitstop/locations.conf
    sed "s/__SERVER_NAME__/$server_name/g" "$DEPLOY_DIR/nginx/$site" \
        >/etc/nginx/conf.d/pitstop.conf
    nginx -t -q
    systemctl enable nginx
    systemctl reload-or-restart nginx
}

setup_tls() {
    [ -n "$DOMAIN_NAME" ] || return 0
    if ! has_version "$APP_ROOT/certbot/bin/certbot" "certbot $CERTBOT_VERSION"; then
        "$PYTHON" -m venv "$APP_ROOT/certbot"
        "$APP_ROOT/certbot/bin/pip" install --quiet "certbot==$CERTBOT_VERSION"
    fi
    install -m 0644 "$DEPLOY_DIR/systemd/pitstop-certbot-renew.service" \
        "$DEPLOY_DIR/systemd/pitstop-certbot-renew.timer" /etc/systemd/system/
    systemctl daemon-reload
    systemctl enable --now pitstop-certbot-renew.timer
    has_certificate && return 0
    local contact=(--register-unsafely-without-email)
    [ -n "${CERT_EMAIL:-}" ] && contact=(--email "$CERT_EMAIL")
    # Needs the domain's A record on this machine's address; until then the site
    # stays on plain HTTP and the next run (deploy.sh) tries again.
    if "$APP_ROOT/certbot/bin/certbot" certonly --webroot -w "$ACME_ROOT" \
        -d "$DOMAIN_NAME" --non-interactive --agree-tos "${contact[@]}"; then
        nginx_config
    else
        log "warning: no certificate for $DOMAIN_NAME yet (does it resolve to ${SITE_IP:-this machine}?); serving HTTP"
    fi
}

# ------------------------------------------------------------------------------
# The application
# ------------------------------------------------------------------------------
write_env() {
    # The environment every process of the app gets (DESIGN.md's contract),
    # rewritten on each run from the stack. No secret in it: the app reads
    # DJANGO_SECRET_KEY from Parameter Store when it starts.
    local https=$1 hosts=${DOMAIN_NAME:-$SITE_IP} tmp
    [ -n "$hosts" ] || die "neither DOMAIN_NAME nor SITE_IP is set"
    tmp=$(mktemp "$APP_ENV.XXXXXX")
    chmod 0600 "$tmp"
    {
        echo "# Written by deploy/provision.sh from the stack; secrets stay in Parameter Store."
        echo "DJANGO_SECRET_KEY_PARAMETER=$SECRET_KEY_PARAMETER"
        if [ -n "${PAYMENT_WEBHOOK_SECRET_PARAMETER:-}" ]; then
            echo "PITSTOP_PAYMENT_WEBHOOK_SECRET_PARAMETER=$PAYMENT_WEBHOOK_SECRET_PARAMETER"
        fi
        echo "DJANGO_ALLOWED_HOSTS=$hosts"
        [ "$https" = 1 ] && echo "PITSTOP_HTTPS=1"
        echo "DATABASE_URL=postgres://pitstop@/pitstop?host=/run/postgresql"
        echo "CELERY_BROKER_URL=redis://127.0.0.1:6379/0"
        echo "PITSTOP_REPORTS_BUCKET=$REPORTS_BUCKET"
        echo "PITSTOP_ALERTS=aws"
        echo "PITSTOP_ALERT_TOPIC_ARN=$ALERT_TOPIC_ARN"
        echo "PITSTOP_TIME_ZONE=${TIME_ZONE:-America/Sao_Paulo}"
        echo "PITSTOP_LANGUAGE=${STORE_LANGUAGE:-pt-br}"
        if [ -n "${PIX_KEY:-}" ]; then
            # Quoted for both readers: systemd's EnvironmentFile and bash's `.`.
            echo "PITSTOP_PIX_KEY=$PIX_KEY"
            echo "PITSTOP_PIX_MERCHANT_NAME='${PIX_MERCHANT_NAME:-Pit Stop}'"
            echo "PITSTOP_PIX_MERCHANT_CITY='${PIX_MERCHANT_CITY:-Sao Paulo}'"
        fi
        echo "AWS_REGION=$AWS_REGION"
        # botocore reads this one, not AWS_REGION, for clients given no region.
        echo "AWS_DEFAULT_REGION=$AWS_REGION"
    } >"$tmp"
    mv -f "$tmp" "$APP_ENV"
}

as_app() {
    # A command as the app's user, in the release, with the app's environment.
    (
        cd "$RELEASE_DIR"
        set -a
        # shellcheck source=/dev/null
        . "$APP_ENV"
        set +a
        runuser -u pitstop -- "$@"
    )
}

install_release() {
    log "dependencies of $RELEASE_DIR (uv sync --locked)"
    install -d -m 0755 "$UV_CACHE"
    (
        cd "$RELEASE_DIR"
        UV_CACHE_DIR=$UV_CACHE UV_PYTHON_DOWNLOADS=never \
            "$TOOLS/bin/uv" sync --locked --no-dev --compile-bytecode --quiet \
            --python "$PYTHON"
    )
    # The code stays root's; var/ (static files) is the app's only writable place.
    "$RELEASE_DIR/.venv/bin/python" -m compileall -q -x '/\.venv/' "$RELEASE_DIR" >/dev/null || true
    # What /healthz reports as the live release.
    release_name >"$RELEASE_DIR/RELEASE"
    install -d -o pitstop -g pitstop -m 0755 "$RELEASE_DIR/var"
    as_app .venv/bin/python manage.py migrate --noinput
    as_app .venv/bin/python manage.py collectstatic --noinput -v 0
}

install_units() {
    install -m 0644 "$DEPLOY_DIR"/systemd/pitstop-*.service "$DEPLOY_DIR"/systemd/pitstop-*.timer \
        /etc/systemd/system/
    install -m 0755 "$DEPLOY_DIR/bin/pitstop-manage" /usr/local/bin/pitstop-manage
    install -m 0755 "$DEPLOY_DIR/bin/pitstop-backup" /usr/local/sbin/pitstop-backup
    systemctl daemon-reload
    systemctl enable "${SERVICES[@]}"
}

setup_backups() {
    # pg_dump every 6 hours to the bucket's backups/, and one now: every
    # release's migrations run after a fresh dump.
    install -d -o postgres -g postgres -m 0700 "$DATA_MOUNT/backup"
    systemctl enable --now pitstop-backup.timer
    log "database dump before the migrations"
    systemctl start pitstop-backup.service
}

setup_observability() {
    # The journal of the app, nginx and PostgreSQL to the stack's log groups,
    # memory and disk use to its metric namespace (deploy/cloudwatch-agent.json).
    local config=$CW_AGENT/etc/amazon-cloudwatch-agent.json
    sed -e "s|__LOG_GROUP_PREFIX__|$LOG_GROUP_PREFIX|g" \
        -e "s|__METRICS_NAMESPACE__|$METRICS_NAMESPACE|g" \
        "$DEPLOY_DIR/cloudwatch-agent.json" >"$config.new"
    mv -f "$config.new" "$config"
    "$CW_AGENT/bin/amazon-cloudwatch-agent-ctl" -a fetch-config -m ec2 -s \
        -c "file:$config" >/dev/null
}

release_name() { basename "$RELEASE_DIR"; }

answers() {
    # Whether the app on 127.0.0.1:PORT says, at /healthz, that it is this
    # release and healthy (asked as nginx would ask, Host and scheme included).
    local port=$1 host=${DOMAIN_NAME:-$SITE_IP} _
    for _ in $(seq 30); do
        if curl -fsS -m 5 -H "Host: $host" -H "X-Forwarded-Proto: https" \
            "http://127.0.0.1:$port/healthz" 2>/dev/null |
            "$PYTHON" -c 'import json, sys
health = json.load(sys.stdin)
sys.exit(health.get("status") != "ok" or health.get("release") != sys.argv[1])' \
                "$(release_name)"; then
            return 0
        fi
        sleep "${SMOKE_PAUSE:-2}"
    done
    return 1
}

check_candidate() {
    # The new release, on its own gunicorn beside the live one, before anything
    # switches: a release that cannot start or answer never goes live.
    local rc=0
    log "checking release $(release_name) on 127.0.0.1:$CANDIDATE_PORT"
    systemctl stop pitstop-candidate 2>/dev/null || true
    systemd-run --quiet --unit=pitstop-candidate --collect --uid=pitstop --gid=pitstop \
        -p EnvironmentFile="$APP_ENV" -p WorkingDirectory="$RELEASE_DIR" \
        "$RELEASE_DIR/.venv/bin/gunicorn" pitstop.wsgi:application \
        --bind "127.0.0.1:$CANDIDATE_PORT" --workers 1 --timeout 60
    answers "$CANDIDATE_PORT" || rc=$?
    if [ "$rc" != 0 ]; then
        journalctl -u pitstop-candidate -n 50 --no-pager >&2 || true
    fi
    systemctl stop pitstop-candidate 2>/dev/null || true
    [ "$rc" = 0 ] || die "release $(release_name) does not answer on its own: nothing switched"
}

point_current_at() {
    ln -sfn "$1" "$CURRENT.new"
    mv -Tf "$CURRENT.new" "$CURRENT"
}

switch_release() {
    # current → this release, services restarted, checked again; if it fails
    # now, current goes back to the release before and this exits non-zero.
    local previous
    previous=$(readlink -f "$CURRENT" 2>/dev/null || true)
    log "switching $CURRENT to $RELEASE_DIR"
    point_current_at "$RELEASE_DIR"
    systemctl restart "${SERVICES[@]}"
    if answers "$WEB_PORT"; then
        log "release $(release_name) is live"
        return 0
    fi
    journalctl -u pitstop-web -n 50 --no-pager >&2 || true
    if [ -n "$previous" ] && [ "$previous" != "$RELEASE_DIR" ] && [ -d "$previous" ]; then
        log "release $(release_name) fails after the switch: back to $(basename "$previous")"
        point_current_at "$previous"
        systemctl restart "${SERVICES[@]}"
    fi
    die "release $(release_name) failed its smoke test on 127.0.0.1:$WEB_PORT"
}

prune_releases() {
    # Keep the newest few (rollback material), never the one running.
    local keep=$KEEP_RELEASES dir
    find "$APP_ROOT/releases" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' |
        sort -rn | cut -d' ' -f2- | tail -n +"$((keep + 1))" |
        while read -r dir; do
            [ "$dir" = "$(readlink -f "$CURRENT")" ] || rm -rf "$dir"
        done
}

load_stack_env() {
    [ -f "$STACK_ENV" ] || die "$STACK_ENV is missing (cfn-init writes it)"
    # shellcheck source=/dev/null
    . "$STACK_ENV"
    : "${AWS_REGION:?}" "${REPORTS_BUCKET:?}" "${ALERT_TOPIC_ARN:?}" "${DATA_VOLUME_TAG:?}"
    : "${EIP_ALLOCATION_ID:?}" "${SECRET_KEY_PARAMETER:?}" "${LOG_GROUP_PREFIX:?}"
    : "${METRICS_NAMESPACE:?}"
    DOMAIN_NAME=${DOMAIN_NAME:-}
    SITE_IP=${SITE_IP:-}
}

main() {
    [ "$(id -u)" = 0 ] || die "run as root"
    cd /
    exec 9>/run/pitstop-provision.lock
    flock 9 # one run at a time (deploy.sh's Run Command and a person may both start one)

    install_packages
    install_uv
    ensure_user
    if [ "${1:-}" = --bake ]; then
        update_packages
        log "image parts done"
        return 0
    fi

    load_stack_env
    attach_data_volume
    take_address
    setup_data_volume
    setup_postgres
    setup_redis
    nginx_config
    setup_tls
    if has_certificate; then write_env 1; else write_env 0; fi
    install_units
    setup_observability
    setup_backups
    install_release
    check_candidate
    switch_release
    prune_releases
}

# Sourced by the tests (to call single functions); run as a script otherwise.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
