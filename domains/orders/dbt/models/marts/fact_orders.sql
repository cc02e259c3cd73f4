{{ config(materialized='incremental', unique_key='order_id') }}

-- One row per order line with its latest state (see mesh_core's
-- latest_per_key: corrections replace the row, late older events never do),
-- and its amount in cents.
{{ mesh_core.latest_per_key(ref('stg_orders'), 'order_id', [
    'order_id', 'product_id', 'warehouse_id', 'customer_id', 'region', 'channel', 'priority',
    'promo_code', 'order_ts', 'qty', 'unit_price', 'currency',
    mesh_core.cents('qty * unit_price') ~ ' as line_amount']) }}
