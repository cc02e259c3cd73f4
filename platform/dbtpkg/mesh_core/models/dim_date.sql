-- The conformed calendar: one row per day, ISO weeks and the shared promotion
-- calendar, shared by every domain.
select
    CAST(d AS DATE)                        as date_id,
    CAST(day(d) AS INTEGER)                as day,
    CAST(weekofyear(d) AS INTEGER)         as week,
    CAST(month(d) AS INTEGER)              as month,
    CAST(quarter(d) AS INTEGER)            as quarter,
    CAST(year(d) AS INTEGER)               as year,
    CAST(isodow(d) AS INTEGER)             as day_of_week,
    isodow(d) >= 6                         as is_weekend,
    strftime(d, '%Y-%m')                   as year_month,
    date_diff('day', DATE '1970-01-01', CAST(d AS DATE)) % {{ var("promo_cycle_days") }}
        < {{ var("promo_length_days") }}   as is_promo_day
from range(
    CAST('{{ var("dim_date_start") }}' AS TIMESTAMP),
    CAST('{{ var("dim_date_end") }}' AS TIMESTAMP) + INTERVAL 1 DAY,
    INTERVAL 1 DAY
) as days(d)
