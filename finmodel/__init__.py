"""finmodel: an auditable techno-economic model of Sesterce's announced AI compute build-out in France.

Python API::

    import finmodel
    res = finmodel.run()                       # default scenario
    res = finmodel.run("feb_2025", overrides={"discount_rate": 0.09, "alixan.gpus": 50_000})
    res.summary                                # one row per phase plus 'total'
    finmodel.list_scenarios(); finmodel.list_inputs()
"""

from finmodel.inputs import InputError, Inputs, list_scenarios, load_inputs
from finmodel.listing import list_inputs
from finmodel.model import run
from finmodel.results import Results

__version__ = "0.1.0"
__all__ = ["run", "list_scenarios", "list_inputs", "load_inputs", "Inputs", "InputError", "Results", "__version__"]
