select customer_id, {{ safe_divide('1', '2') }} as half
from {{ ref('stg_customers') }}
