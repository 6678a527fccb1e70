"""skser's one parallel map: order, in-process shortcuts, workers."""

from __future__ import annotations

import os

import pytest

from skser.utils._parallel import parallel_map


def _pid_and_square(x):
    return os.getpid(), x * x


@pytest.mark.parametrize("n_jobs", [None, 1, 2])
def test_results_keep_the_order_of_the_items(n_jobs):
    out = parallel_map(_pid_and_square, range(7), n_jobs=n_jobs)
    assert [sq for _, sq in out] == [x * x for x in range(7)]


def test_one_item_runs_in_this_process_even_with_workers():
    # a worker process per single-file prediction would cost more than the file itself
    [(pid, sq)] = parallel_map(_pid_and_square, [3], n_jobs=2)
    assert (pid, sq) == (os.getpid(), 9)


def test_many_items_with_two_jobs_run_in_workers_after_the_first_here():
    # The first item runs in this process before the workers start, so that numba
    # functions (librosa's) are compiled and cached once, not by racing workers.
    pids = [pid for pid, _ in parallel_map(_pid_and_square, range(8), n_jobs=2)]
    assert pids[0] == os.getpid()
    assert os.getpid() not in pids[1:]
