#!/bin/bash
# Runs docs/operations.md as written on a fresh Debian 12 (bookworm) userland:
#   sudo deploy/verify/debian-fresh.sh [WORKDIR]        (default WORKDIR: /srv/tsunagu-guide-check)
#
# 1. debootstrap two minimal Debian 12 trees: a connected build machine and the server;
# 2. on the build machine: the release tarball (git archive of HEAD) and the wheelhouse (§2),
#    with the ldap extra;
# 3. on the server: the OS packages of §3 from the mirror, then §4–§13 inside a network namespace
#    that has only loopback (no route out: the install must be offline). A chroot has no systemd:
#    the units' ExecStart lines run as their User with their EnvironmentFile, nginx and
#    PostgreSQL are started directly, and each cron line runs once as its user.
#
# Needs root, debootstrap and iproute2 on a Debian/Ubuntu host, and a Debian mirror and PyPI
# for steps 1–2 (DEBIAN_MIRROR; PIP_CERT for a proxy's CA bundle, copied into the build machine).
# Prints GUIDE-RUN-COMPLETE at the end; any failing command stops it (set -e).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-/srv/tsunagu-guide-check}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")
NETNS=tsunagu-guide-check
CLEAN_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)

mount_system() {
  for d in proc sys dev dev/pts dev/shm; do mount --bind "/$d" "$1/$d"; done
  cp /etc/resolv.conf "$1/etc/resolv.conf"
  touch "$1/etc/hosts"
  grep -q localhost "$1/etc/hosts" || printf '127.0.0.1 localhost\n::1 localhost\n' >> "$1/etc/hosts"
  grep -q "$(hostname)" "$1/etc/hosts" || echo "127.0.1.1 $(hostname)" >> "$1/etc/hosts"
}
cleanup() {
  ip netns pids "$NETNS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  for tree in "$WORK/build" "$WORK/server"; do
    for d in dev/shm dev/pts dev sys proc; do umount "$tree/$d" 2>/dev/null || true; done
  done
  ip netns del "$NETNS" 2>/dev/null || true
}
trap cleanup EXIT

rm -rf "$WORK" && mkdir -p "$WORK"
git -C "$ROOT" archive --prefix="tsunagu-$VERSION/" -o "$WORK/tsunagu-$VERSION.tar.gz" HEAD
debootstrap --variant=minbase bookworm "$WORK/build" "$MIRROR" > "$WORK/debootstrap.log"
cp -a "$WORK/build" "$WORK/server"

echo "== §2 the build machine: release and wheelhouse =="
mount_system "$WORK/build"
cp "$WORK/tsunagu-$VERSION.tar.gz" "$WORK/build/root/"
BUILD_ENV=("${CLEAN_ENV[@]}")
if [ -n "${PIP_CERT:-}" ]; then
  cp "$PIP_CERT" "$WORK/build/root/pip-ca.crt"
  BUILD_ENV+=(PIP_CERT=/root/pip-ca.crt)
fi
cat > "$WORK/build/root/build.sh" <<'STAGE'
set -ex
VERSION=$1
cd /root
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv gcc python3-dev libldap2-dev libsasl2-dev ca-certificates > /dev/null
# --- docs/operations.md §2, as written ---
tar -xzf tsunagu-$VERSION.tar.gz
python3.11 -m venv /tmp/build && . /tmp/build/bin/activate
pip install --upgrade pip
mkdir wheelhouse
pip download --dest wheelhouse pip "setuptools>=69" wheel   # 導入先での pip 更新とビルド用
pip wheel --wheel-dir wheelhouse "./tsunagu-$VERSION[ldap]"
sha256sum wheelhouse/* > wheelhouse.sha256
tar -czf tsunagu-$VERSION-wheelhouse.tar.gz wheelhouse wheelhouse.sha256
ls wheelhouse | wc -l; du -sh wheelhouse
STAGE
"${BUILD_ENV[@]}" chroot "$WORK/build" bash /root/build.sh "$VERSION"

echo "== §3 the server: OS packages =="
mount_system "$WORK/server"
mkdir -p "$WORK/server/srv/tsunagu-media"
cp "$WORK/tsunagu-$VERSION.tar.gz" "$WORK/build/root/tsunagu-$VERSION-wheelhouse.tar.gz" \
  "$WORK/server/srv/tsunagu-media/"
cat > "$WORK/server/root/packages.sh" <<'STAGE'
set -ex
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --- docs/operations.md §3 (Debian 12), as written ---
apt-get install -y -qq python3 python3-venv nginx postgresql postgresql-client \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-ipaexfont cron logrotate sudo curl openssl > /dev/null
python3 --version
STAGE
"${CLEAN_ENV[@]}" chroot "$WORK/server" bash /root/packages.sh
# the package made its cluster while the host's network was shared: a host PostgreSQL on 5432
# pushes it to 5433, which a server of its own would not see
sed -i 's/^port = .*/port = 5432/' "$WORK"/server/etc/postgresql/*/main/postgresql.conf
"${CLEAN_ENV[@]}" chroot "$WORK/server" pg_ctlcluster 15 main stop 2>/dev/null || true

