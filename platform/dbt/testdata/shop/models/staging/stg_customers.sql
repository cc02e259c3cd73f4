select customer_id, lower(email) as email, region_id
from {{ source('orders', 'raw_customers') }}
