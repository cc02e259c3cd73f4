{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed return events, one row per event_id (see mesh_core's
-- stage_events for the envelope and why the increment is by arrival, not
-- event time). Refunds above max_refund_amount are input errors.
{% set columns %}
    CAST(return_id AS VARCHAR)             as return_id,
    CAST(order_id AS VARCHAR)              as order_id,
    product_id,
    warehouse_id,
    region,
    return_ts,
    lower(reason_code)                     as reason_code,
    CAST(qty AS BIGINT)                    as qty,
    {{ mesh_core.cents('refund_amount') }} as refund_amount,
    lower(condition)                       as condition,
    customer_note
{% endset %}

{{ mesh_core.stage_events(source('returns', 'raw_returns'), columns) }}
where qty > 0 and refund_amount <= {{ var('max_refund_amount') }}