echo "== §4–§13 the server, offline =="
ip netns add "$NETNS"
ip netns exec "$NETNS" ip link set lo up
cat > "$WORK/server/root/install.sh" <<'STAGE'
set -ex
exec 2>&1
VERSION=$1
# no network but loopback in this namespace: proves the install is offline
! curl -s -m 5 -o /dev/null https://pypi.org/ || { echo "network reachable!"; exit 1; }

# --- §4 利用者とフォルダー ---
useradd --system --home-dir /var/lib/tsunagu --shell /usr/sbin/nologin tsunagu
install -d -o tsunagu -g tsunagu -m 0750 /var/lib/tsunagu /var/log/tsunagu \
    /var/cache/tsunagu /var/backups/tsunagu
install -d -o root -g tsunagu -m 0750 /etc/tsunagu
install -d -o root -g root -m 0700 /etc/tsunagu/tls

# --- §5 配置とオフラインインストール ---
mkdir -p /srv/tsunagu-media && cd /srv/tsunagu-media
tar -xzf tsunagu-$VERSION-wheelhouse.tar.gz && sha256sum -c wheelhouse.sha256 > /dev/null
mkdir -p /opt/tsunagu && tar -xzf tsunagu-$VERSION.tar.gz -C /opt/tsunagu --strip-components=1
python3 -m venv /opt/tsunagu/.venv
/opt/tsunagu/.venv/bin/pip install --no-index --find-links /srv/tsunagu-media/wheelhouse --upgrade pip
/opt/tsunagu/.venv/bin/pip install --no-index --find-links /srv/tsunagu-media/wheelhouse -e '/opt/tsunagu[ldap]'
/opt/tsunagu/.venv/bin/pip check

# --- §6 PostgreSQL ---  (chroot: no systemd; the cluster the package made is started directly)
pg_ctlcluster 15 main start
pg_lsclusters
sudo -u postgres psql <<'SQL'
SET password_encryption = 'scram-sha-256';
CREATE ROLE tsunagu_owner LOGIN PASSWORD '所有者用の長いパスワード';
CREATE ROLE tsunagu_app   LOGIN PASSWORD 'アプリ用の長いパスワード';
CREATE DATABASE tsunagu OWNER tsunagu_owner ENCODING 'UTF8' TEMPLATE template0 LOCALE 'C.UTF-8';
\connect tsunagu
REVOKE ALL ON DATABASE tsunagu FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE tsunagu TO tsunagu_app;
ALTER SCHEMA public OWNER TO tsunagu_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tsunagu_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tsunagu_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tsunagu_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tsunagu_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO tsunagu_app;
SQL
grep -E '^host.*127.0.0.1/32' /etc/postgresql/15/main/pg_hba.conf

# --- §7 環境変数ファイル ---  (vi replaced by sed)
install -o root -g tsunagu -m 0640 /opt/tsunagu/deploy/tsunagu.env.example /etc/tsunagu/tsunagu.env
KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(64))")
sed -i \
  -e "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$KEY|" \
  -e "s|^DJANGO_ALLOWED_HOSTS=.*|DJANGO_ALLOWED_HOSTS=tsunagu.test|" \
  -e "s|^DJANGO_CSRF_TRUSTED_ORIGINS=.*|DJANGO_CSRF_TRUSTED_ORIGINS=https://tsunagu.test|" \
  -e "s|^DATABASE_URL=.*|DATABASE_URL=postgres://tsunagu_app:アプリ用の長いパスワード@127.0.0.1:5432/tsunagu|" \
  /etc/tsunagu/tsunagu.env
