"""A calibration's posterior: one weighted parameter set per particle, drawn one per run.

``posterior.parquet`` (written by :mod:`sim.calibrate`) has one row per particle:
``weight``, ``distance`` and one column per calibrated key path (``patrons.China.budget``);
its metadata names the scenario and patterns it was fitted to. ``greatgame run
--posterior FILE``, ``greatgame report --posterior FILE`` and ``sim.run(...,
posterior=...)`` give each run of an ensemble its own parameter set, drawn by weight with
a stream seeded by the run's seed: run r of a variant and run r of its base get the same
draw (paired comparisons stay paired), and a band over such runs shows parameter
uncertainty and seed noise together.

Example:
    >>> from sim.posterior import load_posterior
    >>> post = load_posterior("central_asia")           # the shipped posterior  # doctest: +SKIP
    >>> post.draw([1, 2, 3])                            # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError

__all__ = ["POSTERIOR_STREAM", "Posterior", "load_posterior", "write_posterior"]

#: Mixed into a run's seed for its posterior draw (a stream of its own, apart from the run's).
POSTERIOR_STREAM = 0x706F7374
_META_KEY = b"greatgame"
_FIXED = ("particle", "generation", "weight", "distance")


@dataclass
class Posterior:
    """Weighted parameter sets.

    Attributes:
        frame: One row per particle: ``weight`` and one column per key path.
        keys: The calibrated key paths.
        meta: What it was fitted to (scenario, patterns, settings).
        path: Where it was read from.
    """

    frame: pd.DataFrame
    keys: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def weights(self) -> np.ndarray:
        w = self.frame["weight"].to_numpy(dtype=float)
        return w / w.sum()

    def draw(self, seeds: Sequence[int]) -> list[dict[str, float]]:
        """One parameter set per seed, drawn by weight from the seed's own stream."""
        w = self.weights
        values = self.frame[self.keys].to_numpy(dtype=float)
        out = []
        for s in seeds:
            rng = np.random.default_rng(np.random.SeedSequence([int(s), POSTERIOR_STREAM]))
            i = int(rng.choice(len(w), p=w))
            out.append({k: float(values[i, j]) for j, k in enumerate(self.keys)})
        return out

    def held_keys(self, scenario: Any) -> tuple[list[str], list[str]]:
        """The calibrated keys ``scenario`` holds, and those it has no place for.

        A variant may remove what a calibrated key sets (``russia_refocuses`` drops the
        event ``russia_distracted``, so ``events.russia_distracted.value`` has no place
        there): its runs draw the other keys and skip that one.
        """
        full = scenario.model_dump(by_alias=True)
        held = [k for k in self.keys if _holds(full, k)]
        return held, [k for k in self.keys if k not in held]

    def scenarios(self, scenario: Any, seeds: Sequence[int]) -> list[Any]:
        """The scenario once per seed, with that seed's posterior draw applied.

        Keys the scenario has no place for are skipped (:meth:`held_keys`).

        Raises:
            InputError: a scenario that holds none of the calibrated keys, or a drawn value
                it refuses (one sentence naming the posterior file).
        """
        from sim.scenario import validate_data
        from sim.sweep.design import check_keys, parse_param, set_paths

        raw = scenario.model_dump(by_alias=True, exclude_unset=True)
        where = str(self.path or "the posterior")
        fitted = self.meta.get("scenario", "an unknown scenario")
        held, _ = self.held_keys(scenario)
        if not held:
            raise InputError(
                f"{where}: scenario {scenario.name!r} holds none of its calibrated keys "
                f"({', '.join(self.keys)}); expected a posterior fitted to this scenario or "
                f"a variant of it (it was fitted to {fitted!r})"
            )
        try:
            check_keys(raw, [parse_param(f"{k}=0") for k in held])
        except InputError as e:
            raise InputError(
                f"{where}: {e}; expected a posterior fitted to this scenario "
                f"(it was fitted to {fitted!r})"
            ) from None
        out = []
        for values in self.draw(seeds):
            try:
                kept = {k: v for k, v in values.items() if k in held}
                out.append(validate_data(set_paths(raw, kept), source=where))
            except InputError as e:
                raise InputError(
                    f"{where}: a drawn parameter set does not fit the scenario: {e}"
                ) from None
        return out

    def summary(self) -> pd.DataFrame:
        """Per key path: weighted median and 5-95% interval."""
        from sim.stats import weighted_quantile

        rows = []
        for k in self.keys:
            lo, med, hi = weighted_quantile(
                self.frame[k].to_numpy(), [0.05, 0.5, 0.95], self.weights
            )
            rows.append({"parameter": k, "median": med, "low": lo, "high": hi})
        return pd.DataFrame(rows)


def _holds(data: Any, key: str) -> bool:
    """Whether the key path ``a.b.0.c`` leads to a value (not None) in ``data``."""
    node = data
    for part in key.split("."):
        if (
            isinstance(node, list)
            and part.lstrip("-").isdigit()
            and -len(node) <= int(part) < len(node)
        ):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return node is not None


def write_posterior(frame: pd.DataFrame, path: str | Path, *, meta: dict[str, Any]) -> Path:
    """Write a posterior as Parquet (temporary file, then rename), metadata included."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(meta).encode()
    table = table.replace_schema_metadata(schema_meta)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return path


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior file (or a shipped one by name: ``central_asia``).

    Raises:
        InputError: not a readable Parquet file, or without a weight column and at least
            one parameter column, or with negative or all-zero weights (one sentence).
    """
    import pyarrow.parquet as pq

    from sim.resources import find_posterior

    file = find_posterior(path)
    try:
        table = pq.read_table(file)
    except Exception as e:
        raise InputError(f"{file}: not a readable posterior ({type(e).__name__}); expected the "
                         "posterior.parquet a calibration wrote") from None  # fmt: skip
    meta_raw = (table.schema.metadata or {}).get(_META_KEY)
    meta = json.loads(meta_raw) if meta_raw else {}
    frame = table.to_pandas()
    keys = [c for c in frame.columns if c not in _FIXED]
    if "weight" not in frame.columns or not keys:
        raise InputError(
            f"{file}: found columns {list(frame.columns)}; expected 'weight' and one column per "
            "calibrated key path"
        )
    w = frame["weight"].to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(
            f"{file}: the weights are negative, infinite or all 0; expected a posterior's weights"
        )
    if not np.isfinite(frame[keys].to_numpy(dtype=float)).all():
        raise InputError(f"{file}: a parameter value is not finite; expected numbers")
    return Posterior(frame=frame, keys=keys, meta=meta, path=file)
