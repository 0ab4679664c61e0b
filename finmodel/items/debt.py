"""Debt tranches: draws, interest during construction, fees, repayment [EUR].

Each phase borrows in three tranches (their order is the order below):

- ``gpu_debt``: GPU-backed loans, one per GPU purchase, whose margin
  depends on the credit quality of the offtake contracts;
- ``vendor``: vendor financing or leases on IT capex;
- ``senior``: senior construction/term debt on building works.

GPU loans: each purchase (a stage's first GPUs and every refresh) borrows
``gpu_debt_share`` (loan-to-value) of its IT cost when it is paid (deposit
and delivery). Interest is capitalised until the purchase earns revenue
(up to its stage's service month, k = 0, as for the other tranches'
completion; a refresh is paid on delivery, so none), and the loan is repaid over ``gpu_debt_tenor_months`` (at most the GPU life)
from the next month, as an annuity or straight line. Since the tenor is no
longer than the life, a stage has at most one GPU loan outstanding: the
last instalment of the old one falls at the latest in its refresh month, so
one balance per stage carries them all. Each month repays the share of the
opening balance that the profile gives for the n = tenor - k + 1
instalments left: annuity r / (1 - (1 + r) ^ -n) - r (the level payment on
what is left, less its interest: the same principal as numpy-financial's
``ppmt``), straight line 1 / n.

The other tranches draw ``<tranche>_share`` of its capex base each month until the
month of full service ("completion", k = 0), interest during construction
is added to the balance, and the upfront fee is paid at the first capex.
From the month after completion (k = 1) it is repaid over its tenor, as
chosen by ``<tranche>_profile``:

- annuity: level payment; principal in repayment month k is
  (payment - r x D0) x (1 + r) ^ (k - 1), as numpy-financial's ``ppmt``;
- straight line: D0 / tenor a month;
- sculpted: principal = CFADS / dscr_target - the debt service of the
  tranches before it - interest, never below 0 nor above the balance, so
  the phase's DSCR is dscr_target. A sculpted tranche is sized down to what
  that repays within its tenor (its debt capacity, never below 0).

Whatever is left at maturity (k = tenor) is repaid then, and what is left
in the horizon's last month (a tenor beyond it) is repaid out of the
residual value; a cash sweep may prepay the senior debt (:mod:`finmodel.items.sweep`, which gives the
debt totals after it). Rates are monthly equivalents of base_rate + margin [1/yr].
CFADS (cash flow available for debt service) is EBITDA - the project's
(unlevered) tax as paid (instalments) - the increase in working capital: lenders' base case, and
it avoids a circular reference through the interest tax shield.
"""

from functools import reduce
from operator import add

from finmodel.expr import carry, eq, ge, lag, lt, maximum, minimum, sumproduct, total
from finmodel.registry import row, scalar

S = "Debt"

#: the tranches, in repayment order: (name, label, base rows)
TRANCHES = (
    ("gpu_debt", "GPU-backed loans", ("capex_it",)),
    ("vendor", "Vendor financing", ("capex_it",)),
    ("senior", "Senior debt", ("capex_works",)),
)


@row("Completion marker (month of full service)", "flag", S, consolidate=None)
def completion_marker(m):
    """1 in the month the full capacity enters service."""
    return eq(m.months2, 1)


@scalar("Completion period", "#", S, consolidate=None)
def completion_period(m):
    """Period number of the month of full service."""
    return sumproduct(m.t.period, m.completion_marker)


@row("Months after completion", "month", S, consolidate=None)
def months_after(m):
    """k: period - completion period (0 at completion, negative before)."""
    return m.t.period - m.completion_period


@row("Drawdown flag", "flag", S, consolidate=None)
def draw_flag(m):
    """1 up to and including the month of full service (k <= 0): loans draw and capitalise interest."""
    return lt(m.months_after, 1)


@row("Cash flow available for debt service", "EUR", S, total=True)
def cfads(m):
    """EBITDA - project (unlevered) tax paid (in instalments) - increase in working capital."""
    return m.ebitda - m.project_tax_paid - m.wc_change


