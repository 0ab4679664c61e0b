"""finmodel: an auditable techno-economic model of Sesterce's announced AI compute build-out in France.

Python API::

    import finmodel
    res = finmodel.run()                       # default scenario; repr(res) shows the headline table
    res = finmodel.run("feb_2025", overrides={"discount_rate": 0.09, "alixan.gpus": 50_000})
    res.summary                                # one row per phase plus 'total'
    res.monthly("fcf"); res.yearly("capex_total")   # one line item, one column per entity
    res.plot.cash_flow()                       # charts (pip install 'finmodel[plot]')
    finmodel.line_items()                      # the catalogue: label, unit, section, description, formula
    finmodel.write_report(res, "my.xlsx", risk=True)
    finmodel.list_scenarios(); finmodel.list_inputs()

Units and conventions of every table: :mod:`finmodel.results`.
"""

__version__ = "0.1.0"

from finmodel.catalogue import line_items
from finmodel.excel.writer import write_report
from finmodel.inputs import InputError, Inputs, list_scenarios, load_inputs
from finmodel.listing import list_inputs
from finmodel.model import run
from finmodel.results import Results

__all__ = ["run", "list_scenarios", "list_inputs", "load_inputs", "line_items", "write_report", "Inputs", "InputError",
           "Results", "__version__"]
