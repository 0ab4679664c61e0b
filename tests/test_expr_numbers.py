"""Numbers of expr's helpers: the corkscrews (carry, carry_together) against a plain Python loop over draws and
months, maximum/minimum of two numbers (a corkscrew's months without a batch axis) against numpy, safe_divide's
edges."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from finmodel.expr import F, carry, carry_together, lag, match_le, maximum, minimum, safe_divide, ytd

N, T = 5, 40


def loan(prev, draw, due, rate, on):
    """A balance: grows at ``rate``, plus draws, less what is due while ``on`` (at most the balance), at least 0."""
    return maximum(0, prev * (1 + rate) + draw - on * minimum(prev, due))


def loan_by_hand(prev, draw, due, rate, on):
    return max(0.0, prev * (1 + rate) + draw - on * min(prev, due))


def pair(prev, flow, cap):
    """Two rows reading each other's previous values: cash held up to ``cap``, the rest paid out and summed."""
    cash, paid = prev
    held = minimum(cap, maximum(cash + flow, 0))
    return held, paid + maximum(cash + flow, 0) - held


def pair_by_hand(prev, flow, cap):
    cash, paid = prev
    held = min(cap, max(cash + flow, 0.0))
    return held, paid + max(cash + flow, 0.0) - held


def by_hand(step, states, rows, batch):
    """Each draw and month in turn, with Python floats: the reference."""
    rows = [np.broadcast_to(np.asarray(r, dtype=float), batch + (T,)) for r in rows]
    out = np.zeros((states,) + batch + (T,))
    for n in np.ndindex(*batch):
        prev = (0.0,) * states
        for t in range(T):
            prev = step(prev, *(float(r[n + (t,)]) for r in rows))
            for k in range(states):
                out[(k,) + n + (t,)] = prev[k]
    return out


def random_rows(rng, batch):
    """Rows of every shape a line item passes: per draw and month, per month, per draw, one number."""
    draw = rng.uniform(0, 100, batch + (T,)) * (rng.uniform(size=batch + (T,)) < 0.3)
    due = rng.uniform(0, 30, T)
    rate = rng.uniform(0, 0.02, batch + (1,)) if batch else float(rng.uniform(0, 0.02))
    on = (rng.uniform(size=T) < 0.7).astype(float)
    return draw, due, rate, on


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("batch", [(), (N,), (2, 3)], ids=["no batch axis", "draws", "two batch axes"])
def test_carry_equals_a_plain_loop(seed, batch):
    rng = np.random.default_rng(seed)
    rows = random_rows(rng, batch)
    got = carry(loan, *rows)
    assert got.shape == batch + (T,)
    expected = by_hand(lambda prev, *v: (loan_by_hand(prev[0], *v),), 1, rows, batch)[0]
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("batch", [(), (N,)], ids=["no batch axis", "draws"])
def test_carry_together_equals_a_plain_loop(seed, batch):
    rng = np.random.default_rng(seed)
    flow = rng.normal(0, 50, batch + (T,))
    cap = rng.uniform(10, 60, batch + (1,)) if batch else 35.0
    got = np.array(carry_together(pair, 2, flow, cap))
    np.testing.assert_array_equal(got, by_hand(pair_by_hand, 2, [flow, cap], batch))


def test_carry_writes_the_formula_from_the_same_step():
    assert carry(loan, F("D5"), F("D6"), F("rate"), F("D7")).text == "MAX(0, {p}{r}*(1+rate)+D5-D7*MIN({p}{r}, D6))"


@pytest.mark.parametrize("a, b", [(1.0, 2.0), (2.0, 1.0), (0.0, -0.0), (-0.0, 0.0), (0, -0.0), (math.nan, 1.0),
                                  (1.0, math.nan), (math.inf, -math.inf), (-3, 2.5), (7, 7)])
def test_maximum_and_minimum_of_two_numbers_are_numpys(a, b):
    for ours, theirs in ((maximum, np.maximum), (minimum, np.minimum)):
        got, expected = ours(a, b), theirs(a, b)
        assert not isinstance(got, np.ndarray)
        if math.isnan(expected):
            assert math.isnan(got)
        else:
            assert got == expected and math.copysign(1, got) == math.copysign(1, expected), (ours.__name__, a, b)


def test_safe_divide_is_nan_by_zero_and_inf_beyond_the_float_range_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = safe_divide(np.array([-1468800.0, 1.0, 0.0, 6.0]), np.array([8.17e-303, 0.0, 0.0, 3.0]))
    assert got[0] == -math.inf and math.isnan(got[1]) and math.isnan(got[2]) and got[3] == 2.0


@pytest.mark.parametrize("batched_table", [False, True])
def test_match_le_counts_the_entries_up_to_x_as_a_plain_loop_does(batched_table):
    rng = np.random.default_rng(7)
    table = np.sort(rng.integers(0, 50, (N, 4) if batched_table else 4), axis=-1).astype(float)
    x = rng.integers(-5, 60, (3, N, T)).astype(float)
    got = match_le(x, table)
    assert got.shape == x.shape
    for idx in np.ndindex(*x.shape):
        row = table[idx[1]] if batched_table else table
        assert got[idx] == sum(1 for entry in row if entry <= x[idx]), idx
    assert match_le(49.5, np.array([10.0, 20.0, 50.0])).tolist() == [2.0]


@pytest.mark.parametrize("batch", [(), (N,)], ids=["no batch axis", "draws"])
def test_ytd_and_lag_equal_a_plain_loop(batch):
    rng = np.random.default_rng(3)
    x = rng.normal(0, 10, batch + (T,))
    start = (np.arange(T) % 12 == 5).astype(float)  # the year starts in the sixth month
    got_ytd, got_lag = ytd(x, start), lag(x)
    for n in np.ndindex(*batch):
        running, previous = 0.0, 0.0
        for t in range(T):
            running = (0.0 if start[t] else running) + float(x[n + (t,)])
            assert got_ytd[n + (t,)] == pytest.approx(running, rel=1e-12, abs=1e-9)
            assert got_lag[n + (t,)] == previous
            previous = float(x[n + (t,)])
