"""The scenarios shipped with greatgame, as package data of ``sim.scenarios``.

This directory is mapped onto the subpackage ``sim.scenarios`` (``package-dir`` in
pyproject.toml), so the YAML files here are installed with the package and found through
:mod:`importlib.resources` from a checkout, an editable install or a wheel. See
:mod:`sim.resources`; ``greatgame scenarios`` lists them and ``greatgame scenarios --copy DIR``
gives editable copies.
"""
