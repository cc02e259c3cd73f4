{#- The incremental patterns every domain uses, written once.

    new_raw_events: the raw events that arrived since the model last ran, one
    row per key. Incremental by arrival (ingested_at), not by event_ts: a late
    event keeps its old event_ts but has a new ingested_at. Keeping the newest
    copy of a replayed key makes max(ingested_at) cover every raw row read, so
    the next run skips them all.

    latest_per_key: the latest state of each key, for facts merged on a
    unique_key. Changed keys are re-read together with their current row, and
    the latest event_ts wins, so a correction replaces the row and a late older
    event never does. last_ingested_at (the newest arrival of the key, winning
    or not) is the watermark of the next run. -#}

{% macro new_raw_events(relation, key='event_id') -%}
select *
from {{ relation }}
{% if is_incremental() -%}
where ingested_at > (select coalesce(max(ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
{% endif -%}
qualify row_number() over (partition by {{ key }} order by ingested_at desc) = 1
{%- endmacro %}

{% macro latest_per_key(relation, key, columns) -%}
with changed as (
    select {{ columns | join(', ') }}
    from {{ relation }}
    {% if is_incremental() -%}
    where ingested_at > (select coalesce(max(last_ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
    {%- endif %}
),
candidates as (
    select * from changed
    {% if is_incremental() -%}
    union all
    select {{ columns | join(', ') }}
    from {{ this }}
    where {{ key }} in (select {{ key }} from changed)
    {%- endif %}
)
select *, max(ingested_at) over (partition by {{ key }}) as last_ingested_at
from candidates
qualify row_number() over (partition by {{ key }} order by event_ts desc, ingested_at desc) = 1
{%- endmacro %}
