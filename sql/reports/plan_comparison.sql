-- The randomised comparison (CONTRACT section 7.4): each arm against job, per
-- rate metric, in arm and metric order. Aggregates only.
SELECT
    arm, metric, n_arm, x_arm, n_job, x_job, diff, diff_lo, diff_hi, prob_arm_better,
    mh_diff, mh_diff_lo, mh_diff_hi, plans, assigned_arm, done_arm, assigned_job, done_job,
    attrition_p, n_needed_per_arm
FROM plan_comparison
ORDER BY
    CASE arm WHEN 'reference' THEN 0 WHEN 'introduction' THEN 1 ELSE 2 END,
    arm,
    CASE metric
        WHEN 'yes_rate' THEN 0 WHEN 'intro_rate' THEN 1 WHEN 'lead_rate' THEN 2
        WHEN 'reached_out_rate' THEN 3 ELSE 4
    END
