"""Peer plausibility: revenue per MW-year, EBITDA margin and capex per MW against the ranges of listed AI clouds.

The hand case (conftest): 1 MW in service March-December 2025, revenue EUR 100 per hour,
EBITDA EUR 25 per hour, initial capex EUR 2 M.
"""

import numpy as np
import pytest

import finmodel

HOURS = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], dtype=float)


def test_figures_by_hand(hand_inputs):
    res = finmodel.run(inputs_dir=hand_inputs)
    revenue = 100 * HOURS[2:].sum()
    assert res.scalar("p", "revenue_per_mw_year") == pytest.approx(revenue / (10 / 12), rel=1e-12)  # 10 MW-months
    assert res.scalar("p", "ebitda_margin") == pytest.approx(0.25, rel=1e-12)
    assert res.scalar("p", "eur_per_mw") == pytest.approx(2e6, rel=1e-12)


@pytest.mark.parametrize("overrides, flag", [
    ({"peer_ebitda_margin_low": 0.3}, "peer_flag_margin"),  # 25 % is below 30 %
    ({"peer_ebitda_margin_high": 0.2}, "peer_flag_margin"),  # and above 20 %
    ({"peer_capex_eur_per_mw_low": 2.5e6}, "peer_flag_capex"),
    ({"peer_revenue_eur_per_mw_year_high": 1e5}, "peer_flag_revenue"),
])
def test_a_figure_outside_its_range_is_flagged_and_warned(hand_inputs, overrides, flag):
    base = finmodel.run(inputs_dir=hand_inputs)
    assert base.scalar("p", flag) == 0 and not any("listed AI clouds" in w for w in base.warnings)
    res = finmodel.run(inputs_dir=hand_inputs, overrides=overrides)
    assert res.scalar("p", flag) == 1
    name = next(iter(overrides)).rsplit("_", 1)[0]
    assert any(w.startswith("p: ") and name in w for w in res.warnings)


def test_on_the_edge_of_the_range_is_inside(hand_inputs):
    res = finmodel.run(inputs_dir=hand_inputs, overrides={"peer_ebitda_margin_low": 0.25, "peer_ebitda_margin_high": 0.25})
    assert res.scalar("p", "peer_flag_margin") == 0
