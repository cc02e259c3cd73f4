{{ config(materialized='table') }}

-- Warehouse staff, from the platform's master data (seed employees). Name,
-- email and phone are fake placeholders, classified as personal data.
-- Rebuilt whole; a rebuild of the same rows commits nothing.
select
    employee_id,
    role,
    assigned_warehouse,
    CAST(shift_hours AS BIGINT) as shift_hours,
    name,
    email,
    phone
from {{ ref('employees') }}
