with customers as (
    select * from {{ ref('int_customer_regions') }}
)
select customer_id, email, region_name from customers
