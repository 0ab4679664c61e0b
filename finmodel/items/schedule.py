"""Fleet size, construction and service schedule: build flags, capacity online, GPU generations.

Every GPU purchase (a stage's first purchase and each refresh) buys the GPU
generation available in its month: the last of ``generations.toml`` whose
``available`` month is not after it (``MATCH(date, generation_available,
1)``). Its kW, price, performance and GPU-hour prices follow that purchase.

The fleet is sized by ``fleet_basis``. "power": the announced IT MW are
binding; each stage holds its share of them x 1000 / the kW per GPU of the
generation it runs, so a refresh into a hungrier generation holds (and
buys) fewer GPUs. "gpus": the announced count is binding; the IT MW it
needs follows the generation in service, and the facility is built for the
peak over the horizon. The other reading is computed beside it.

Each phase is built in two stages: ``stage1_share`` of its GPUs and MW goes
into service at ``stage1_online``, the rest at ``full_online``. GPUs are
bought for the month a stage enters service and again each time a generation
reaches the end of ``gpu_life_years`` (the refresh). A stage's first GPUs are
paid ``gpu_deposit_share`` at order, ``gpu_lead_time_months`` before service,
and the rest on delivery; refresh GPUs are paid on delivery. Each stage's
utilisation ramps up from its own service date.
"""

from finmodel.expr import carry, cumsum, eq, floor, ge, lag, lt, match_le, maximum, minimum, pick, row_max, total
from finmodel.registry import row, scalar

S = "Schedule"
F = "Fleet"


@row("Stage 1 construction flag", "flag", S, consolidate=None)
def build1_flag(m):
    """1 from construction_start until stage 1 enters service."""
    return ge(m.t.period_start, m.i.construction_start) * lt(m.t.period_start, m.i.stage1_online)


@row("Stage 2 construction flag", "flag", S, consolidate=None)
def build2_flag(m):
    """1 from stage 1's service date until the full capacity enters service."""
    return ge(m.t.period_start, m.i.stage1_online) * lt(m.t.period_start, m.i.full_online)


@scalar("Stage 1 construction months (at least 1)", "month", S, consolidate=None)
def build1_months(m):
    """Months of stage 1 construction, at least 1 so that spend spread over them is never a division by 0
    (dates out of order fail a check on the Checks sheet instead)."""
    return maximum(total(m.build1_flag), 1)


@scalar("Stage 2 construction months (at least 1)", "month", S, consolidate=None)
def build2_months(m):
    """Months of stage 2 construction, at least 1 (as for stage 1)."""
    return maximum(total(m.build2_flag), 1)


@row("Facility spend profile", "1/month", S, consolidate=None)
def build_profile(m):
    """Share of facility capex spent each month: each stage's share spread evenly over its build."""
    s1 = m.i.stage1_share
    return s1 * m.build1_flag / m.build1_months + (1 - s1) * m.build2_flag / m.build2_months


@row("Stage 1 in service flag", "flag", S, consolidate=None)
def online1_flag(m):
    """1 from stage1_online on."""
    return ge(m.t.period_start, m.i.stage1_online)


@row("Stage 2 in service flag", "flag", S, consolidate=None)
def online2_flag(m):
    """1 from full_online on."""
    return ge(m.t.period_start, m.i.full_online)


def per_stage(name: str, label: str, unit: str, section: str):
    """Register ``fn(m, s)`` as one calc-sheet row per stage ``s`` = 1, 2: ``name``, ``label`` and the
    docstring with ``{s}`` replaced by the stage's number."""
    def register(fn):
        for s in (1, 2):
            def stage_fn(m, s=s):
                return fn(m, s)
            stage_fn.__name__ = name.format(s=s)
            stage_fn.__doc__ = (fn.__doc__ or "").format(s=s)
            row(label.format(s=s), unit, section, consolidate=None)(stage_fn)
        return fn
    return register


@per_stage("months{s}", "Months in service, stage {s}", "month", S)
def _months(m, s):
    """Months since stage {s} entered service, 1 in its first month."""
    return cumsum(getattr(m, f"online{s}_flag"))


@per_stage("generation{s}", "GPU refreshes so far, stage {s}", "#", S)
def _generation(m, s):
    """Purchases of stage {s} GPUs replaced so far: 0 for the first purchase."""
    online, months = getattr(m, f"online{s}_flag"), getattr(m, f"months{s}")
    return online * floor((months - 1) / (m.i.gpu_life_years * m.i.months_per_year))


@per_stage("age{s}", "GPU age, stage {s}", "yr", S)
def _age(m, s):
    """Age of the stage {s} GPUs in service (since their purchase), 0 in its first month."""
    life = m.i.gpu_life_years * m.i.months_per_year
    online, months, generation = getattr(m, f"online{s}_flag"), getattr(m, f"months{s}"), getattr(m, f"generation{s}")
    return online * (months - 1 - generation * life) / m.i.months_per_year


