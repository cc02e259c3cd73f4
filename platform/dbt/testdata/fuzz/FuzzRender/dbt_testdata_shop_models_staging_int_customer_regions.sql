go test fuzz v1
[]byte("{{ config(materialized='ephemeral') }}\nwith regions as (\n    select region_id, name as region_name from {{ ref('regions') }}\n)\nselect c.customer_id, c.email, r.region_name\nfrom {{ ref('stg_customers') }} c\nleft join regions r using (region_id)\n")