def _tranche(n: str, label: str, base_rows: tuple[str, ...], earlier: tuple[str, ...]) -> None:
    """Register one tranche's rows; ``earlier`` the tranches repaid before it (for sculpting)."""

    def g(m, field):
        return getattr(m, f"{n}_{field}")

    def gi(m, field):
        return getattr(m.i, f"{n}_{field}")

    def rate(m):
        return (1 + m.i.base_rate + gi(m, "margin")) ** (1 / m.i.months_per_year) - 1

    def sculpted(m):
        return eq(gi(m, "profile"), m.i.repay_sculpted)

    def base(m):
        return reduce(add, (getattr(m, r) for r in base_rows)) * m.draw_flag

    def repay_flag(m):
        return lt(0, m.months_after) * ge(gi(m, "tenor_months"), m.months_after)

    def final_flag(m):
        return eq(m.months_after, gi(m, "tenor_months"))

    def compound(m):
        return (1 + g(m, "rate")) ** -m.months_after

    def base_compounded(m):
        return g(m, "base") * g(m, "compound")

    def base_at_completion(m):
        return total(g(m, "base_compounded"))

    def sculpt_available(m):
        allowed = m.cfads / m.i.dscr_target
        for e in earlier:
            allowed = allowed - getattr(m, f"{e}_debt_service")
        return allowed * g(m, "repay_flag") * (1 - m.t.last_period)

    def capacity(m):
        return maximum(0, sumproduct(g(m, "sculpt_available"), g(m, "compound")))

    def share_used(m):
        at = g(m, "base_at_completion")
        return gi(m, "share") - g(m, "sculpted") * maximum(0, gi(m, "share") - g(m, "capacity") / (at + eq(at, 0)))

    def commitment(m):
        return g(m, "share_used") * total(g(m, "base"))

    def draws(m):
        return g(m, "share_used") * g(m, "base")

    def at_completion(m):
        return g(m, "share_used") * g(m, "base_at_completion")

    def payment(m):
        r = g(m, "rate")
        return g(m, "at_completion") * r / (1 - (1 + r) ** -gi(m, "tenor_months"))

    def scheduled(m):
        r, d0 = g(m, "rate"), g(m, "at_completion")
        annuity = eq(gi(m, "profile"), m.i.repay_annuity) * (g(m, "payment") - r * d0) * (1 + r) ** (m.months_after - 1)
        straight = eq(gi(m, "profile"), m.i.repay_straight) * d0 / gi(m, "tenor_months")
        return g(m, "repay_flag") * (annuity + straight)

    def balance(m):
        def step(prev, draw, drawing, due, final, available, repaying, r, is_sculpted, last):
            wanted = minimum(prev, due + is_sculpted * repaying * maximum(0, available - r * prev))
            repaid = wanted + final * (prev - wanted)
            # same order of operations as the principal row, so principal is exactly 0 while drawing
            return (prev + r * prev * drawing + draw - repaid) * (1 - last)

        return carry(step, g(m, "draws"), m.draw_flag, g(m, "scheduled"), g(m, "final_flag"), g(m, "sculpt_available"),
                     g(m, "repay_flag"), g(m, "rate"), g(m, "sculpted"), m.t.last_period)

    def idc(m):
        return g(m, "rate") * lag(g(m, "balance")) * m.draw_flag

    def interest(m):
        return g(m, "rate") * lag(g(m, "balance")) * (1 - m.draw_flag)

    def principal(m):
        return lag(g(m, "balance")) + g(m, "idc") + g(m, "draws") - g(m, "balance")

    def fee(m):
        return gi(m, "fee") * g(m, "commitment") * eq(m.months_since_start, 1)

    def debt_service(m):
        return g(m, "interest") + g(m, "principal")

    L = label
    items = [
        # (fn, field, kind, label, unit, consolidate, show total, doc)
        (rate, "rate", "scalar", f"{L}: interest rate", "1/month", None, False,
         "(1 + base_rate + margin) ^ (1/12) - 1."),
        (sculpted, "sculpted", "scalar", f"{L}: sculpted repayment flag", "flag", None, False, "1 when the profile is repay_sculpted."),
        (base, "base", "row", f"{L}: capex base while drawing", "EUR", None, True, f"({' + '.join(base_rows)}) x drawdown flag."),
        (repay_flag, "repay_flag", "row", f"{L}: repayment flag", "flag", None, False, "1 for k = 1 .. tenor months."),
        (final_flag, "final_flag", "row", f"{L}: maturity flag", "flag", None, False,
         "1 in repayment month k = tenor: what is left is repaid (a sculpted loan's balloon when cash flow fell short)."),
        (compound, "compound", "row", f"{L}: compounding factor to completion", "-", None, False,
         "(1 + rate) ^ -k: grows a draw to completion, discounts a repayment to it."),
        (base_compounded, "base_compounded", "row", f"{L}: capex base grown to completion", "EUR", None, False, "Base x compounding factor."),
        (base_at_completion, "base_at_completion", "scalar", f"{L}: capex base with interest at completion", "EUR", None, False,
         "Balance at completion per unit of share."),
        (sculpt_available, "sculpt_available", "row", f"{L}: debt service allowed at the target DSCR", "EUR", None, False,
         "(CFADS / dscr_target - debt service of earlier tranches) x repayment flag; 0 in the horizon's last month, "
         "whose debt service repays what is left out of the residual value."),
        (capacity, "capacity", "scalar", f"{L}: debt capacity at completion if sculpted", "EUR", None, False,
         "max(0, PV at the tranche rate of the debt service allowed)."),
        (share_used, "share_used", "scalar", f"{L}: share of capex base drawn", "-", None, False,
         "The input share; a sculpted tranche is cut to its debt capacity."),
        (commitment, "commitment", "scalar", f"{L}: commitment (draws)", "EUR", "sum", False, "Share drawn x capex base."),
        (draws, "draws", "row", f"{L}: draws", "EUR", "sum", True, "Share drawn x capex base while drawing."),
        (at_completion, "at_completion", "scalar", f"{L}: balance at completion (D0)", "EUR", "sum", False,
         "Draws with interest during construction."),
        (payment, "payment", "scalar", f"{L}: annuity payment", "EUR", None, False, "D0 x r / (1 - (1 + r) ^ -tenor)."),
        (scheduled, "scheduled", "row", f"{L}: scheduled principal (annuity, straight line)", "EUR", None, False,
         "Annuity: (payment - r x D0) x (1 + r) ^ (k - 1); straight line: D0 / tenor; 0 when sculpted."),
        (balance, "balance", "row", f"{L}: closing balance", "EUR", "sum", False,
         "Previous x (1 + r while drawing) + draws - principal; 0 in the last month."),
        (idc, "idc", "row", f"{L}: interest during construction (capitalised)", "EUR", "sum", True, "r x opening balance while drawing."),
        (interest, "interest", "row", f"{L}: interest paid", "EUR", "sum", True, "r x opening balance after completion."),
        (principal, "principal", "row", f"{L}: principal repaid", "EUR", "sum", True, "Opening balance + IDC + draws - closing balance."),
        (fee, "fee", "row", f"{L}: upfront fee", "EUR", "sum", True, "Fee share x commitment, in the month of the first capex."),
        (debt_service, "debt_service", "row", f"{L}: debt service", "EUR", "sum", True, "Interest paid + principal repaid."),
    ]
    for fn, field, kind, lab, unit, cons, show, doc in items:
        fn.__name__ = f"{n}_{field}"
        fn.__doc__ = doc
        if kind == "row":
            row(lab, unit, S, consolidate=cons, total=show)(fn)
        else:
            scalar(lab, unit, S, consolidate=cons)(fn)