@per_stage("first{s}_flag", "Stage {s} first purchase flag", "flag", S)
def _first_flag(m, s):
    """1 in the month stage {s} enters service (its first GPUs are delivered)."""
    online = getattr(m, f"online{s}_flag")
    return online - lag(online)


@per_stage("refresh{s}_flag", "Stage {s} refresh flag", "flag", S)
def _refresh_flag(m, s):
    """1 in the month stage {s}'s GPUs are replaced at the end of their life."""
    generation = getattr(m, f"generation{s}")
    return generation - lag(generation)


def _purchase_step(previous, bought, start, first):
    """A purchase-date row's step: this month's start in a purchase month, else the previous value; at least the stage's service date."""
    return maximum(first, previous * (1 - bought) + bought * start)


@row("Purchase month of the stage 1 GPUs in service", "date", S, consolidate=None)
def purchase1_date(m):
    """First day of the month of stage 1's last purchase (first or refresh); stage1_online before it is in service."""
    return carry(_purchase_step, m.first1_flag + m.refresh1_flag, m.t.period_start, m.i.stage1_online)


@row("Purchase month of the stage 2 GPUs in service", "date", S, consolidate=None)
def purchase2_date(m):
    """First day of the month of stage 2's last purchase; full_online before it is in service."""
    return carry(_purchase_step, m.first2_flag + m.refresh2_flag, m.t.period_start, m.i.full_online)


@per_stage("gen{s}", "GPU generation bought, stage {s} (position in generations.toml)", "#", S)
def _gen(m, s):
    """The latest generation available in stage {s}'s purchase month: MATCH(purchase month, generation_available, 1)."""
    return match_le(getattr(m, f"purchase{s}_date"), m.i.generation_available)


def stage_generation_field(name: str, field: str, label: str, unit: str, section: str) -> None:
    """Register one row per stage (``name`` with ``{s}`` = 1, 2): ``field`` of the generation that stage bought,
    INDEX(generation_<field>, generation, 1)."""
    def fn(m, s):
        return pick(getattr(m.i, f"generation_{field}"), getattr(m, f"gen{s}"))
    fn.__doc__ = f"{field} of stage {{s}}'s generation: INDEX(generation_{field}, generation, 1)."
    per_stage(name, f"{label}, stage {{s}} generation", unit, section)(fn)


stage_generation_field("kw{s}", "kw_per_gpu", "IT kW per GPU", "kW/GPU", S)


@row("GPUs in the halls of stage 1 (generation bought)", "GPU", F, consolidate=None)
def hall_gpus1(m):
    """stage1_share x the announced GPUs ('gpus', code 0) or x announced IT MW x 1000 / kW per GPU of its generation ('power', code 1)."""
    return m.i.stage1_share * ((1 - m.i.fleet_basis) * m.i.gpus + m.i.fleet_basis * m.i.it_mw * m.i.kw_per_mw / m.kw1)


@row("GPUs in the halls of stage 2 (generation bought)", "GPU", F, consolidate=None)
def hall_gpus2(m):
    """(1 - stage1_share) x the announced GPUs ('gpus') or x announced IT MW x 1000 / kW per GPU of its generation ('power')."""
    return (1 - m.i.stage1_share) * ((1 - m.i.fleet_basis) * m.i.gpus + m.i.fleet_basis * m.i.it_mw * m.i.kw_per_mw / m.kw2)


@row("GPUs owned, stage 1", "GPU", F, consolidate=None)
def gpus1(m):
    """The stage 1 halls' GPUs, or 0 for colocation (business_model code 1: the tenants own them)."""
    return (1 - m.i.business_model) * m.hall_gpus1


@row("GPUs owned, stage 2", "GPU", F, consolidate=None)
def gpus2(m):
    """The stage 2 halls' GPUs, or 0 for colocation."""
    return (1 - m.i.business_model) * m.hall_gpus2


@row("IT MW the announced GPUs need (generations bought)", "MW", F)
def mw_gpus_need(m):
    """Announced GPUs x (stage1_share x stage 1's kW per GPU + the rest x stage 2's) / 1000: compared with the announced MW."""
    s1 = m.i.stage1_share
    return m.i.gpus * (s1 * m.kw1 + (1 - s1) * m.kw2) / m.i.kw_per_mw


@scalar("GPUs the announced MW hold, first purchases (power reading)", "GPU", F, consolidate="sum")
def gpus_power_reading(m):
    """Announced IT MW x 1000 x (stage1_share / stage 1's first kW per GPU + the rest / stage 2's)."""
    s1 = m.i.stage1_share
    kw_first1 = pick(m.i.generation_kw_per_gpu, match_le(m.i.stage1_online, m.i.generation_available))
    kw_first2 = pick(m.i.generation_kw_per_gpu, match_le(m.i.full_online, m.i.generation_available))
    return m.i.it_mw * m.i.kw_per_mw * (s1 / kw_first1 + (1 - s1) / kw_first2)


