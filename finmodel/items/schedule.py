"""Fleet size, construction and service schedule: build flags, capacity online, GPU generations.

The fleet is sized by ``fleet_basis``: the announced GPU count, with the IT
MW it needs at ``kw_per_gpu`` ("gpus"), or the announced IT MW, with the
GPUs it holds ("power"); the other reading is computed beside it.

Each phase is built in two stages: ``stage1_share`` of its GPUs and MW goes
into service at ``stage1_online``, the rest at ``full_online``. GPUs are
bought for the month a stage enters service and again each time a generation
reaches the end of ``gpu_life_years`` (the refresh). A stage's first GPUs are
paid ``gpu_deposit_share`` at order, ``gpu_lead_time_months`` before service,
and the rest on delivery; refresh GPUs are paid on delivery. Each stage's
utilisation ramps up from its own service date.
"""

from finmodel.expr import cumsum, eq, floor, ge, lag, lt, maximum, minimum, total
from finmodel.registry import row, scalar

S = "Schedule"
F = "Fleet"


@scalar("GPUs the announced MW hold (power reading)", "GPU", F, consolidate="sum")
def gpus_power_reading(m):
    """Announced IT MW x 1000 / kw_per_gpu."""
    return m.i.it_mw * m.i.kw_per_mw / m.i.kw_per_gpu


@scalar("IT MW the announced GPUs need (GPU reading)", "MW", F, consolidate="sum")
def mw_gpus_reading(m):
    """Announced GPUs x kw_per_gpu / 1000."""
    return m.i.gpus * m.i.kw_per_gpu / m.i.kw_per_mw


@scalar("GPUs at full build-out", "GPU", F, consolidate="sum")
def gpus_full(m):
    """The announced GPUs (fleet_basis 'gpus', code 0) or those the announced MW hold ('power', code 1)."""
    return (1 - m.i.fleet_basis) * m.i.gpus + m.i.fleet_basis * m.gpus_power_reading


@scalar("IT capacity at full build-out", "MW", F, consolidate="sum")
def it_mw_full(m):
    """The MW the announced GPUs need (fleet_basis 'gpus', code 0) or the announced MW ('power', code 1)."""
    return (1 - m.i.fleet_basis) * m.mw_gpus_reading + m.i.fleet_basis * m.i.it_mw


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


@row("Share of capacity in service", "-", S, consolidate=None)
def capacity_share(m):
    """Share of the phase's GPUs and MW in service."""
    s1 = m.i.stage1_share
    return s1 * m.online1_flag + (1 - s1) * m.online2_flag


@row("GPUs in service", "GPU", S)
def gpus_online(m):
    """GPUs installed and in service."""
    return m.gpus_full * m.capacity_share


@row("IT capacity in service", "MW", S)
def mw_online(m):
    """IT megawatts in service."""
    return m.it_mw_full * m.capacity_share


@row("Months in service, stage 1", "month", S, consolidate=None)
def months1(m):
    """Months since stage 1 entered service, 1 in its first month."""
    return cumsum(m.online1_flag)


@row("Months in service, stage 2", "month", S, consolidate=None)
def months2(m):
    """Months since stage 2 entered service, 1 in its first month."""
    return cumsum(m.online2_flag)


@row("GPU generation, stage 1", "#", S, consolidate=None)
def generation1(m):
    """Generations of stage 1 GPUs replaced so far: 0 for the first purchase."""
    return m.online1_flag * floor((m.months1 - 1) / (m.i.gpu_life_years * m.i.months_per_year))


@row("GPU generation, stage 2", "#", S, consolidate=None)
def generation2(m):
    """Generations of stage 2 GPUs replaced so far: 0 for the first purchase."""
    return m.online2_flag * floor((m.months2 - 1) / (m.i.gpu_life_years * m.i.months_per_year))


@row("GPU age, stage 1", "yr", S, consolidate=None)
def age1(m):
    """Age of the stage 1 GPU generation in service, 0 in its first month."""
    life = m.i.gpu_life_years * m.i.months_per_year
    return m.online1_flag * (m.months1 - 1 - m.generation1 * life) / m.i.months_per_year


@row("GPU age, stage 2", "yr", S, consolidate=None)
def age2(m):
    """Age of the stage 2 GPU generation in service, 0 in its first month."""
    life = m.i.gpu_life_years * m.i.months_per_year
    return m.online2_flag * (m.months2 - 1 - m.generation2 * life) / m.i.months_per_year


@row("GPU purchase events (first)", "GPU", S)
def gpus_bought_initial(m):
    """GPUs bought as a stage enters service."""
    s1 = m.i.stage1_share
    first1 = m.online1_flag - lag(m.online1_flag)
    first2 = m.online2_flag - lag(m.online2_flag)
    return m.gpus_full * (s1 * first1 + (1 - s1) * first2)


@scalar("Period of the stage 1 GPU order (deposit)", "#", S, consolidate=None)
def deposit1_period(m):
    """Period number of stage 1's service month less gpu_lead_time_months."""
    return m.i.model_periods - total(m.online1_flag) + 1 - m.i.gpu_lead_time_months


@scalar("Period of the stage 2 GPU order (deposit)", "#", S, consolidate=None)
def deposit2_period(m):
    """Period number of full service less gpu_lead_time_months."""
    return m.i.model_periods - total(m.online2_flag) + 1 - m.i.gpu_lead_time_months


@row("GPUs paid for (first purchase: deposit, then on delivery)", "GPU", S)
def gpus_paid_initial(m):
    """Each stage's GPUs x gpu_deposit_share in its order month, x (1 - gpu_deposit_share) in its service month."""
    s1, dep = m.i.stage1_share, m.i.gpu_deposit_share
    stage1 = dep * eq(m.t.period, m.deposit1_period) + (1 - dep) * (m.online1_flag - lag(m.online1_flag))
    stage2 = dep * eq(m.t.period, m.deposit2_period) + (1 - dep) * (m.online2_flag - lag(m.online2_flag))
    return m.gpus_full * (s1 * stage1 + (1 - s1) * stage2)


@row("GPU purchase events (refresh)", "GPU", S)
def gpus_bought_refresh(m):
    """GPUs bought to replace a generation at the end of its useful life."""
    s1 = m.i.stage1_share
    refresh1 = m.generation1 - lag(m.generation1)
    refresh2 = m.generation2 - lag(m.generation2)
    return m.gpus_full * (s1 * refresh1 + (1 - s1) * refresh2)


@row("Utilisation of stage 1 GPUs (with ramp)", "-", S, consolidate=None)
def utilisation1(m):
    """Billed share of stage 1's GPU-hours: utilisation, ramping up linearly over ramp_months from its service date."""
    return m.i.utilisation * minimum(1, m.months1 / m.i.ramp_months)


@row("Utilisation of stage 2 GPUs (with ramp)", "-", S, consolidate=None)
def utilisation2(m):
    """Billed share of stage 2's GPU-hours: utilisation, ramping up linearly over ramp_months from full service."""
    return m.i.utilisation * minimum(1, m.months2 / m.i.ramp_months)


@row("Busy share of the full fleet", "-", S, consolidate=None)
def busy_share(m):
    """Billed GPU-hours / (all the phase's GPUs x hours): each stage's share x its utilisation."""
    return m.i.stage1_share * m.utilisation1 + (1 - m.i.stage1_share) * m.utilisation2
