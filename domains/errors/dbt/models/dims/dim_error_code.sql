{{ config(materialized='incremental', unique_key='error_code') }}

-- The error-code catalogue, from the platform's master data (seed
-- error_codes). Merges only codes that are new or changed (mesh_core's
-- new_or_changed), so a run over unchanged master data commits nothing.
with error_codes as (
    select
        error_code,
        description,
        severity_level,
        CASE severity_level WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END as severity_rank,
        CAST(frequency AS DOUBLE) as frequency
    from {{ ref('error_codes') }}
)

{{ mesh_core.new_or_changed('error_codes') }}
