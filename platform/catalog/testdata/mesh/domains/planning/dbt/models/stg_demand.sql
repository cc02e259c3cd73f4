select f.units, count(*) as sales
from {{ source('shop', 'fact_sales') }} f
group by 1
