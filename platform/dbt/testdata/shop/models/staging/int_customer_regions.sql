{{ config(materialized='ephemeral') }}
with regions as (
    select region_id, name as region_name from {{ ref('regions') }}
)
select c.customer_id, c.email, r.region_name
from {{ ref('stg_customers') }} c
left join regions r using (region_id)
