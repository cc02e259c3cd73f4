{{ config(materialized='table') }}

-- The error-code catalogue, from the platform's master data (seed
-- error_codes). Rebuilt whole, so a code removed from the master data leaves
-- it; a rebuild of the same rows commits nothing.
select
    error_code,
    description,
    severity_level,
    CASE severity_level WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END as severity_rank,
    CAST(frequency AS DOUBLE) as frequency
from {{ ref('error_codes') }}
