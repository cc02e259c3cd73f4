-- Clean sales.
with src as (
    select * from {{ source('shop', 'raw_sales') }}
)
select
    sale_id,
    lower(customer_email) as customer_email,
    CAST(qty AS BIGINT) as qty,
    CAST(event_ts AS DATE) as event_date
from src