def _stage_gpu_loan(s: int) -> None:
    """Register stage ``s``'s GPU loan rows (1 or 2): what its purchases borrow and repay."""

    def online(m):
        return getattr(m, f"online{s}_flag")

    def generation(m):
        return getattr(m, f"generation{s}")

    def draws(m):
        paid = getattr(m, f"paid{s}_share") + getattr(m, f"refresh{s}_flag")
        cost = getattr(m, f"gpus{s}") * paid * getattr(m, f"gpu_price{s}_usd") / m.i.usd_per_eur
        return m.i.gpu_debt_share * cost * (1 + m.i.network_storage_share)

    def months_in_service(m):
        life = m.i.gpu_life_years * m.i.months_per_year
        return online(m) * (getattr(m, f"months{s}") - 1 - generation(m) * life)

    def repay_share(m):
        r, tenor, k = m.gpu_debt_rate, m.i.gpu_debt_tenor_months, getattr(m, f"gpu_debt_k{s}")
        left = maximum(1, tenor - k + 1)
        annuity = eq(m.i.gpu_debt_profile, m.i.repay_annuity) * (r / (1 - (1 + r) ** -left) - r)
        straight = eq(m.i.gpu_debt_profile, m.i.repay_straight) / left
        return ge(k, 1) * lt(k, tenor) * (annuity + straight) + eq(k, tenor) + getattr(m, f"refresh{s}_flag")

    def balance(m):
        def step(prev, draw, online, share, r, last):
            return (prev + r * prev * (1 - online) + draw - prev * share) * (1 - last)

        return carry(step, getattr(m, f"gpu_debt_draws{s}"), lag(online(m)), getattr(m, f"gpu_debt_repay_share{s}"),
                     m.gpu_debt_rate, m.t.last_period)

    for fn, name, label, unit, doc in (
        (draws, "draws", "loan draws", "EUR",
         "gpu_debt_share (loan-to-value) x the IT cost paid this month: the stage's GPUs x (share of the first purchase "
         "paid + refresh flag) x its generation's price in EUR x (1 + network_storage_share)."),
        (months_in_service, "k", "months since the GPUs in service entered service", "month",
         "k: 0 in the month a purchase enters service (first purchase or refresh), then 1, 2, ..."),
        (repay_share, "repay_share", "share of the opening balance repaid", "-",
         "For k = 1 .. tenor - 1, n = tenor - k + 1 instalments left: annuity r / (1 - (1 + r) ^ -n) - r, straight "
         "line 1 / n; 1 at k = tenor (what is left) and in a refresh month (the old purchase's loan is gone before the "
         "new one draws)."),
        (balance, "balance", "loan balance", "EUR",
         "Previous x (1 + r up to the stage's service month) + draws - previous x share repaid; 0 in the last month."),
    ):
        fn.__name__ = f"gpu_debt_{name}{s}"
        fn.__doc__ = doc
        row(f"GPU loans, stage {s}: {label}", unit, S, consolidate=None)(fn)


