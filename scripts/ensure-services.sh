#!/usr/bin/env bash
# Make sure what the test suite needs is here and running: PostgreSQL and Redis on their standard ports,
# and Debian's Chromium for the browser tests. Installs with apt (as root) only what is missing.
set -euo pipefail

PGHOST=127.0.0.1
need_apt_update=1
apt_install() {
  if [ "$(id -u)" != "0" ]; then echo "need root to apt-get install $*" >&2; return 1; fi
  if [ $need_apt_update = 1 ]; then apt-get update -qq; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h $PGHOST -p 5432 2>/dev/null; }
if ! command -v pg_isready >/dev/null || ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL..."
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -n | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # The suite connects as postgres over TCP with trust auth, as on the developers' machines.
  if ! grep -q "appaca-trust" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust # appaca-trust\nhost all all ::1/128 trust # appaca-trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
    || pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL did not start" >&2; exit 1; }
fi

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ! redis_up; then
  command -v redis-server >/dev/null || { echo "Installing Redis..."; apt_install redis-server; }
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/appaca.log
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "Redis did not start" >&2; exit 1; }
fi

if ! command -v chromium >/dev/null; then
  echo "Installing Chromium (Debian's package; no browser downloads)..."
  apt_install chromium
fi