@scalar("IT MW the announced GPUs need at their peak (GPU reading)", "MW", F, consolidate="sum")
def mw_gpus_reading(m):
    """The largest IT MW the announced GPUs need over the horizon, as generations change."""
    return row_max(m.mw_gpus_need)


@scalar("GPUs owned at full build-out (first purchases)", "GPU", F, consolidate="sum")
def gpus_full(m):
    """The announced GPUs (fleet_basis 'gpus', code 0) or those the announced MW hold with the first generations bought ('power', code 1);
    0 for colocation (business_model code 1: the tenants own the GPUs)."""
    return (1 - m.i.business_model) * ((1 - m.i.fleet_basis) * m.i.gpus + m.i.fleet_basis * m.gpus_power_reading)


@scalar("IT capacity built", "MW", F, consolidate="sum")
def it_mw_full(m):
    """The peak MW the announced GPUs need (fleet_basis 'gpus', code 0) or the announced MW ('power', code 1)."""
    return (1 - m.i.fleet_basis) * m.mw_gpus_reading + m.i.fleet_basis * m.i.it_mw


@row("GPUs in service", "GPU", S)
def gpus_online(m):
    """GPUs installed and in service: each stage's GPUs from its service date."""
    return m.gpus1 * m.online1_flag + m.gpus2 * m.online2_flag


@row("IT capacity in service", "MW", S)
def mw_online(m):
    """IT megawatts the GPUs in service (owned or, in colocation, the tenants') draw at full load: GPUs x kW per GPU of their generation / 1000."""
    return (m.hall_gpus1 * m.kw1 * m.online1_flag + m.hall_gpus2 * m.kw2 * m.online2_flag) / m.i.kw_per_mw


@row("GPU purchase events (first)", "GPU", S)
def gpus_bought_initial(m):
    """GPUs bought as a stage enters service."""
    return m.gpus1 * m.first1_flag + m.gpus2 * m.first2_flag


@scalar("Period of the stage 1 GPU order (deposit)", "#", S, consolidate=None)
def deposit1_period(m):
    """Period number of stage 1's service month less gpu_lead_time_months."""
    return m.i.model_periods - total(m.online1_flag) + 1 - m.i.gpu_lead_time_months


@scalar("Period of the stage 2 GPU order (deposit)", "#", S, consolidate=None)
def deposit2_period(m):
    """Period number of full service less gpu_lead_time_months."""
    return m.i.model_periods - total(m.online2_flag) + 1 - m.i.gpu_lead_time_months


@row("Share of stage 1's first GPUs paid", "-", S, consolidate=None)
def paid1_share(m):
    """gpu_deposit_share in the order month, 1 - gpu_deposit_share in the service month."""
    dep = m.i.gpu_deposit_share
    return dep * eq(m.t.period, m.deposit1_period) + (1 - dep) * m.first1_flag


@row("Share of stage 2's first GPUs paid", "-", S, consolidate=None)
def paid2_share(m):
    """gpu_deposit_share in the order month, 1 - gpu_deposit_share in the service month."""
    dep = m.i.gpu_deposit_share
    return dep * eq(m.t.period, m.deposit2_period) + (1 - dep) * m.first2_flag


@row("GPUs paid for (first purchase: deposit, then on delivery)", "GPU", S)
def gpus_paid_initial(m):
    """Each stage's GPUs x the share of them paid this month."""
    return m.gpus1 * m.paid1_share + m.gpus2 * m.paid2_share


@row("GPU purchase events (refresh)", "GPU", S)
def gpus_bought_refresh(m):
    """GPUs bought to replace a generation at the end of its useful life: as many as the stage holds of the new generation."""
    return m.gpus1 * m.refresh1_flag + m.gpus2 * m.refresh2_flag


@per_stage("utilisation{s}", "Utilisation of stage {s} GPUs (with ramp)", "-", S)
def _utilisation(m, s):
    """Billed share of stage {s}'s GPU-hours: utilisation, ramping up linearly over ramp_months from its service date."""
    return m.i.utilisation * minimum(1, getattr(m, f"months{s}") / m.i.ramp_months)


@row("IT MW busy", "MW", S)
def mw_busy(m):
    """IT MW of the GPUs busy: each stage's GPUs in the halls x its kW per GPU x its utilisation / 1000."""
    return (m.hall_gpus1 * m.kw1 * m.utilisation1 + m.hall_gpus2 * m.kw2 * m.utilisation2) / m.i.kw_per_mw
