{{ config(materialized='incremental', unique_key='movement_id') }}

-- One row per movement with its latest state (see mesh_core's
-- latest_per_key: a corrected movement replaces the row, a late older event
-- never does).
{{ mesh_core.latest_per_key(ref('stg_inventory_movements'), 'movement_id', [
    'movement_id', 'product_id', 'warehouse_id', 'region', 'delta_qty', 'source_type',
    'reference_id', 'order_id', 'employee_id', 'movement_ts']) }}
