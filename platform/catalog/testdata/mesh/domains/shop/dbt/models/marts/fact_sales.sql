select
    s.sale_id,
    s.customer_email as buyer,
    s.qty units,
    s.qty * 2 as doubled,
    c.label
from {{ ref('stg_sales') }} as s
cross join {{ ref('channels') }} c
