#!/bin/sh
# One-shot bootstrap of the compose metadata profile, run by the
# openmetadata-ingest service after openmetadata-push registered the mesh:
# ingests every domain's dbt artifacts found under $MESH_DATA_DIR/dbt, then
# the Airflow runs. Needs MESH_OPENMETADATA_URL and MESH_OPENMETADATA_TOKEN.
set -eu
here=$(dirname "$0")
: "${MESH_OPENMETADATA_TOKEN:?set OPENMETADATA_BOT_TOKEN in .env to the ingestion-bot token (OpenMetadata: Settings > Bots)}"
n=0
for manifest in "$MESH_DATA_DIR"/dbt/*/target/manifest.json; do
	[ -f "$manifest" ] || continue
	domain=$(basename "$(dirname "$(dirname "$manifest")")")
	echo "ingesting the dbt artifacts of $domain"
	MESH_DBT_DOMAIN=$domain metadata ingest -c "$here/dbt.yaml"
	n=$((n + 1))
done
echo "dbt artifacts of $n domains ingested"
echo "ingesting the Airflow runs"
metadata ingest -c "$here/airflow.yaml"
echo "bootstrap done"
