"""Validate an export of `meshctl metadata export` with OpenMetadata's own models.

openmetadata-ingestion ships the pydantic models OpenMetadata generates from
its JSON Schemas (metadata.generated.schema...). Every file of every entity
folder is checked with Model.model_validate(body); the script prints the count
per entity type and exits 1 naming every file that does not validate. A
self-test first proves the models reject what the server rejects (a bad data
type, an unknown field), so a run that accepts everything cannot pass.

It also validates the ingestion workflows of metadata/openmetadata_bootstrap
with the package's workflow model (OpenMetadataWorkflowConfig), their
${VARIABLES} expanded with sample values.

Usage: python validate.py EXPORT_DIR [WORKFLOW.yaml ...]
"""

import importlib
import importlib.metadata
import json
import os
import pathlib
import sys
import warnings

# The ingestion package's own modules warn about their field names on import.
warnings.filterwarnings("ignore", category=UserWarning)

# Export folder (platform/openmetadata Type.Dir) -> request model.
MODELS = {
    "classifications": "api.classification.createClassification.CreateClassificationRequest",
    "tags": "api.classification.createTag.CreateTagRequest",
    "policies": "api.policies.createPolicy.CreatePolicyRequest",
    "roles": "api.teams.createRole.CreateRoleRequest",
    "teams": "api.teams.createTeam.CreateTeamRequest",
    "domains": "api.domains.createDomain.CreateDomainRequest",
    "glossaries": "api.data.createGlossary.CreateGlossaryRequest",
    "glossaryTerms": "api.data.createGlossaryTerm.CreateGlossaryTermRequest",
    "dataProducts": "api.domains.createDataProduct.CreateDataProductRequest",
    "databaseServices": "api.services.createDatabaseService.CreateDatabaseServiceRequest",
    "databases": "api.data.createDatabase.CreateDatabaseRequest",
    "databaseSchemas": "api.data.createDatabaseSchema.CreateDatabaseSchemaRequest",
    "messagingServices": "api.services.createMessagingService.CreateMessagingServiceRequest",
    "topics": "api.data.createTopic.CreateTopicRequest",
    "pipelineServices": "api.services.createPipelineService.CreatePipelineServiceRequest",
    "pipelines": "api.data.createPipeline.CreatePipelineRequest",
    "tables": "api.data.createTable.CreateTableRequest",
    "dashboardServices": "api.services.createDashboardService.CreateDashboardServiceRequest",
    "charts": "api.data.createChart.CreateChartRequest",
    "dashboardDataModels": "api.data.createDashboardDataModel.CreateDashboardDataModelRequest",
    "dashboards": "api.data.createDashboard.CreateDashboardRequest",
    "lineage": "api.lineage.addLineage.AddLineageRequest",
}


def model(path):
    module, _, cls = ("metadata.generated.schema." + path).rpartition(".")
    return getattr(importlib.import_module(module), cls)


def self_test():
    """The models must reject what OpenMetadata rejects."""
    table = model(MODELS["tables"])
    good = {"name": "t", "databaseSchema": "s.d.n", "columns": [{"name": "id", "dataType": "BIGINT"}]}
    table.model_validate(good)
    bad = {
        "a bad data type": {**good, "columns": [{"name": "id", "dataType": "BIGNUM"}]},
        "an unknown field": {**good, "domain": "orders"},
        "a missing required field": {"name": "t", "columns": good["columns"]},
    }
    for what, body in bad.items():
        try:
            table.model_validate(body)
        except Exception:  # pydantic.ValidationError
            continue
        sys.exit(f"self-test: CreateTableRequest accepted {what}: the check could not fail")


# Sample values of the workflows' variables (compose sets the real ones).
WORKFLOW_ENV = {
    "MESH_DATA_DIR": "/var/lib/mesh", "MESH_DBT_DOMAIN": "orders",
    "MESH_OPENMETADATA_URL": "http://openmetadata-server:8585",
    "MESH_OPENMETADATA_TOKEN": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    "POSTGRES_USER": "mesh", "POSTGRES_PASSWORD": "sample",
}


def validate_workflows(paths):
    """Each workflow must parse into OpenMetadataWorkflowConfig."""
    import yaml
    from metadata.generated.schema.metadataIngestion.workflow import OpenMetadataWorkflowConfig

    os.environ.update(WORKFLOW_ENV)
    failures = []
    for p in paths:
        try:
            cfg = OpenMetadataWorkflowConfig.model_validate(yaml.safe_load(os.path.expandvars(pathlib.Path(p).read_text())))
            print(f"  workflow {pathlib.Path(p).name}: valid ({cfg.source.type} into service {cfg.source.serviceName})")
        except Exception as e:
            failures.append(f"{p}: OpenMetadataWorkflowConfig: {e}")
    return failures


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = pathlib.Path(sys.argv[1])
    version = importlib.metadata.version("openmetadata-ingestion")
    self_test()
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    unknown = [f for f in folders if f not in MODELS]
    if unknown:
        sys.exit(f"{root}: folders without a model: {', '.join(unknown)}")
    failures, total = [], 0
    print(f"openmetadata-ingestion {version}: validating {root}")
    for folder, path in MODELS.items():
        files = sorted((root / folder).glob("*.json"))
        if not files:
            failures.append(f"{folder}: no files (every entity type is expected)")
            continue
        cls = model(path)
        ok = 0
        for f in files:
            try:
                cls.model_validate(json.loads(f.read_text()))
                ok += 1
            except Exception as e:  # pydantic.ValidationError, JSON errors
                failures.append(f"{f}: {cls.__name__}: {e}")
        total += ok
        print(f"  {folder:<18} {ok:5d} of {len(files):5d} valid ({cls.__name__})")
    print(f"  {'total':<18} {total:5d}")
    failures += validate_workflows(sys.argv[2:])
    if failures:
        print(f"{len(failures)} failures:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