grep -E '^[A-Z_]+=' /etc/tsunagu/tsunagu.env | sed 's/SECRET_KEY=.*/SECRET_KEY=***/'
install -o root -g root -m 0600 /dev/null /etc/tsunagu/tsunagu-owner.env
echo "DATABASE_URL=postgres://tsunagu_owner:所有者用の長いパスワード@127.0.0.1:5432/tsunagu" > /etc/tsunagu/tsunagu-owner.env

# --- §8 データベースの作成と静的ファイル ---
TSUNAGU_ENV_FILE=/etc/tsunagu/tsunagu.env:/etc/tsunagu/tsunagu-owner.env \
    /opt/tsunagu/deploy/bin/tsunagu-manage migrate --noinput
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage collectstatic --noinput
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage check --deploy
DJANGO_SUPERUSER_PASSWORD='first-admin-password-2026' sudo --preserve-env=DJANGO_SUPERUSER_PASSWORD -u tsunagu \
    /opt/tsunagu/deploy/bin/tsunagu-manage createsuperuser --noinput --username sysadmin --email sysadmin@city.example.lg.jp

# --- §9 systemd ---  (chroot: no systemd; the units' ExecStart run as their User with their environment)
/opt/tsunagu/.venv/bin/python - <<'PY'
import configparser
for unit in ("tsunagu-web", "tsunagu-worker"):
    c = configparser.ConfigParser(strict=False, interpolation=None)
    c.read(f"/opt/tsunagu/deploy/systemd/{unit}.service")
    s = c["Service"]
    print(unit, s["User"], s["EnvironmentFile"], s["ExecStart"])
    open(f"/root/{unit}.cmd", "w").write(s["ExecStart"])
PY
start_unit() {
  setpriv --reuid=tsunagu --regid=tsunagu --init-groups sh -c "set -a; . /etc/tsunagu/tsunagu.env; set +a; \
    export DJANGO_SETTINGS_MODULE=tsunagu.settings.production XDG_CACHE_HOME=/var/cache/tsunagu; \
    cd /opt/tsunagu && exec $(cat /root/$1.cmd)" > /root/$1.out 2>&1 &
  echo $! > /root/$1.pid
}
stop_unit() { kill -TERM "$(cat /root/$1.pid)"; while kill -0 "$(cat /root/$1.pid)" 2>/dev/null; do sleep 1; done; }
start_unit tsunagu-web
start_unit tsunagu-worker
for i in $(seq 1 30); do curl -s -o /dev/null http://127.0.0.1:8000/login/ && break; sleep 1; done
curl -sI -H 'Host: tsunagu.test' -H 'X-Forwarded-Proto: https' http://127.0.0.1:8000/login/ | head -1

# --- §10 nginx と TLS ---
cd /etc/tsunagu/tls
openssl req -x509 -newkey rsa:3072 -nodes -days 365 -subj /CN=tsunagu.test -addext subjectAltName=DNS:tsunagu.test -keyout server.key -out server.crt 2>/dev/null
chmod 0600 server.key
install -m 0644 /opt/tsunagu/deploy/nginx/tsunagu.conf /etc/nginx/conf.d/tsunagu.conf
sed -i 's/tsunagu.city.example.lg.jp/tsunagu.test/' /etc/nginx/conf.d/tsunagu.conf
rm /etc/nginx/sites-enabled/default
nginx -t
nginx   # (chroot: no systemd) started directly
curl -sI http://tsunagu.test/ --resolve tsunagu.test:80:127.0.0.1 | head -2
curl -s --cacert /etc/tsunagu/tls/server.crt --resolve tsunagu.test:443:127.0.0.1 https://tsunagu.test/login/ -D /root/login.headers -o /root/login.html
head -1 /root/login.headers; grep -ci "strict-transport-security\|content-security-policy" /root/login.headers
grep -o '<title>[^<]*</title>' /root/login.html
# sign in through nginx as the first administrator
J=/root/cookies; rm -f $J
curl -s -c $J -b $J --cacert /etc/tsunagu/tls/server.crt --resolve tsunagu.test:443:127.0.0.1 https://tsunagu.test/login/ -o /dev/null
CSRF=$(awk '/csrftoken/ {print $7}' $J)
curl -s -c $J -b $J --cacert /etc/tsunagu/tls/server.crt --resolve tsunagu.test:443:127.0.0.1 \
  -H "Referer: https://tsunagu.test/login/" -d "csrfmiddlewaretoken=$CSRF&username=sysadmin&password=first-admin-password-2026" \
  https://tsunagu.test/login/ -o /dev/null -w '%{http_code} %{redirect_url}\n'
