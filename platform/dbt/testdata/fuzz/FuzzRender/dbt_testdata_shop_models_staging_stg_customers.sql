go test fuzz v1
[]byte("select customer_id, lower(email) as email, region_id\nfrom {{ source('orders', 'raw_customers') }}\n")
