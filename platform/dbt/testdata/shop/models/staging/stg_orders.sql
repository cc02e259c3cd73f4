select
    order_id,
    customer_id,
    status,
    {{ cents_to_dollars('amount_cents') }} as amount,
    event_ts
from {{ source('orders', 'raw_orders') }}
