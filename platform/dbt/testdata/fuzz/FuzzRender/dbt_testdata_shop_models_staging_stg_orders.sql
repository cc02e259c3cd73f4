go test fuzz v1
[]byte("select\n    order_id,\n    customer_id,\n    status,\n    {{ cents_to_dollars('amount_cents') }} as amount,\n    event_ts\nfrom {{ source('orders', 'raw_orders') }}\n")
