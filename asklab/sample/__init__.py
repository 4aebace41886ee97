"""A synthetic job-search group for demos and tests (``asklab sample DIR``).

The group is meant to look like what real members hand in: every file variant
of the data contract (section 1) appears somewhere, a handful of rows carry
realistic typos so the demo shows rejections, and the outcomes follow a
plausible story: reference asks are said yes to far more often than job asks,
reference and introduction asks keep contacts "keeping an eye out" (more
introductions and later leads), and the members differ in whom they call and
what they ask for, so relationship confounds a naive comparison.

Everything is drawn from numpy generators seeded by ``(seed, member index)``,
so the same seed and end date give the same bytes, and adding members does
not change the earlier ones.

The parts: ``texts`` (the words members write), ``behaviour`` (archetypes and
probabilities), ``calls`` and ``followups`` (what a member's calls bring, drawn
as arrays), ``logs`` (those draws as records: each member's calls and events),
``cells`` and ``styles`` (how each member's style turns a log into files,
faults included), ``plans`` (plans and the calls of planned contacts),
``write`` (the whole group as files).

Layout for five members (styles repeat for larger groups)::

    alice/calls.csv, alice/followups.csv       canonical headers, ISO dates,
                                               quoted notes, blank lines, a duplicate
    bob/<year>/calls.csv, followups.csv        nested by year, UTF-8 BOM, messy
                                               headers, an unknown column, times
    carmen/job_search.xlsx                     Calls + Follow-ups sheets with native
                                               dates, a Notes sheet with no known header
    deepak/calls.csv, deepak/events.csv        CRLF, month-name dates
    erin/calls.csv, erin/outcomes.csv          day-first dates (slashed / dotted)
    shared/cohort_log.csv                      calls of alice and bob, member column
    alice/plans/, bob/plans/, carmen/plans/    randomised ask plans (``plans``): two of
                                               alice's, a three-arm one of bob's, and
                                               carmen's, whose job asks mostly stay open

With four weeks or more, the plain, nested and workbook members make plans
from people they have not called yet and then call them, asking what the
plan says nearly every time (``plans``, drawn after everything else, so the
other calls and events are those of a group without plans).
"""

from __future__ import annotations

from asklab.sample.logs import generate_group
from asklab.sample.texts import member_name
from asklab.sample.write import sample_files, write_sample

__all__ = ["generate_group", "member_name", "sample_files", "write_sample"]
