"""A small run of the load test: concurrent reviewers over loopback lose no decision and overwrite nothing."""
from review.loadtest import percentile, run_load


def test_load_concurrent_reviewers_lose_no_decision(tmp_path):
    report = run_load(reviewers=4, decisions=200, acts=1, clauses_per_act=25, workdir=tmp_path,
                      separate_process=False)
    assert sum(report.statuses.values()) == 200
    assert set(report.statuses) <= {200, 409}, report.statuses
    assert report.audit_rows == report.ok_decisions == report.version_sum
    assert report.mismatched_items == 0 and report.invariants_hold


def test_load_percentile_picks_ranked_values():
    assert [percentile([5, 1, 4, 2, 3], q) for q in (0, .5, 1)] == [1, 3, 5]
    assert percentile([], .95) == 0.0
