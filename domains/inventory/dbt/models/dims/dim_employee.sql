{{ config(materialized='incremental', unique_key='employee_id') }}

-- Warehouse staff, from the platform's master data (seed employees). Name,
-- email and phone are fake placeholders, classified as personal data.
-- Incremental by change (mesh_core's new_or_changed): only new or changed
-- employees are merged.
with employees as (
    select
        employee_id,
        role,
        assigned_warehouse,
        CAST(shift_hours AS BIGINT) as shift_hours,
        name,
        email,
        phone
    from {{ ref('employees') }}
)

{{ mesh_core.new_or_changed('employees') }}
