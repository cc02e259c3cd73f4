{{ config(materialized='incremental', unique_key='return_id') }}

-- One row per return with its latest state (see mesh_core's latest_per_key:
-- a corrected return replaces its row, a late older event never does).
{{ mesh_core.latest_per_key(ref('stg_returns'), 'return_id', [
    'return_id', 'order_id', 'product_id', 'warehouse_id', 'region', 'return_ts', 'reason_code',
    'qty', 'refund_amount', 'condition', 'customer_note']) }}
