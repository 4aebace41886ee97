-- v2: randomised ask plans (CONTRACT section 7) and the Mantel-Haenszel
-- interval of the group comparison (section 3.1).

-- Every plan row that passed the rules of its own file (section 7.1 within a
-- plan, and the assignment rule of 7.2), per source file like rejected_rows:
-- replaced whenever its file is re-read, kept when its file is in error.
CREATE TABLE plan_file_rows (
    plan_id VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    created DATE NOT NULL,
    seed VARCHAR NOT NULL,
    arms VARCHAR NOT NULL,              -- the plan's arms, an ask label
    contact VARCHAR NOT NULL,           -- as written (display name)
    contact_key VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,      -- canonical, 'unknown' or 'other'
    arm VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    source_line BIGINT NOT NULL
);

-- The accepted plan rows after the checks across files (a plan_id used twice
-- by one member; a contact already in an earlier plan of the member),
-- rebuilt by the ingest stage from plan_file_rows whenever a plan file
-- changes. The outcomes stage links these to calls (plan_assignments).
CREATE TABLE plan_rows (
    plan_id VARCHAR NOT NULL,
    member VARCHAR NOT NULL,
    created DATE NOT NULL,
    seed VARCHAR NOT NULL,
    arms VARCHAR NOT NULL,
    contact VARCHAR NOT NULL,
    contact_key VARCHAR NOT NULL,
    relationship VARCHAR NOT NULL,
    arm VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    source_line BIGINT NOT NULL
);

-- Section 7.3: one row per accepted plan row, linked to the call that did it.
CREATE TABLE plan_assignments (
    plan_id VARCHAR,
    member VARCHAR,
    contact_key VARCHAR,
    relationship VARCHAR,
    arm VARCHAR,
    created DATE,
    call_id VARCHAR,
    complied BOOLEAN,
    source_file VARCHAR,
    source_line BIGINT
);

-- Section 7.4: one row per (arm, metric), arm against job.
CREATE TABLE plan_comparison (
    arm VARCHAR,
    metric VARCHAR,
    n_arm BIGINT,
    x_arm BIGINT,
    n_job BIGINT,
    x_job BIGINT,
    diff DOUBLE,
    diff_lo DOUBLE,
    diff_hi DOUBLE,
    prob_arm_better DOUBLE,
    mh_diff DOUBLE,
    mh_diff_lo DOUBLE,
    mh_diff_hi DOUBLE,
    plans BIGINT,
    assigned_arm BIGINT,
    done_arm BIGINT,
    assigned_job BIGINT,
    done_job BIGINT,
    attrition_p DOUBLE,
    n_needed_per_arm BIGINT
);

-- Section 3: the group rows' Mantel-Haenszel interval (Sato variance).
ALTER TABLE strategy_comparison ADD COLUMN mh_diff_lo DOUBLE;
ALTER TABLE strategy_comparison ADD COLUMN mh_diff_hi DOUBLE;
