"""Privacy thresholds, defined once (no imports: the command line's ``--help`` shows them
without loading polars). :mod:`casekit.privacy` and :mod:`casekit.deid` use them.

>>> MIN_CELL, K_ANONYMITY, MAX_SHIFT_WEEKS, MAX_SUPPRESSION
(11, 5, 26, 0.05)
"""

#: Smallest count shown in what is shared (counts 1–10 are suppressed).
MIN_CELL = 11
#: Smallest group an extract lets a person hide in: a kept text value must be held by at
#: least this many cases, and so must every combination of the quasi-identifiers.
K_ANONYMITY = 5
#: Largest date shift by default, in weeks (about six months).
MAX_SHIFT_WEEKS = 26
#: Largest share of cases :func:`casekit.deidentify` removes (after generalising) to reach k by default.
MAX_SUPPRESSION = 0.05