def _gpu_loans(label: str) -> None:
    """Register the GPU loans: one per purchase, carried as one balance per stage (see the module docstring)."""

    def rate(m):
        ig = m.i.offtake_ig_share
        margin = ig * m.i.gpu_debt_margin_ig + (1 - ig) * m.i.gpu_debt_margin_non_ig
        return (1 + m.i.base_rate + margin) ** (1 / m.i.months_per_year) - 1

    def draws(m):
        return m.gpu_debt_draws1 + m.gpu_debt_draws2

    def balance(m):
        return m.gpu_debt_balance1 + m.gpu_debt_balance2

    def idc(m):
        return m.gpu_debt_rate * (lag(m.gpu_debt_balance1) * (1 - lag(m.online1_flag))
                                  + lag(m.gpu_debt_balance2) * (1 - lag(m.online2_flag)))

    def interest(m):
        return m.gpu_debt_rate * (lag(m.gpu_debt_balance1) * lag(m.online1_flag) + lag(m.gpu_debt_balance2) * lag(m.online2_flag))

    def principal(m):
        return lag(m.gpu_debt_balance) + m.gpu_debt_idc + m.gpu_debt_draws - m.gpu_debt_balance

    def fee(m):
        return m.i.gpu_debt_fee * m.gpu_debt_draws

    def commitment(m):
        return sumproduct(m.gpu_debt_draws, m.draw_flag)

    def at_completion(m):
        return sumproduct(m.gpu_debt_balance, m.completion_marker)

    def debt_service(m):
        return m.gpu_debt_interest + m.gpu_debt_principal

    rate.__name__, rate.__doc__ = "gpu_debt_rate", ("(1 + base_rate + margin) ^ (1/12) - 1: margin = offtake_ig_share x IG margin "
                                                    "+ the rest x non-IG margin.")
    scalar(f"{label}: interest rate", "1/month", S, consolidate=None)(rate)
    for s in (1, 2):
        _stage_gpu_loan(s)
    for fn, field, kind, lab, cons, show, doc in (
        (draws, "draws", "row", "draws", "sum", True, "Both stages' draws: loan-to-value x each purchase's IT cost as paid."),
        (commitment, "commitment", "scalar", "commitment (draws until completion)", "sum", False,
         "Draws up to the month of full service (refresh loans come later)."),
        (balance, "balance", "row", "closing balance", "sum", False, "Both stages' balances."),
        (at_completion, "at_completion", "scalar", "balance at completion", "sum", False, "Balance in the month of full service."),
        (idc, "idc", "row", "interest during construction (capitalised)", "sum", True,
         "r x each stage's opening balance up to and including that stage's service month."),
        (interest, "interest", "row", "interest paid", "sum", True, "r x each stage's opening balance after that stage's service month."),
        (principal, "principal", "row", "principal repaid", "sum", True, "Opening balance + IDC + draws - closing balance."),
        (fee, "fee", "row", "upfront fee", "sum", True, "gpu_debt_fee x draws: each purchase's loan pays its fee as it draws."),
        (debt_service, "debt_service", "row", "debt service", "sum", True, "Interest paid + principal repaid."),
    ):
        fn.__name__ = f"gpu_debt_{field}"
        fn.__doc__ = doc
        (row(f"{label}: {lab}", "EUR", S, consolidate=cons, total=show) if kind == "row"
         else scalar(f"{label}: {lab}", "EUR", S, consolidate=cons))(fn)


