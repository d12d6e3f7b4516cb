"""The sweep API from a real Jupyter kernel: a process pool that neither hangs nor re-runs cells.

A notebook is executed by nbclient in a fresh ipykernel (a threaded process with no
``__main__`` file, where ``fork`` is unsafe and ``spawn`` cannot re-import the notebook),
exactly as a user's would be. It calls :func:`sim.sweep.sweep` on a pool of two worker
processes, then with the default pool (and its progress bar), then through the callable
module ``sim.sweep(...)``, and reads the results as pandas DataFrames.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "scenarios" / "central_asia_2016.yaml"


def test_sweep_with_processes_from_a_notebook_returns_dataframes(tmp_path: Path) -> None:
    cells = [
        "import os, sys\n"
        "from sim.sweep import sweep\n"
        "from sim.sweep.executors import start_method_for\n"
        "print('method', start_method_for())",
        "from sim.sweep.executors import ProcessExecutor\n"
        "with ProcessExecutor(2, help_while_starting=False) as pool:  # only its workers run\n"
        f"    res = sweep({str(ARTICLE)!r}, {{'patrons.China.budget': [150, 250]}},\n"
        f"                replicates=3, months=12, out={str(tmp_path / 'a')!r}, executor=pool,\n"
        "                progress=False)\n"
        "print('stats', res.stats.executor, res.stats.runs_run, res.stats.runs_failed)\n"
        "print('in workers', all(w.split(':')[1] != str(os.getpid()) for w in res.runs.worker))\n"
        "print('types', type(res.summary).__name__, type(res.timeseries()).__name__)\n"
        "print('shape', res.summary.shape[0], res.timeseries().shape[0])",
        f"res2 = sweep({str(ARTICLE)!r}, ['patrons.Russia.attention=0.5,1'], months=12,\n"
        f"             out={str(tmp_path / 'b')!r}, workers=2)\n"  # with the progress bar
        "print('again', res2.stats.runs_run, len(res2.summary))",
        "import sim.sweep\n"
        f"res3 = sim.sweep({str(ARTICLE)!r}, ['patrons.China.budget=150,250'], replicates=3,\n"
        f"                 months=12, out={str(tmp_path / 'a')!r}, progress=False)\n"
        "print('resumed', res3.stats.runs_run, len(res3.runs))",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(
        o.get("text", "") for c in nb.cells for o in c.outputs if o.output_type == "stream"
    )
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert "method forkserver" in text  # never fork a threaded kernel
    assert "stats processes 6 0" in text
    assert "in workers True" in text  # every run ran in a worker process, none in the kernel
    assert "types DataFrame DataFrame" in text
    assert f"shape 6 {6 * 12 * 3 * 9}" in text
    assert "again 2 2" in text
    assert "resumed 0 6" in text  # the callable module resumes the first sweep: nothing to do
