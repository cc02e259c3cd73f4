{{ config(materialized='incremental', unique_key='order_id', on_schema_change='append_new_columns', tags=['finance']) }}
select
    o.order_id,
    o.customer_id,
    o.status,
    o.amount,
    {{ shared_utils.safe_divide('o.amount', var('fx_rate', 1)) }} as amount_{{ var('currency') | lower }},
    '{{ env_var('MESH_REGION', 'eu-central') }}' as region,
    o.event_ts
from {{ ref('stg_orders') }} o
{% if is_incremental() %}
where o.event_ts > (select max(event_ts) - interval {{ var('lookback_days') }} day from {{ this }})
{% endif %}
