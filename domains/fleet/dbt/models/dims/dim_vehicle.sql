{{ config(materialized='table') }}

-- The delivery fleet from the platform's master data (seed vehicles): each
-- vehicle with its type, payload and home position.
select
    vehicle_id,
    type,
    CAST(capacity AS BIGINT)                                as capacity,
    region,
    home_warehouse,
    CAST(lat AS DOUBLE)                                     as lat,
    CAST(lon AS DOUBLE)                                     as lon,
    CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR)     as current_location
from {{ ref('vehicles') }}
