#!/bin/sh
# Start Superset in docker compose's bi profile: metadata database, admin,
# roles, then the dashboards' bundle that meshctl publish (service
# serving-publish) writes next to the serving file, then the web server.
set -e
bundle=${MESH_SUPERSET_BUNDLE:-/var/lib/mesh/serving/superset-bundle.zip}
superset db upgrade
superset fab create-admin --username "$SUPERSET_ADMIN_USER" --password "$SUPERSET_ADMIN_PASSWORD" \
  --firstname Mesh --lastname Admin --email admin@meshterious.example || true
superset init
waited=0
while [ ! -f "$bundle" ]; do
  if [ "$waited" -ge 1800 ]; then
    echo "no $bundle after 30 minutes: is serving-publish running?" >&2
    exit 1
  fi
  echo "waiting for $bundle (written by meshctl publish)..."
  sleep 10
  waited=$((waited + 10))
done
superset import-dashboards -p "$bundle" -u "$SUPERSET_ADMIN_USER"
exec /usr/bin/run-server.sh