curl -s -c $J -b $J --cacert /etc/tsunagu/tls/server.crt --resolve tsunagu.test:443:127.0.0.1 https://tsunagu.test/ -o /root/dashboard.html -w '%{http_code}\n'
grep -o '<title>[^<]*</title>' /root/dashboard.html
tail -2 /var/log/tsunagu/access.log
# the sign-in is in the audit log, and the application role can neither empty nor delete it
APP="postgres://tsunagu_app:アプリ用の長いパスワード@127.0.0.1:5432/tsunagu"
EVENTS=$(psql "$APP" -Atc "SELECT count(*) FROM audit_auditevent WHERE action = 'auth.login'")
[ "$EVENTS" -ge 1 ]
if psql "$APP" -c "TRUNCATE audit_auditevent"; then echo "TRUNCATE was allowed"; exit 1; fi
if psql "$APP" -c "DELETE FROM audit_auditevent"; then echo "DELETE was allowed"; exit 1; fi

# --- §11 定期処理（cron） ---  each line of the cron file run once, as its user
install -o root -g root -m 0644 /opt/tsunagu/deploy/cron.d/tsunagu /etc/cron.d/tsunagu
grep -E '^[0-9*]' /etc/cron.d/tsunagu | while read -r m h dom mon dow user cmd; do
  echo "cron> $cmd"
  runuser -u "$user" -- sh -c "cd /var/lib/tsunagu && PATH=/usr/local/bin:/usr/bin:/bin $cmd" || echo "exit $?"
done
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage audit_verify
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage access_verify
ls /var/backups/tsunagu/ /var/lib/tsunagu/audit-checkpoints/
chattr +a /var/lib/tsunagu/audit-checkpoints/* || echo "chattr: not supported on this file system"

# --- §12 logrotate ---
install -m 0644 /opt/tsunagu/deploy/logrotate/tsunagu /etc/logrotate.d/tsunagu
logrotate -d /etc/logrotate.d/tsunagu 2>&1 | tail -3

# --- §13 復元 ---  (chroot: services stopped with kill instead of systemctl)
BACKUP=$(ls -d /var/backups/tsunagu/tsunagu-* | tail -1)
stop_unit tsunagu-web; stop_unit tsunagu-worker
mv /etc/cron.d/tsunagu /root/tsunagu.cron.stopped
chattr -a /var/lib/tsunagu/audit-checkpoints/* || true
TSUNAGU_ENV_FILE=/etc/tsunagu/tsunagu.env:/etc/tsunagu/tsunagu-owner.env \
    /opt/tsunagu/deploy/bin/tsunagu-manage restore $BACKUP --yes
chown -R tsunagu:tsunagu /var/lib/tsunagu
mv /root/tsunagu.cron.stopped /etc/cron.d/tsunagu
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage audit_seal
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage audit_verify
sudo -u tsunagu /opt/tsunagu/deploy/bin/tsunagu-manage access_verify
start_unit tsunagu-web
for i in $(seq 1 30); do curl -s -o /dev/null http://127.0.0.1:8000/login/ && break; sleep 1; done
curl -s --cacert /etc/tsunagu/tls/server.crt --resolve tsunagu.test:443:127.0.0.1 https://tsunagu.test/login/ -o /dev/null -w 'after restore: %{http_code}\n'
stop_unit tsunagu-web; nginx -s stop; pg_ctlcluster 15 main stop
echo GUIDE-RUN-COMPLETE
STAGE
ip netns exec "$NETNS" "${CLEAN_ENV[@]}" chroot "$WORK/server" bash /root/install.sh "$VERSION" \
  | tee "$WORK/install.log"
