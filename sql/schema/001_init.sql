-- asklab warehouse, schema version 1.
--
-- Three layers:
--   1. per-file state (file_state, rejected_rows) and every valid row of
--      every file, so that a changed file can replace exactly what it
--      contributed. A valid row is stored once: the first copy of each
--      distinct call/event (CONTRACT 1.7) in the contract table `calls` /
--      `events`, every further copy in `call_duplicates` /
--      `event_duplicates`. The views `call_rows` / `event_rows` show both;
--   2. the contract tables calls and events (the first copies, above);
--   3. the outcome tables, written by the outcomes stage.
-- No primary keys on the big tables: DuckDB maintains ART indexes row by row,
-- which makes a bulk delete + re-insert of a million rows very slow.
-- The content-derived ids (md5 hex) are stored uncompressed: no compression
-- helps random hex, and trying them all costs more than the write itself.

CREATE TABLE warehouse_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- What the warehouse holds of each source file (its last good load).
CREATE TABLE file_state (
    source_file VARCHAR PRIMARY KEY,      -- relative to the raw root, '/' separated
    sha256 VARCHAR NOT NULL,              -- of the bytes that were loaded
    params_fingerprint VARCHAR NOT NULL,  -- date order + validation rules version
    as_of DATE NOT NULL,                  -- as_of the file was validated against
    max_date DATE,                        -- latest accepted call/event date
    has_future_rejections BOOLEAN NOT NULL,
    last_loaded_run VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL          -- UTC
);

CREATE TABLE rejected_rows (
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    line BIGINT,
    "column" VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    member VARCHAR
);

-- One row per distinct call: its first copy in (source_file, line) order.
CREATE TABLE calls (
    call_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    member VARCHAR NOT NULL,
    call_date DATE NOT NULL,
    contact_key VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    ask_label VARCHAR NOT NULL,
    strategy VARCHAR NOT NULL,
    agreed_reference BOOLEAN,
    introductions BIGINT NOT NULL,
    leads BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    contact VARCHAR NOT NULL,
    sheet VARCHAR,
    notes VARCHAR
);

-- Every further copy of a call (same columns as calls).
CREATE TABLE call_duplicates (
    call_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    member VARCHAR NOT NULL,
    call_date DATE NOT NULL,
    contact_key VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    ask_label VARCHAR NOT NULL,
    strategy VARCHAR NOT NULL,
    agreed_reference BOOLEAN,
    introductions BIGINT NOT NULL,
    leads BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    contact VARCHAR NOT NULL,
    sheet VARCHAR,
    notes VARCHAR
);

-- One row per distinct event: its first copy in (source_file, line) order.
CREATE TABLE events (
    event_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    member VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    contact_key VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    count BIGINT NOT NULL,
    call_id VARCHAR USING COMPRESSION uncompressed,  -- attributed call, set by the outcomes stage
    source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    contact VARCHAR NOT NULL,
    sheet VARCHAR,
    notes VARCHAR
);

-- Every further copy of an event (the events columns but the attribution).
CREATE TABLE event_duplicates (
    event_id VARCHAR USING COMPRESSION uncompressed NOT NULL,
    member VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    contact_key VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    count BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    contact VARCHAR NOT NULL,
    sheet VARCHAR,
    notes VARCHAR
);

-- Every valid row of every file, duplicates included.
CREATE VIEW call_rows AS
SELECT
    member, call_date, contact, contact_key, ask_label, strategy, relationship,
    agreed_reference, introductions, leads, notes, source_file, sheet, source_line, call_id
FROM calls
UNION ALL
SELECT
    member, call_date, contact, contact_key, ask_label, strategy, relationship,
    agreed_reference, introductions, leads, notes, source_file, sheet, source_line, call_id
FROM call_duplicates;

CREATE VIEW event_rows AS
SELECT
    member, event_date, contact, contact_key, event_type, count, notes, source_file, sheet,
    source_line, event_id
FROM events
UNION ALL
SELECT
    member, event_date, contact, contact_key, event_type, count, notes, source_file, sheet,
    source_line, event_id
FROM event_duplicates;

-- One row per file per run.
CREATE TABLE load_log (
    run_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('loaded', 'unchanged', 'error', 'removed')),
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    message VARCHAR,
    loaded_at TIMESTAMP NOT NULL          -- UTC
);

CREATE TABLE call_outcomes (
    call_id VARCHAR USING COMPRESSION uncompressed,
    member VARCHAR,
    call_date DATE,
    strategy VARCHAR,
    ask_label VARCHAR,
    relationship VARCHAR,
    said_yes BOOLEAN,
    introductions_total BIGINT,
    leads_total BIGINT,
    any_introduction BOOLEAN,
    any_lead BOOLEAN,
    reached_out BOOLEAN,
    reference_given BOOLEAN,
    interviews BIGINT,
    offers BIGINT,
    days_to_first_lead BIGINT,
    mature BOOLEAN,
    -- Extra columns the outcomes stage also writes.
    contact_key VARCHAR,
    leads_immediate BIGINT,
    leads_later BIGINT
);

CREATE TABLE outcomes_by_strategy (
    scope VARCHAR,
    member VARCHAR,
    strategy VARCHAR,
    calls BIGINT,
    mature_calls BIGINT,
    yes_rate_n BIGINT,
    yes_rate_x BIGINT,
    yes_rate DOUBLE,
    yes_rate_lo DOUBLE,
    yes_rate_hi DOUBLE,
    intro_rate_n BIGINT,
    intro_rate_x BIGINT,
    intro_rate DOUBLE,
    intro_rate_lo DOUBLE,
    intro_rate_hi DOUBLE,
    lead_rate_n BIGINT,
    lead_rate_x BIGINT,
    lead_rate DOUBLE,
    lead_rate_lo DOUBLE,
    lead_rate_hi DOUBLE,
    reached_out_rate_n BIGINT,
    reached_out_rate_x BIGINT,
    reached_out_rate DOUBLE,
    reached_out_rate_lo DOUBLE,
    reached_out_rate_hi DOUBLE,
    leads_per_call DOUBLE,
    leads_per_call_lo DOUBLE,
    leads_per_call_hi DOUBLE
);

CREATE TABLE strategy_comparison (
    scope VARCHAR,
    member VARCHAR,
    metric VARCHAR,
    n_ref BIGINT,
    x_ref BIGINT,
    n_job BIGINT,
    x_job BIGINT,
    diff DOUBLE,
    diff_lo DOUBLE,
    diff_hi DOUBLE,
    prob_ref_better DOUBLE,
    mh_diff DOUBLE                        -- scope 'group' only
);
