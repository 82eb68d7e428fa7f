#!/usr/bin/env bash
# Makes a PostgreSQL server answer on 127.0.0.1:5432 (trust auth) for the storage tests:
# installs Debian's package when missing, starts the cluster when installed but stopped.
# Idempotent: on a machine where it already answers, it does nothing.
set -euo pipefail

answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if command -v pg_isready >/dev/null && answers; then
    echo "== postgresql: already answering on 127.0.0.1:5432"
    exit 0
fi
if ! command -v pg_ctlcluster >/dev/null; then
    echo "== postgresql: installing Debian's package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
conf="/etc/postgresql/$version/main"
# The tests connect over TCP as any user without a password (their own throwaway databases).
if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
    answers && break
    sleep 1
done
answers || { echo "postgresql did not start; see /var/log/postgresql" >&2; exit 1; }
# The role the tests connect as when none is named (the current user), allowed to create
# databases.
me="$(id -un)"
runuser -u postgres -- psql -q -h 127.0.0.1 -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$me') THEN
        CREATE ROLE \"$me\" LOGIN SUPERUSER;
    END IF;
END\$\$;" 2>/dev/null || true
echo "== postgresql $version answering on 127.0.0.1:5432"
