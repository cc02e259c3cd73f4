{{ config(materialized='table') }}

-- The delivery routes from the platform's master data (seed routes).
select
    route_id,
    region_covered,
    origin_warehouse,
    CAST(stops AS BIGINT)             as stops,
    CAST(avg_duration_min AS BIGINT)  as avg_duration,
    CAST(distance_km AS DOUBLE)       as distance_km
from {{ ref('routes') }}
