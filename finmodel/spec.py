"""The input-spec table: every input's name, unit, type, allowed range and meaning.

This one table drives validation (`finmodel.inputs`), the input listing
(`finmodel.list_inputs()`, `finmodel inputs`), the workbook's Inputs sheet and
its defined names. Values and sources live in `inputs/`, never here.

Scopes:

- ``plan``: one value for the whole plan (``discount_rate``).
- ``phase``: one value per phase (``alixan.gpus`` in Python, ``alixan_gpus``
  as a workbook name).
- ``phase_optional``: a plan-wide input that a phase may override
  (``pue``, ``utilisation``); unset, the phase uses the plan-wide value.
- ``generation``: one value per GPU generation of ``generations.toml``
  (``gb300.gpu_price_usd`` in Python, ``gb300_gpu_price_usd`` as a workbook
  name; the generations' values of one field are also one workbook range,
  ``generation_gpu_price_usd``, that the calc sheets look up).
- ``constant``: a unit conversion (``months_per_year``): an input so that no
  number is hard-coded inside a formula, but with a fixed value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class InputSpec:
    """One input: name, unit, type and allowed range (inclusive unless strict)."""

    name: str
    unit: str
    kind: str  # "float", "int", "date" (first of a month), "share" (float in [0, 1]) or "choice"
    lo: float | None
    hi: float | None
    description: str
    scope: str = "plan"
    lo_strict: bool = False
    choices: tuple[float, ...] | None = None  # the only values allowed, if set
    words: tuple[str, ...] = ()  # kind "choice": the allowed words; the value is a word's position (0, 1, ...)

    def allowed(self) -> str:
        """Human-readable allowed range, used in error messages."""
        if self.kind == "date":
            return "a month 'YYYY-MM' (or 'YYYY-MM-DD' on the 1st of a month)"
        if self.kind == "choice":
            return "one of " + ", ".join(f"{c!r} (code {k})" for k, c in enumerate(self.words))
        if self.choices:
            return f"one of {', '.join(f'{c:g}' for c in self.choices)} [{self.unit}]"
        lo = "" if self.lo is None else f"{'>' if self.lo_strict else '>='} {self.lo:g}"
        hi = "" if self.hi is None else f"<= {self.hi:g}"
        rng = " and ".join(x for x in (lo, hi) if x)
        kind = "a whole number" if self.kind == "int" else "a number"
        return f"{kind} {rng} [{self.unit}]".strip()


def _s(name, unit, kind, lo, hi, description, scope="plan", lo_strict=False, choices=None, words=()):
    return InputSpec(name, unit, kind, lo, hi, description, scope, lo_strict, choices, words)


SPECS: tuple[InputSpec, ...] = (
    # --- unit conversions (fixed) ---
    _s("months_per_year", "month/yr", "int", 12, 12, "Months in a year.", "constant"),
    _s("hours_per_day", "h/day", "int", 24, 24, "Hours in a day.", "constant"),
    _s("hours_per_year", "h/yr", "float", 8766, 8766, "Hours in an average year (365.25 days x 24), for contract values.", "constant"),
    _s("eur_per_million", "EUR/EUR m", "int", 1e6, 1e6, "Euros in one million euros.", "constant"),
    _s("kw_per_mw", "kW/MW", "int", 1000, 1000, "Kilowatts in a megawatt.", "constant"),
    _s("kwh_per_mwh", "kWh/MWh", "int", 1000, 1000, "Kilowatt-hours in a megawatt-hour.", "constant"),
    _s("mwh_per_twh", "MWh/TWh", "int", 1e6, 1e6, "Megawatt-hours in a terawatt-hour.", "constant"),
    _s("g_per_tonne", "g/t", "int", 1e6, 1e6, "Grams in a tonne.", "constant"),
    _s("days_per_year", "day/yr", "int", 365, 365, "Days in a year (for receivables and payables days).", "constant"),
    # --- finance ---
    _s("discount_rate", "1/yr", "float", 0, 0.5, "Nominal discount rate for NPV and levelized cost (WACC).", lo_strict=True),
    _s("usd_per_eur", "USD/EUR", "float", 0.5, 2.0, "Exchange rate: US dollars per euro."),
    _s("corporate_tax_rate", "-", "share", 0, 0.6, "Corporate income tax rate on taxable profit."),
    _s("irr_guess", "1/yr", "float", -0.9, 1.0, "Starting guess for the IRR root-finder (Python and Excel IRR())."),
    # --- power ---
    _s("power_price_eur_per_mwh", "EUR/MWh", "float", 0, 1000, "All-in electricity price in the base year (energy, network, excise); the curve power_price_index scales it by year."),
    _s("pue", "-", "float", 1.0, 3.0, "Power usage effectiveness: facility power / IT power.", "phase_optional"),
    _s("idle_power_share", "-", "share", 0, 1, "IT power drawn by an idle GPU as a share of its power when busy."),
    # --- revenue ---
    _s("utilisation", "-", "share", 0, 1, "Billed share of merchant GPU-hours at steady state (contracted hours are take-or-pay, billed in full).", "phase_optional"),
    _s("ramp_months", "month", "float", 1, 60, "Months from first service to steady-state utilisation (linear ramp)."),
    _s("gpu_hour_price_decline", "1/yr", "share", 0, 0.9, "Yearly decline of a GPU generation's merchant price per GPU-hour, from its availability month."),
    _s("fleet_basis", "#", "choice", 0, 1, "What sizes the GPU fleet: 'gpus' (the announced count; the IT MW it needs at the kW per GPU of each generation bought, at their peak, are built) or 'power' (the announced IT MW; GPUs = IT MW x 1000 / kW per GPU of the generation bought, so each purchase holds its own count).", "phase_optional", words=("gpus", "power")),
    _s("contracted_share", "-", "share", 0, 1, "Share of each GPU purchase's GPU-hours sold on a take-or-pay contract from its service start.", "phase_optional"),
    _s("contract_years", "yr", "float", 0, 30, "Contract term from each GPU purchase's service start; its hours are sold at the merchant price after it (and a refresh signs a new contract).", "phase_optional", lo_strict=True),
    _s("prepaid_share", "-", "share", 0, 1, "Share of a contract's value the customer prepays at signature (the purchase's service start); earned back evenly over the term.", "phase_optional"),
    _s("business_model", "#", "choice", 0, 1, "Who owns the GPUs: 'gpu_cloud' (the operator buys them and sells GPU-hours) or 'colocation' (the customer owns them and leases the facility's IT kW: no GPU capex, rent instead of GPU-hours).", "phase_optional", words=("gpu_cloud", "colocation")),
    _s("colo_price_eur_per_kw_month", "EUR/kW/month", "float", 0, 10000, "Colocation rent per kW of leased IT capacity per month at the start of a lease (without power when colo_power is 'passed_through').", "phase_optional"),
    _s("colo_lease_years", "yr", "float", 0, 50, "Colocation lease term from each stage's service start; at its end the kW are re-let at the opening rent raised by opex_inflation over the term.", "phase_optional", lo_strict=True),
    _s("colo_escalation", "1/yr", "float", 0, 0.2, "Yearly step-up of the colocation rent at each lease anniversary.", "phase_optional"),
    _s("colo_occupancy", "-", "share", 0, 1, "Share of the IT kW in service that colocation tenants lease (and pay for).", "phase_optional"),
    _s("colo_power", "#", "choice", 0, 1, "Colocation power: 'included' (the rent includes power; the operator pays the electricity) or 'passed_through' (the tenants pay their metered power at cost: neither the electricity cost nor a matching revenue is in the operator's accounts).", "phase_optional", words=("included", "passed_through")),
    _s("colo_sga_eur_per_mw_year", "EUR/MW/yr", "float", 0, 1e8, "SG&A of a colocation phase per MW of IT in service per year (instead of sga_eur_per_mw_year, a GPU cloud's sales, support and platform).", "phase_optional"),
    # --- capex ---
    _s("gpu_deposit_share", "-", "share", 0, 1, "Share of a stage's first GPU purchase paid at order, gpu_lead_time_months before service."),
    _s("gpu_lead_time_months", "month", "int", 0, 36, "Months from GPU order (deposit) to service; at most each phase's construction before stage 1."),
    _s("network_storage_share", "-", "float", 0, 1, "Networking and storage capex as a share of GPU-server capex."),
    _s("shell_capex_eur_per_mw", "EUR/MW", "float", 0, 1e8, "Building shell capex per MW of IT capacity."),
    _s("electrical_capex_eur_per_mw", "EUR/MW", "float", 0, 1e8, "Electrical plant capex (substation, UPS, switchgear, distribution) per MW of IT."),
    _s("cooling_capex_eur_per_mw", "EUR/MW", "float", 0, 1e8, "Cooling plant capex (liquid cooling, chillers) per MW of IT."),
    _s("heat_reuse_capex_eur_per_mw", "EUR/MW", "float", 0, 1e8, "Heat-reuse plant capex (exchangers, heat pumps to the district network) per MW of IT."),
    _s("construction_escalation", "1/yr", "float", -0.1, 0.3, "Yearly escalation of building works prices from model start (the works inputs are model-start prices)."),
    _s("works_contingency", "-", "share", 0, 1, "Contingency on building works as a share of their estimated cost."),
    _s("grid_connection_eur_per_mw", "EUR/MW", "float", 0, 1e8, "Grid connection capex per MW of IT, paid during the first stage's construction."),
    _s("remediation_eur_per_ha", "EUR/ha", "float", 0, 1e8, "Brownfield site remediation cost per hectare, paid during the first stage's construction."),
    # --- depreciation ---
    _s("gpu_life_years", "yr", "float", 1, 10, "Useful life of GPU servers; they are replaced (refreshed) at its end. A whole number of months."),
    _s("building_life_years", "yr", "float", 1, 60, "Depreciation life of the shell, grid connection and remediation."),
    _s("mep_life_years", "yr", "float", 1, 60, "Depreciation life of electrical, cooling and heat-reuse plant."),
    # --- opex ---
    _s("facility_maintenance_rate", "1/yr", "share", 0, 0.5, "Facility maintenance per year as a share of the building works in service."),
    _s("it_support_rate", "1/yr", "share", 0, 0.5, "IT support and maintenance (contracts, spares; not replacement) per year as a share of the IT cost of the fleet in service."),
    _s("sga_eur_per_mw_year", "EUR/MW/yr", "float", 0, 1e8, "SG&A, sales, customer support and platform software per MW of IT in service per year."),
    _s("insurance_rate", "1/yr", "float", 0, 0.2, "Insurance per year as a share of gross capex in service."),
    _s("network_opex_eur_per_mw_year", "EUR/MW/yr", "float", 0, 1e7, "Connectivity (transit, fibre) per MW of IT in service per year."),
    _s("local_tax_eur_per_mw_year", "EUR/MW/yr", "float", 0, 1e7, "Local taxes (CFE, IFER, property tax) per MW of IT in service per year."),
    _s("fte_per_mw", "FTE/MW", "float", 0, 50, "Direct operating staff per MW of IT in service."),
    _s("loaded_cost_eur_per_fte", "EUR/FTE/yr", "float", 0, 1e6, "Loaded employer cost per FTE per year in the base year."),
    _s("wage_escalation", "1/yr", "float", -0.1, 0.2, "Yearly growth of the loaded staff cost."),
    _s("opex_inflation", "1/yr", "float", -0.1, 0.3, "Yearly price growth of opex lines without their own index (maintenance, IT support, connectivity, local taxes, SG&A)."),
    _s("staff_share_engineering", "-", "share", 0, 1, "Share of direct staff in engineering (the four shares add up to 1)."),
    _s("staff_share_maintenance", "-", "share", 0, 1, "Share of direct staff in maintenance."),
    _s("staff_share_research", "-", "share", 0, 1, "Share of direct staff in research."),
    _s("staff_share_security", "-", "share", 0, 1, "Share of direct staff in industrial safety and security."),
    # --- heat ---
    _s("heat_recoverable_share", "-", "share", 0, 1, "Share of IT heat that can be recovered."),
    _s("heat_price_eur_per_mwh", "EUR/MWh", "float", 0, 200, "Price received for heat at the data-centre fence."),
    # --- energy and carbon ---
    _s("fr_consumption_twh", "TWh/yr", "float", 0, 1e4, "France's annual electricity consumption, to put the plan's energy in scale.", lo_strict=True),
    _s("rte_dc_forecast_twh", "TWh/yr", "float", 0, 1e4, "The grid operator's (RTE) forecast of all French data centres' consumption in 2030.", lo_strict=True),
    # --- jobs ---
    _s("construction_job_years_per_mw", "job-yr/MW", "float", 0, 100, "On-site construction job-years per MW of IT built, spread over each stage's build."),
    _s("indirect_jobs_per_direct", "-", "float", 0, 20, "Indirect and induced jobs per direct operating job."),
    _s("jobs_report_year", "yr", "int", 2025, 2040, "Calendar year whose average permanent jobs are reported as jobs_permanent_2030."),
    # --- checks ---
    _s("peer_revenue_eur_per_mw_year_low", "EUR/MW/yr", "float", 0, 1e9, "Listed AI clouds' revenue per MW-year of IT in service: low end of the plausible range."),
    _s("peer_revenue_eur_per_mw_year_high", "EUR/MW/yr", "float", 0, 1e9, "...and high end."),
    _s("peer_ebitda_margin_low", "-", "float", -10, 1, "Listed AI clouds' (adjusted) EBITDA margin: low end of the plausible range."),
    _s("peer_ebitda_margin_high", "-", "float", -10, 1, "...and high end."),
    _s("peer_capex_eur_per_mw_low", "EUR/MW", "float", 0, 1e9, "All-in initial capex per MW of IT (facility and first GPU fleet) of AI data centres: low end of the plausible range."),
    _s("peer_capex_eur_per_mw_high", "EUR/MW", "float", 0, 1e9, "...and high end."),
    _s("announcement_tolerance", "-", "float", 0, 10, "Relative gap between announced and bottom-up ratios above which the Announcements check flags them."),
    # --- financing (each debt tranche: share of its capex base, margin, fee, tenor, repayment profile) ---
    _s("repay_annuity", "#", "int", 1, 1, "Code of the annuity repayment profile (constant payment of interest + principal).", "constant"),
    _s("repay_straight", "#", "int", 2, 2, "Code of the straight-line repayment profile (equal principal).", "constant"),
    _s("repay_sculpted", "#", "int", 3, 3, "Code of the sculpted repayment profile (debt service = CFADS / dscr_target).", "constant"),
    _s("cost_of_equity", "1/yr", "float", 0, 1, "Nominal return required by equity, for the equity NPV and the implied WACC.", lo_strict=True),
    _s("base_rate", "1/yr", "float", 0, 0.2, "Fixed-rate base (EUR swap) under every loan margin."),
    _s("senior_share", "-", "share", 0, 1, "Senior construction/term debt as a share of building works capex drawn during construction."),
    _s("senior_margin", "1/yr", "float", 0, 0.3, "Senior debt margin over base_rate.", lo_strict=True),
    _s("senior_fee", "-", "share", 0, 0.2, "Senior debt upfront fee as a share of its commitment, paid at the first capex."),
    _s("senior_tenor_months", "month", "int", 1, 600, "Senior debt repayment months after full service."),
    _s("senior_profile", "#", "int", 1, 3, "Senior debt repayment profile: 1 annuity, 2 straight line, 3 sculpted to dscr_target."),
    _s("gpu_debt_share", "-", "share", 0, 1, "GPU-backed loans: loan-to-value on each GPU purchase's IT cost (first purchase and every refresh), drawn as it is paid."),
    _s("gpu_debt_margin_ig", "1/yr", "float", 0, 0.3, "GPU-loan margin over base_rate when offtake contracts are investment grade.", lo_strict=True),
    _s("gpu_debt_margin_non_ig", "1/yr", "float", 0, 0.3, "GPU-loan margin over base_rate when offtake contracts are not investment grade.", lo_strict=True),
    _s("offtake_ig_share", "-", "share", 0, 1, "Share of contracted capacity sold to investment-grade customers (weights the two GPU-loan margins)."),
    _s("gpu_debt_fee", "-", "share", 0, 0.2, "GPU-loan upfront fee as a share of each draw, paid as it draws."),
    _s("gpu_debt_tenor_months", "month", "int", 1, 600, "GPU-loan repayment months from the month after its purchase enters service; at most gpu_life_years x 12."),
    _s("gpu_debt_profile", "#", "int", 1, 2, "GPU-loan repayment profile: 1 annuity, 2 straight line (one loan per purchase: not sculpted)."),
    _s("vendor_share", "-", "share", 0, 1, "Vendor financing or leases as a share of IT capex drawn during construction."),
    _s("vendor_margin", "1/yr", "float", 0, 0.3, "Vendor financing margin over base_rate.", lo_strict=True),
    _s("vendor_fee", "-", "share", 0, 0.2, "Vendor financing upfront fee as a share of its commitment, paid at the first capex."),
    _s("vendor_tenor_months", "month", "int", 1, 600, "Vendor financing repayment months after full service."),
    _s("vendor_profile", "#", "int", 1, 3, "Vendor financing repayment profile: 1 annuity, 2 straight line, 3 sculpted to dscr_target."),
    _s("shareholder_loan_share", "-", "share", 0, 1, "Share of each equity contribution paid in as a subordinated shareholder loan (the rest as share capital)."),
    _s("shareholder_loan_rate", "1/yr", "float", 0, 0.5, "Shareholder-loan interest rate, rolled up while unpaid; repaid before any dividend."),
    _s("grant_share", "-", "share", 0, 1, "Public grants as a share of building works capex, received as it is spent."),
    _s("dscr_target", "-", "float", 1, 5, "Debt service cover ratio that sculpted tranches are sized and repaid to."),
    _s("dscr_covenant", "-", "float", 1, 5, "Lock-up covenant: no distributions from a test date whose trailing-12-month DSCR is below it to the next test date."),
    _s("cash_sweep_dscr", "-", "float", 1, 5, "Cash sweep: from a test date whose trailing-12-month DSCR is below it (a threshold above dscr_covenant) to the next, cash_sweep_share of the cash left after debt service prepays the senior debt."),
    _s("cash_sweep_share", "-", "share", 0, 1, "Share of the cash left after debt service (CFADS - debt service) that a cash sweep applies to prepaying the senior debt."),
    _s("dscr_test_period_months", "month", "int", 1, 12, "Months between covenant test dates (1 monthly, 3 quarterly, 6 semi-annual, 12 annual); each test is on the trailing 12 months.", choices=(1, 3, 6, 12)),
    _s("dscr_cap", "-", "float", 1, 1000, "Largest DSCR shown; months without debt service show it (no division by zero)."),
    _s("dsra_months", "month", "float", 0, 24, "Debt service reserve account: months of the current debt service held in reserve."),
    _s("working_capital_months", "month", "float", 0, 12, "Operating cash held as working capital: months of current opex."),
    _s("receivables_days", "day", "float", 0, 365, "Days of revenue not yet collected (trade receivables)."),
    _s("payables_days", "day", "float", 0, 365, "Days of opex not yet paid (trade payables)."),
    _s("loss_cap_threshold_eur", "EUR/yr", "float", 0, 1e15, "French loss carry-forward: losses offset profit in full up to this amount a year..."),
    _s("loss_cap_share", "-", "share", 0, 1, "...and this share of the profit above it."),
    _s("interest_cap_floor_eur", "EUR/yr", "float", 0, 1e15, "French interest cap: net financial expense deductible up to the greater of this amount a year..."),
    _s("interest_cap_share", "-", "share", 0, 1, "...and this share of tax EBITDA."),
    _s("tax_instalment_share", "-", "share", 0, 1, "French corporate tax: each advance payment as a share of the last assessed year's tax."),
    _s("tax_instalment_interval_months", "month", "int", 1, 12, "Months between advance payments (3: March, June, September, December).", choices=(1, 2, 3, 4, 6, 12)),
    _s("tax_balance_month", "#", "int", 1, 12, "Calendar month in which the balance of last year's tax (tax less its advance payments) is paid or refunded."),
    # --- per phase ---
    _s("gpus", "GPU", "int", 0, 1e8, "Announced GPUs (accelerator packages) at full build-out; the fleet if fleet_basis is 'gpus'.", "phase"),
    _s("it_mw", "MW", "float", 0, 1e5, "Announced IT capacity at full build-out (MW read as IT load); the facility if fleet_basis is 'power'.", "phase"),
    _s("stage1_share", "-", "share", 0, 1, "Share of GPUs and MW delivered by the first stage.", "phase"),
    _s("construction_start", "date", "date", None, None, "First month of construction.", "phase"),
    _s("stage1_online", "date", "date", None, None, "First month in service of the first stage (its GPUs are bought that month).", "phase"),
    _s("full_online", "date", "date", None, None, "First month in service of the full capacity.", "phase"),
    _s("site_area_ha", "ha", "float", 0, 1e4, "Site area needing brownfield remediation.", "phase"),
    _s("heat_offtake_share", "-", "share", 0, 1, "Share of recoverable heat that the local network takes.", "phase"),
)

#: the fields of each GPU generation's table in generations.toml, in the Inputs sheet's order
GENERATION_SPECS: tuple[InputSpec, ...] = (
    _s("available", "date", "date", None, None, "First month in which the generation can be bought and put in service; "
       "a purchase buys the latest generation available in its month.", "generation"),
    _s("gpu_price_usd", "USD/GPU", "float", 0, 1e7, "All-in GPU-server price per GPU (GPU, CPU, memory, rack share; "
       "scale-out networking and storage are network_storage_share on top).", "generation", lo_strict=True),
    _s("kw_per_gpu", "kW/GPU", "float", 0, 100, "IT power per GPU (rack share with scale-out networking and storage); "
       "sizes the fleet (fleet_basis 'power') or the MW it needs ('gpus').", "generation", lo_strict=True),
    _s("pflops_per_gpu", "PFLOP/s/GPU", "float", 0, 1e4, "Dense compute per GPU (FP8, without sparsity), for the cost "
       "per PFLOP-hour.", "generation", lo_strict=True),
    _s("gpu_hour_price_usd", "USD/GPU-h", "float", 0, 1000, "New-generation merchant price per GPU-hour: the market "
       "price in the generation's available month (it then declines by gpu_hour_price_decline a year from that month, "
       "whenever a purchase is made).", "generation"),
    _s("contract_price_usd", "USD/GPU-h", "float", 0, 1000, "Fixed take-or-pay price per GPU-hour of a contract for "
       "this generation, over the contract term.", "generation"),
)

#: yearly curves (inputs/curves/*.csv, the Inputs sheet's curve rows): the range each value must be in
CURVE_SPECS: dict[str, InputSpec] = {
    "power_price_index": _s("power_price_index", "-", "float", 0, 10, "Yearly index of the all-in power price "
                            "(1 = power_price_eur_per_mwh; at most ten times it).", "curve"),
    "grid_carbon_intensity": _s("grid_carbon_intensity", "gCO2/kWh", "float", 0, 2000, "Yearly CO2 emitted per kWh drawn "
                                "from the French grid (at most 2,000 g, above any power plant's).", "curve"),
}

SPEC_BY_NAME: dict[str, InputSpec] = {s.name: s for s in (*SPECS, *GENERATION_SPECS)}
GENERATION_FIELDS = tuple(s.name for s in GENERATION_SPECS)
PHASE_FIELDS = tuple(s.name for s in SPECS if s.scope in ("phase", "phase_optional"))
REQUIRED_PHASE_FIELDS = tuple(s.name for s in SPECS if s.scope == "phase")
PLAN_FIELDS = tuple(s.name for s in SPECS if s.scope in ("plan", "phase_optional", "constant"))


def spec_table() -> pd.DataFrame:
    """The spec as a DataFrame (name, scope, unit, kind, lo, hi, description)."""
    return pd.DataFrame(
        [
            dict(name=s.name, scope=s.scope, unit=s.unit, kind=s.kind, lo=s.lo, hi=s.hi, description=s.description)
            for s in (*SPECS, *GENERATION_SPECS)
        ]
    )
