{#- The incremental patterns every domain uses, written once, so that a
    domain's model holds only its own columns and rules.

    Call them qualified, as mesh_core.<macro>(...): dbt-core reaches a
    package's macros only under the package's name, from a domain's models
    and from these macros alike (both render in the domain model's context).

    Every event of the mesh carries the same envelope around its domain
    columns: event_id, event_ts (when it happened), event_date (its day, the
    key of dim_date) and ingested_at (when it arrived in the raw table).
    stage_events types it; latest_per_key carries it into the facts. -#}

{#- new_raw_events: the raw events that arrived since the model last ran, one
    row per key. Incremental by arrival (ingested_at), not by event_ts: a late
    event keeps its old event_ts but has a new ingested_at. Keeping the newest
    copy of a replayed key makes max(ingested_at) cover every raw row read, so
    the next run skips them all. -#}
{% macro new_raw_events(relation, key='event_id') -%}
select *
from {{ relation }}
{% if is_incremental() -%}
where ingested_at > (select coalesce(max(ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
{% endif -%}
qualify row_number() over (partition by {{ key }} order by ingested_at desc) = 1
{%- endmacro %}

{#- stage_events: a staging model of a raw event table, incremental on
    unique_key event_id: the new raw events (new_raw_events) as
        event_id (VARCHAR), event_ts, event_date (DATE of event_ts),
        <columns>,
        ingested_at
    columns is the model's own select list over the raw columns, as SQL
    (usually captured with {% set columns %}...{% endset %}; it must not end
    with a -- comment). The SQL ends with "from deduplicated", so the model
    may follow it with a where clause that drops input errors. -#}
{% macro stage_events(relation, columns) -%}
with deduplicated as (
    {{ mesh_core.new_raw_events(relation) }}
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    {{ columns | trim }},
    ingested_at
from deduplicated
{%- endmacro %}

{#- latest_per_key: a fact merged on unique_key key, one row per key with its
    latest state, read from relation (a staging model of stage_events). Its
    columns, in order, are columns, then the envelope (event_id, event_ts,
    event_date, ingested_at), then last_ingested_at.

    columns lists the domain's columns by name; an item "<expression> as
    <name>" (anything with a space) is a derived column, computed from the
    others in the final select and not read from relation.

    Changed keys are re-read together with their current row, and the latest
    event_ts wins, so a correction replaces the row and a late older event
    never does. last_ingested_at (the newest arrival of the key, winning or
    not) is the watermark of the next run. -#}
{% macro latest_per_key(relation, key, columns) -%}
{%- set envelope = ['event_id', 'event_ts', 'event_date', 'ingested_at'] -%}
{%- set ns = namespace(stored=[]) -%}
{%- for c in columns -%}
    {%- if c in envelope or c == 'last_ingested_at' -%}
        {{ exceptions.raise_compiler_error("latest_per_key: " ~ c ~ " is part of the event envelope, which latest_per_key adds itself") }}
    {%- elif ' ' not in c -%}
        {%- set ns.stored = ns.stored + [c] -%}
    {%- endif -%}
{%- endfor -%}
{%- set stored = ns.stored + envelope -%}
with changed as (
    select {{ stored | join(', ') }}
    from {{ relation }}
    {% if is_incremental() -%}
    where ingested_at > (select coalesce(max(last_ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
    {%- endif %}
),
candidates as (
    select * from changed
    {% if is_incremental() -%}
    union all
    select {{ stored | join(', ') }}
    from {{ this }}
    where {{ key }} in (select {{ key }} from changed)
    {%- endif %}
)
select
    {% for c in columns + envelope %}{{ c }},
    {% endfor -%}
    max(ingested_at) over (partition by {{ key }}) as last_ingested_at
from candidates
qualify row_number() over (partition by {{ key }} order by event_ts desc, ingested_at desc) = 1
{%- endmacro %}
