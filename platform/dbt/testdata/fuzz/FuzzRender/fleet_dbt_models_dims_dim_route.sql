go test fuzz v1
[]byte("{{ config(materialized='table') }}\n\n-- The delivery routes from the platform's master data (seed routes).\nselect\n    route_id,\n    region_covered,\n    origin_warehouse,\n    CAST(stops AS BIGINT)             as stops,\n    CAST(avg_duration_min AS BIGINT)  as avg_duration,\n    CAST(distance_km AS DOUBLE)       as distance_km\nfrom {{ ref('routes') }}\n")