for _k, (_n, _label, _base) in enumerate(TRANCHES):
    if _n == "gpu_debt":
        _gpu_loans(_label)
    else:
        _tranche(_n, _label, _base, tuple(t[0] for t in TRANCHES[:_k]))


def over_tranches(term):
    """Sum of ``term(tranche name)`` over the tranches."""
    return reduce(add, (term(n) for n, _, _ in TRANCHES))


def _sum_of(field: str, name: str, label: str, doc: str, show: bool = True) -> None:
    def fn(m):
        return over_tranches(lambda n: getattr(m, f"{n}_{field}"))

    fn.__name__ = name
    fn.__doc__ = doc
    row(label, "EUR", S, total=show)(fn)


_sum_of("draws", "debt_draws", "Debt draws, all tranches", "Sum of the tranches' draws.")
_sum_of("idc", "debt_idc", "Interest during construction, all tranches", "Sum of the tranches' capitalised interest.")
_sum_of("interest", "debt_interest_scheduled", "Interest paid, all tranches, scheduled (before the cash sweep)",
        "Sum of the tranches' interest paid.")
_sum_of("principal", "debt_principal_scheduled", "Principal repaid, all tranches, scheduled (before the cash sweep)",
        "Sum of the tranches' principal.")
_sum_of("fee", "debt_fees", "Upfront fees, all tranches", "Sum of the tranches' fees.")
_sum_of("debt_service", "debt_service_scheduled", "Debt service, all tranches, scheduled (before the cash sweep)",
        "Interest paid + principal repaid.")
_sum_of("balance", "debt_balance_scheduled", "Debt outstanding, scheduled (before the cash sweep)",
        "Sum of the tranches' closing balances.", show=False)


@row("GPU loans and vendor financing outstanding", "EUR", S)
def it_secured_debt(m):
    """GPU loans + vendor financing: the debt secured on the IT (GPUs, networking, storage)."""
    return m.gpu_debt_balance + m.vendor_balance


@row("IT debt above its collateral", "flag", S, consolidate=None)
def collateral_breach(m):
    """1 when GPU loans and vendor financing are outstanding and exceed the book value of the IT securing them."""
    return lt(m.it_book_value, m.it_secured_debt) * lt(0, m.it_secured_debt)


@scalar("Months with IT debt above its collateral", "month", S, consolidate="sum")
def collateral_breach_months(m):
    """Months in which GPU loans and vendor financing exceed the IT book value (total: summed over the phases)."""
    return total(m.collateral_breach)
