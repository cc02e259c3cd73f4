go test fuzz v1
[]byte("select customer_id, {{ shared_utils.safe_divide('1', '2') }} as half\nfrom {{ ref('stg_customers') }}\n")
