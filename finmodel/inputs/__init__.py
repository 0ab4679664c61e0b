"""Load and validate the inputs folder: plan drivers, phases, GPU generations, curves, scenarios, announcements.

Every problem found is collected and reported at once in an
:class:`InputError` whose lines name the file, the field (and line or row
where there is one), the value and what is allowed. Nothing on disk is
changed: scenario and ``overrides`` values are applied in memory.

Helpers: ``files`` (the folder, TOML, a table's keys and texts), ``dates``,
``fields`` (one value against its spec; a ``{ value, unit, source }`` figure).
Then one module a file or rule, in the order :func:`load_inputs` (``load``)
runs them: ``plan`` (plan.toml), ``phases`` (phases.toml), ``generations``,
``scenarios``, ``overrides``, ``curves`` (the CSV files), ``checks`` (rules
across fields), ``announcements``. ``values`` holds the result,
:class:`Inputs`; ``ranges`` reads the figures' low and high.
"""

from finmodel.errors import InputError, Problem
from finmodel.inputs.dates import parse_date
from finmodel.inputs.fields import check_value
from finmodel.inputs.files import DEFAULT_INPUTS_DIR, brief, inputs_folder, unknown_name
from finmodel.inputs.generations import generation_table
from finmodel.inputs.load import load_inputs
from finmodel.inputs.overrides import input_names
from finmodel.inputs.ranges import input_ranges
from finmodel.inputs.scenarios import CUSTOM, list_scenarios, read_scenarios
from finmodel.inputs.values import Inputs

__all__ = ["CUSTOM", "DEFAULT_INPUTS_DIR", "InputError", "Inputs", "Problem", "brief", "check_value", "generation_table",
           "input_names", "input_ranges", "inputs_folder", "list_scenarios", "load_inputs", "parse_date",
           "read_scenarios", "unknown_name"]
