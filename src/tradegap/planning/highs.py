"""A HiGHS instance that keeps quiet unless asked (``--verbose``).

HiGHS prints its banner ("Running HiGHS …") from C++ the first time a ``Highs`` object is made
in a process, before any option can be set (highspy ≥ 1.16). The banner is sent to a closed file
descriptor for that one construction; everything HiGHS logs afterwards obeys ``output_flag``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np
from scipy import sparse

from tradegap.config import verbose

_lock = threading.Lock()
_made_once = False


@contextmanager
def _stdout_to_devnull() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null for the duration (C-level writes included)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs() -> highspy.Highs:
    """A fresh ``Highs`` with ``output_flag`` off (on with ``--verbose``), banner included."""
    global _made_once
    loud = verbose()
    with _lock:
        if loud or _made_once:
            h = highspy.Highs()
        else:
            with _stdout_to_devnull():
                h = highspy.Highs()
        _made_once = True
    h.setOptionValue("output_flag", loud)
    return h


def highs_lp(cost: np.ndarray, lb: np.ndarray, ub: np.ndarray, matrix: sparse.csr_matrix,
             row_lo: np.ndarray, row_hi: np.ndarray,
             integer: np.ndarray | None = None) -> highspy.HighsLp:
    """A ``HighsLp`` from arrays and a row-wise (CSR) constraint matrix; ``integer`` marks the
    integer columns (none: an LP)."""
    lp = highspy.HighsLp()
    n, m = len(cost), len(row_lo)
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = cost
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    a = lp.a_matrix_
    a.format_ = highspy.MatrixFormat.kRowwise
    a.num_col_, a.num_row_ = n, m
    a.start_ = matrix.indptr.astype(np.int32)
    a.index_ = matrix.indices.astype(np.int32)
    a.value_ = matrix.data.astype(float)
    if integer is not None and integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                           highspy.HighsVarType.kContinuous for i in integer]
    return lp
