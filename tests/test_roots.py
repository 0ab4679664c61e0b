"""The bracketed, batched root solver on functions whose roots are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from finmodel.roots import find_roots


class Counted:
    """f_j(x) for the rows asked for, counting the batched calls and the shape of each."""

    def __init__(self, *functions):
        self.functions, self.shapes = functions, []

    def __call__(self, which, x):
        self.shapes.append(x.shape)
        return np.array([self.functions[w](row) for w, row in zip(which, x)])


def test_several_roots_solved_together_one_call_a_step():
    f = Counted(lambda x: 1e11 * (x - 1 / 3),  # NPV-like slope: |f| <= 1 needs x within 1e-11
                lambda x: 1e9 * (x ** 2 - 2),  # root sqrt(2)
                lambda x: 1e9 * np.tanh(50 * (x - 0.9)))  # steep near the root, flat far from it
    grid = np.array([np.linspace(0, 1, 11), np.linspace(0, 2, 11), np.linspace(-1, 1, 11)])
    found = find_roots(f, grid, tol=1.0, what="NPV", unit="EUR")
    assert found.x == pytest.approx([1 / 3, 2 ** 0.5, 0.9], abs=1e-9)
    assert found.converged.all() and (np.abs(found.fx) <= 1.0).all()
    assert found.fx.tolist() == [f.functions[j](found.x[j]) for j in range(3)]  # fx is f at x, not an estimate
    assert found.calls == len(f.shapes) <= 6  # the grid, then each call narrows every bracket eightfold or more
    assert f.shapes[0] == (3, 11)  # every root's grid in the first call
    assert all(rows <= 3 for rows, _ in f.shapes[1:])  # solved roots leave the batch
    assert found.messages[0].startswith("NPV = ") and found.messages[0].endswith(" EUR")
    assert found.notes == ["", "", ""]


def test_no_sign_change_is_nan_with_a_message():
    found = find_roots(Counted(lambda x: x ** 2 + 1, lambda x: -5 + 0 * x), np.tile(np.linspace(-1, 1, 5), (2, 1)), tol=1e-9,
                       what="NPV", unit="EUR")
    assert np.isnan(found.x).all() and not found.converged.any()
    assert found.messages == ["NPV stays positive (from 1 to 2 EUR) over 5 values",
                              "NPV stays negative (from -5 to -5 EUR) over 5 values"]
    assert found.calls == 1


def test_zero_everywhere_is_no_root():
    found = find_roots(Counted(lambda x: 0 * x), np.linspace(0, 1, 4)[None, :], tol=1.0)
    assert np.isnan(found.x[0]) and "every grid value" in found.messages[0]


def test_root_at_a_grid_point_is_taken_without_refinement():
    f = Counted(lambda x: (x - 0.25) * 1e6)
    found = find_roots(f, np.linspace(0, 1, 5)[None, :], tol=1e-12)  # 0.25 is the second grid value
    assert found.x[0] == 0.25 and found.fx[0] == 0 and found.messages[0] == "f = 0 at a grid value"
    assert found.calls == 1 and found.values[0] == 5


def test_several_sign_changes_take_the_one_nearest():
    cubic = lambda x: (x + 1) * x * (x - 1) * 1e3  # roots -1, 0, 1  # noqa: E731
    grid = np.tile(np.linspace(-1.55, 1.45, 7), (3, 1))  # no root on a grid value
    found = find_roots(Counted(cubic, cubic, cubic), grid, tol=1e-9, near=np.array([-2.0, 0.1, 0.8]))
    assert found.x == pytest.approx([-1, 0, 1], abs=1e-12)
    assert found.notes[1] == "; 3 sign changes in the grid, the one nearest 0.1 taken"


def test_a_root_that_floating_point_cannot_reach_stops_with_a_message():
    # a jump from -1 to +1 at x = 0.3: the bracket narrows to neighbouring floats, |f| stays 1
    found = find_roots(Counted(lambda x: np.where(x < 0.3, -1.0, 1.0)), np.linspace(0, 1, 3)[None, :], tol=0.5)
    assert not found.converged[0] and found.x[0] == pytest.approx(0.3, abs=1e-15)
    assert found.messages[0] == "refinement stopped at |f| = 1 (floating-point resolution)"
