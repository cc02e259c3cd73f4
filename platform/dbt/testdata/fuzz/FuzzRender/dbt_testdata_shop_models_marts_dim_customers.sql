go test fuzz v1
[]byte("with customers as (\n    select * from {{ ref('int_customer_regions') }}\n)\nselect customer_id, email, region_name from customers\n")
