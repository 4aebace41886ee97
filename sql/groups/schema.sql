-- all_groups.duckdb (CONTRACT section 8): rebuilt from scratch by every groups
-- run from the groups' warehouses, so it has no migrations.

-- One row per (group, metric): the group's scope 'group' row of
-- strategy_comparison (mh_* null); plus one row per metric with group_key
-- null: the groups pooled (sums), and Mantel-Haenszel with groups as strata.
CREATE TABLE group_comparison (
    group_key VARCHAR,                  -- null on the pooled rows
    group_slug VARCHAR,                 -- null on the pooled rows
    metric VARCHAR NOT NULL,
    n_ref BIGINT NOT NULL,
    x_ref BIGINT NOT NULL,
    n_job BIGINT NOT NULL,
    x_job BIGINT NOT NULL,
    diff DOUBLE,
    diff_lo DOUBLE,
    diff_hi DOUBLE,
    prob_ref_better DOUBLE,
    mh_diff DOUBLE,                     -- pooled rows only
    mh_diff_lo DOUBLE,
    mh_diff_hi DOUBLE,
    groups BIGINT                       -- pooled rows: the groups summed (the strata)
);

-- One row per group of the run: how its run went and its size.
CREATE TABLE groups (
    group_key VARCHAR NOT NULL,
    group_slug VARCHAR NOT NULL,
    folder VARCHAR NOT NULL,            -- the folder's name in the groups folder
    status VARCHAR NOT NULL,            -- 'completed' or 'failed' (this run)
    error VARCHAR,                      -- why it failed, or why its warehouse was left out
    in_comparison BOOLEAN NOT NULL,     -- its warehouse was read into group_comparison
    members BIGINT,
    calls BIGINT
);
