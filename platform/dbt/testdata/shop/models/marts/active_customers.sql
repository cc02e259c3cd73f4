select customer_id, {{ shared_utils.safe_divide('1', '2') }} as half
from {{ ref('stg_customers') }}
