# A numpy speed floor supplied with the project brief, copied here unchanged except for this
# header, the __main__ guard (so bench_floor.py can import run()) and ruff formatting.
# It models nothing.
# ruff: noqa
"""Speed floor: one month of an influence model of this size, in plain numpy.

Stocks with decay, a Tullock contest with autonomy, marginal reallocation, threat with border
spill-over, a bloc logit and one record per month: 3 patrons x 9 targets x 3 instruments x 4 blocs,
120 months. Random inputs; it models nothing. It measures what numpy needs for the same per-month
work, so the project's benchmark can report its ratio to it, side by side in one run.

Usage: python floor.py   (prints ms per run for R = 1, 10, 100, 1000)
"""

import numpy as np, time


def run(R, steps=120, P=3, T=9, K=3, B=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((R, P, T, K))
    gdp = rng.random((R, 1, T, 1)) + 1
    w = rng.random((R, 1, T, K))
    a = np.full((R, T), 0.3)
    r = 1.5
    delta = np.array([0.01, 0.03, 0.05])
    budget = rng.random((R, P))
    share = np.full((R, P, T, K), 1 / (T * K))
    threat = rng.random((R, T))
    A = (rng.random((T, T)) < 0.3).astype(float)
    member = rng.random((R, T, B)) < 0.5
    guarantee = rng.random((R, B))
    leader = np.array([0, 1, 0, 1])
    noise = rng.random((R, steps, T, B))
    rec = np.empty((steps, R, P, T))
    for s in range(steps):
        X = X * (1 - delta) + budget[:, :, None, None] * share
        E = (w * X / gdp).sum(-1)  # R,P,T
        Er = E**r
        S = a[:, None, :] ** r + Er.sum(1, keepdims=True)
        I = Er / S
        dI = r * E ** (r - 1) * (S - Er) / S**2  # marginal
        m = dI[..., None] * w / gdp
        share = 0.9 * share + 0.1 * m / m.sum((2, 3), keepdims=True)
        threat = np.clip(
            threat
            + 0.1 * (0.3 - threat)
            + 0.05 * (A @ threat[..., None])[..., 0] / 3
            - 0.01 * E.sum(1),
            0,
            1,
        )
        U = threat[..., None] * guarantee[:, None, :] + I[:, leader, :].transpose(0, 2, 1) - 0.2
        p = 1 / (1 + np.exp(-U / 0.1))
        member = np.where(member, noise[:, s] < p + 0.3, noise[:, s] < p - 0.3)
        rec[s] = I
    return rec


if __name__ == "__main__":
    for R in (1, 10, 100, 1000):
        run(R, steps=5)
        t = time.perf_counter()
        n = 0
        while time.perf_counter() - t < 1.0:
            run(R)
            n += 1
        dt = (time.perf_counter() - t) / n
        print(f"R={R:5d}: {dt * 1e3:8.2f} ms per ensemble, {dt / R * 1e3:8.4f} ms per run")
