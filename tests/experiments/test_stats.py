"""The statistics behind the experiment results, checked against published values."""

import pytest

from builder.stats import Preference, percentile, preference_read, wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # Symmetric textbook case, and 81 of 100.
        (5, 10, 0.2366, 0.7634),
        (81, 100, 0.7222, 0.8749),
    ],
)
def test_wilson_interval_matches_published_values(successes, trials, low, high):
    got_low, got_high = wilson_interval(successes, trials)
    assert got_low == pytest.approx(low, abs=0.00005)
    assert got_high == pytest.approx(high, abs=0.00005)


def test_wilson_interval_with_no_votes_knows_nothing():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_rejects_more_successes_than_trials():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_percentiles_interpolate_between_ranks():
    times = [float(t) for t in range(1, 11)]
    assert percentile(times, 50) == pytest.approx(5.5)
    assert percentile(times, 95) == pytest.approx(9.55)
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 50) is None


def test_read_names_the_preferred_variant_when_intervals_do_not_overlap():
    read, preferred = preference_read([Preference("A", 48, 100), Preference("B", 71, 100)])
    assert preferred == "B"
    assert read == "B is preferred: 71% up, 95% interval 61-79%, against A's 48%."


def test_read_says_no_clear_winner_when_intervals_overlap():
    read, preferred = preference_read([Preference("A", 48, 100), Preference("B", 55, 100)])
    assert preferred is None
    assert read.startswith("No clear winner yet")


def test_read_says_not_enough_data_below_the_vote_threshold():
    read, preferred = preference_read([Preference("A", 1, 2), Preference("B", 9, 9)])
    assert preferred is None
    assert read == "Not enough data yet: each variant needs at least 20 votes (A has 2 and B has 9)."
