"""Bad input through the command line: one clear sentence, exit code 1, never a traceback.

Every bad scenario is written to a file under ``tmp_path`` and given to both
``greatgame validate FILE`` and ``greatgame run FILE``. The message must name the file, the
line (where the problem has one), the key path, the value found and what was expected.
Bad flags and overrides get the same treatment, and a failed run must leave whatever an
earlier run wrote in ``--out`` exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import sim

Cli = Callable[..., tuple[int, str, str]]

#: A small valid scenario; each case below breaks one thing in it.
TINY = """\
name: tiny
months: 12
currency: USD
rates: {USD: 1.0, CNY: 6.55}
actors:
  China:
    gdp: 11060 bn USD
    population: 1379
    location: [39.9, 116.4]
    autonomy: 1.0
  Russia:
    gdp: 1363 bn USD
    population: 144
    location: [55.75, 37.62]
    autonomy: 1.0
  Tajikistan:
    gdp: 7.8 bn USD
    population: 8.7
    location: [38.56, 68.77]
    alignment_rule: hedging
  Afghanistan:
    gdp: 19.9 bn USD
    population: 35
    location: [34.53, 69.17]
borders:
  - [China, Tajikistan]
  - [Tajikistan, Afghanistan]
patrons:
  China:
    budget: 200 m USD
    allocation:
      Tajikistan: {investment: 0.5}
      Afghanistan: {security: 0.5}
  Russia:
    budget: 90 m USD
    allocation:
      Tajikistan: {security: 1.0}
blocs:
  CSTO:
    kind: security
    leaders: [Russia]
    members: [Russia, Tajikistan]
events:
  china_aid_kabul:
    type: aid
    patron: China
    target: Afghanistan
    instrument: security
    amount: 300 m CNY
    from: 0
    to: 11
"""


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line containing ``marker``."""
    for i, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return i
    raise AssertionError(f"{marker!r} not in the scenario text")


def edit(old: str, new: str, *, count: int = 1) -> str:
    assert TINY.count(old) >= count, old
    return TINY.replace(old, new, count)


# (id, text, marker of the line the message must name or None, substrings of the message)
CASES: list[tuple[str, str, str | None, list[str]]] = [
    (
        "malformed YAML",
        edit("location: [39.9, 116.4]", "location: [39.9, 116.4"),
        None,
        ["line ", "expected ',' or ']'", "expected valid plain YAML"],
    ),
    (
        "python tag",
        edit("name: tiny", "name: !!python/object/apply:os.system ['echo owned']"),
        "!!python",
        ["python/object/apply:os.system", "tags such as !!python are refused"],
    ),
    (
        "python object tag",
        edit("    autonomy: 1.0\n", "    autonomy: !!python/object:fractions.Fraction {}\n"),
        "!!python/object:fractions.Fraction",
        ["python/object:fractions.Fraction", "tags such as !!python are refused"],
    ),
    (
        "missing required key",
        edit("    population: 8.7\n", ""),
        "  Tajikistan:",
        ["actors.Tajikistan.population", "found nothing", "this key is required"],
    ),
    (
        "wrong type",
        edit("population: 35", "population: many"),
        "population: many",
        ["actors.Afghanistan.population", "found 'many'", "expected a number"],
    ),
    (
        "negative money",
        edit("budget: 90 m USD", "budget: -90 m USD"),
        "budget: -90 m USD",
        ["patrons.Russia.budget", "'-90 m USD'", "expected a non-negative amount of money"],
    ),
    (
        "unknown currency",
        edit("budget: 200 m USD", "budget: 5 EUR"),
        "budget: 5 EUR",
        ["patrons.China.budget", "unknown currency 'EUR'", "['USD', 'CNY', 'RUB']"],
    ),
    (
        "currency without a rate",
        edit("rates: {USD: 1.0, CNY: 6.55}", "rates: {USD: 1.0}"),
        "amount: 300 m CNY",
        ["events.china_aid_kabul.amount", "in CNY", "no rate", "expected rates.CNY"],
    ),
    (
        "unknown actor in an event",
        edit("target: Afghanistan", "target: Kabulistan"),
        "target: Kabulistan",
        ["events.china_aid_kabul.target", "'Kabulistan'", "expected one of ['Afghanistan'"],
    ),
    (
        "bloc member that is not an actor",
        edit("members: [Russia, Tajikistan]", "members: [Russia, Tajikistan, Armenia]"),
        "members: [Russia, Tajikistan, Armenia]",
        ["blocs.CSTO.members[2]", "'Armenia'", "expected one of"],
    ),
    (
        "bloc leader that is not a patron",
        edit("leaders: [Russia]", "leaders: [Tajikistan]"),
        "leaders: [Tajikistan]",
        ["blocs.CSTO.leaders[0]", "'Tajikistan' is not a patron", "expected one of ['China'"],
    ),
    (
        "unknown top-level key",
        TINY + "colour: red\n",
        "colour: red",
        ["at colour", "'colour'", "no such key", "greatgame schema"],
    ),
    (
        "duplicate key",
        edit("months: 12", "months: 12\nmonths: 24"),
        "months: 24",
        ["months appears twice", "first on line 2", "expected each key once"],
    ),
    ("empty file", "", None, ["is empty", "expected a scenario mapping"]),
    ("only a comment", "# nothing here\n", None, ["is empty"]),
    (
        "top level is a list",
        "- China\n- Russia\n",
        "- China",
        ["the top level is a list", "expected a mapping of scenario keys"],
    ),
    (
        "window that ends before it starts",
        edit("    from: 0\n    to: 11", "    from: 5\n    to: 3"),
        "    to: 3",
        ["events.china_aid_kabul.to", "found 3", "expected 'to' >= 'from' (5)"],
    ),
    (
        "unknown event type",
        edit("type: aid", "type: gift"),
        "type: gift",
        ["events.china_aid_kabul.type", "found 'gift'", "one of aid, set, join, leave, shock"],
    ),
    (
        "unknown instrument",
        edit("instrument: security", "instrument: drones"),
        "instrument: drones",
        ["events.china_aid_kabul.instrument", "'drones'", "'investment', 'security'"],
    ),
    (
        "join an unknown bloc",
        TINY + "  russia_joins_nato:\n    type: join\n    state: Russia\n    bloc: NATO\n",
        "    bloc: NATO",
        ["events.russia_joins_nato.bloc", "unknown bloc 'NATO'", "expected one of ['CSTO']"],
    ),
    (
        "not a number",
        edit("    autonomy: 1.0", "    autonomy: .nan"),
        "autonomy: .nan",
        ["actors.China.autonomy", "found nan", "finite number"],
    ),
    (
        "absurd amount",
        edit("budget: 90 m USD", "budget: 1e300 m USD"),
        "budget: 1e300 m USD",
        ["patrons.Russia.budget", "'1e300 m USD'", "expected at most 1e+12 million"],
    ),
    (
        "unknown alignment rule",
        edit("alignment_rule: hedging", "alignment_rule: appeasement"),
        "alignment_rule: appeasement",
        ["actors.Tajikistan.alignment_rule", "'appeasement'", "['balancing', 'bandwagoning'"],
    ),
    (
        "latitude off the globe",
        edit("location: [34.53, 69.17]", "location: [134.53, 69.17]"),
        "location: [134.53, 69.17]",
        ["actors.Afghanistan.location", "[134.53, 69.17]", "within [-90, 90]"],
    ),
    (
        "budget without a target",
        edit("    allocation:\n      Tajikistan: {security: 1.0}\n", "    allocation: {}\n"),
        "allocation: {}",
        ["patrons.Russia.allocation", "expected at least one target with a share > 0"],
    ),
    (
        "tab indentation",
        edit("  Russia:\n    gdp: 1363 bn USD", "  Russia:\n\tgdp: 1363 bn USD"),
        "\tgdp: 1363 bn USD",
        ["indent with spaces, not tabs", "expected valid plain YAML"],
    ),
]


def assert_one_clear_line(code: int, out: str, err: str) -> str:
    """Exit code 1, no traceback, exactly one line on stderr, starting with 'error: '."""
    assert code == 1, (code, out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_the_tiny_scenario_itself_is_valid(cli: Cli, write_yaml: Callable[..., Path]) -> None:
    """Each case breaks one thing in a scenario that is otherwise fine."""
    code, out, err = cli("validate", write_yaml(TINY, "tiny.yaml"))
    assert code == 0, err
    assert "valid scenario 'tiny'" in out


@pytest.mark.parametrize(("case", "text", "marker", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_scenario_gets_one_clear_sentence(
    cli: Cli,
    write_yaml: Callable[..., Path],
    tmp_path: Path,
    command: str,
    case: str,
    text: str,
    marker: str | None,
    expected: list[str],
) -> None:
    path = write_yaml(text, "bad_" + case.replace(" ", "_") + ".yaml")
    args = [command, path] + (
        ["--months", "2", "--out", tmp_path / "out"] if command == "run" else []
    )
    message = assert_one_clear_line(*cli(*args))
    assert str(path) in message, "the message names the file"
    if marker is not None:
        assert f", line {line_of(text, marker)}" in message, message
    for part in expected:
        assert part in message, f"{part!r} missing from: {message}"
    assert not (tmp_path / "out").exists(), "a refused scenario writes nothing"


def test_an_event_after_the_end_is_a_note_not_an_error(
    cli: Cli, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """An event that starts after the last month never happens: shortening a scenario
    (``--months``, ``--set months=...``) must not break it, and ``validate`` says so."""
    text = edit("    from: 0\n    to: 11", "    from: 300\n    to: 301")
    path = write_yaml(text, "late_aid.yaml")
    code, out, err = cli("validate", path)
    assert code == 0, err
    assert "events.china_aid_kabul" in out and "never happens" in out and "month 300" in out
    code, out, err = cli("run", path, "--months", "2", "--out", tmp_path / "out")
    assert code == 0, err


# --------------------------------------------------------------------------- extends


def test_a_cycle_in_extends_is_named(cli: Cli, write_yaml: Callable[..., Path]) -> None:
    write_yaml("extends: b.yaml\nname: a\n", "a.yaml")
    write_yaml("extends: c.yaml\nname: b\n", "b.yaml")
    c = write_yaml("extends: a.yaml\nname: c\n", "c.yaml")
    for command in ("validate", "run"):
        message = assert_one_clear_line(*cli(command, c))
        assert "'extends' forms a cycle (c.yaml -> a.yaml -> b.yaml -> c.yaml)" in message
        assert "expected a chain that ends" in message


def test_extends_of_a_missing_file_names_both_files(
    cli: Cli, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    child = write_yaml("name: child\nextends: nowhere.yaml\n", "child.yaml")
    message = assert_one_clear_line(*cli("validate", child))
    assert f"{child}, line 2" in message
    assert "extends 'nowhere.yaml'" in message
    assert str(tmp_path / "nowhere.yaml") in message
    assert "relative to child.yaml" in message


def test_extends_that_is_not_a_path(cli: Cli, write_yaml: Callable[..., Path]) -> None:
    child = write_yaml("name: child\nextends: [a.yaml, b.yaml]\n", "child.yaml")
    message = assert_one_clear_line(*cli("validate", child))
    assert f"{child}, line 2" in message
    assert "['a.yaml', 'b.yaml']" in message and "expected the path of a base scenario" in message


def test_a_variant_reports_its_own_lines(cli: Cli, write_yaml: Callable[..., Path]) -> None:
    """An error in the variant names the variant's file and line, not the base's."""
    write_yaml(TINY, "base.yaml")
    child = write_yaml(
        "extends: base.yaml\nname: variant\npatrons:\n  China:\n    attention: 7\n", "variant.yaml"
    )
    message = assert_one_clear_line(*cli("validate", child))
    assert f"{child}, line 5" in message
    assert "patrons.China.attention" in message and "found 7" in message
    assert "less than or equal to 2" in message


def test_missing_file_and_directory(cli: Cli, tmp_path: Path) -> None:
    message = assert_one_clear_line(*cli("validate", tmp_path / "nope.yaml"))
    assert "nope.yaml: no such scenario file" in message
    message = assert_one_clear_line(*cli("run", tmp_path, "--months", "2"))
    assert "is a directory; expected a scenario .yaml file" in message


# --------------------------------------------------------------------------- overrides

OVERRIDES = [
    ("parameters.noise=0", ["--set parameters.noise", "no key 'parameters.noise'", "decisiveness"]),
    ("colour=red", ["--set colour", "no key 'colour'", "expected one of ['actors'"]),
    ("patrons.China.budget=[1", ["--set patrons.China.budget", "'[1' is not valid YAML"]),
    ("patrons.China.budget", ["'patrons.China.budget'", "expected key.path=value"]),
    ("=5", ["--set '=5'", "empty"]),
    ("months=0", ["at months", "found 0", "greater than or equal to 1"]),
    ("months=many", ["at months", "found 'many'", "expected a whole number"]),
    ("borders.7.0=China", ["--set borders.7.0", "not an item of a list of 2"]),
    ("name.first=x", ["--set name.first", "name holds a value, not a mapping"]),
    ("patrons.China.budget=-5", ["patrons.China.budget", "found -5", "non-negative"]),
]


@pytest.mark.parametrize(("override", "expected"), OVERRIDES, ids=[o[0] for o in OVERRIDES])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_override_gets_one_clear_sentence(
    cli: Cli,
    write_yaml: Callable[..., Path],
    tmp_path: Path,
    command: str,
    override: str,
    expected: list[str],
) -> None:
    path = write_yaml(TINY, "tiny.yaml")
    extra = ["--months", "2", "--out", tmp_path / "out"] if command == "run" else []
    message = assert_one_clear_line(*cli(command, path, "--set", override, *extra))
    for part in expected:
        assert part in message, f"{part!r} missing from: {message}"


# --------------------------------------------------------------------------- flags and --out


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the outputs of an earlier good run (each test checks it is intact)."""
    root = tmp_path_factory.mktemp("earlier")
    (root / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = root / "results"
    result = sim.run(root / "tiny.yaml", months=3)
    result.save(out)
    result.close()
    return out


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


FLAGS = [
    (["--seed", "x"], ["--seed", "integer"]),
    (["--seed", "-1"], ["--seed", "greater than or equal to 0"]),
    (["--months", "0"], ["--months", "greater than or equal to 1"]),
    (["--months", "six"], ["--months", "integer"]),
    (["--record", "weekly"], ["--record must be monthly, yearly or final", "'weekly'"]),
    (["--set", "parameters.noise=1"], ["no key 'parameters.noise'"]),
    (["--frobnicate"], ["No such option: --frobnicate"]),
]


@pytest.mark.parametrize(("flags", "expected"), FLAGS, ids=[" ".join(f[0]) for f in FLAGS])
def test_bad_flags_fail_cleanly_and_keep_earlier_outputs(
    cli: Cli,
    write_yaml: Callable[..., Path],
    earlier_run: Path,
    flags: list[str],
    expected: list[str],
) -> None:
    before = snapshot(earlier_run)
    assert {"summary.json", "timeseries.parquet", "influence.png"} <= set(before)
    path = write_yaml(TINY, "tiny.yaml")
    message = assert_one_clear_line(
        *cli("run", path, "--months", "2", *flags, "--out", earlier_run)
    )
    for part in expected:
        assert part in message, f"{part!r} missing from: {message}"
    assert "see 'greatgame run --help'" in message or "--record" in message or "--set" in message
    assert snapshot(earlier_run) == before, "nothing written earlier is lost or changed"


def test_a_bad_scenario_keeps_earlier_outputs(
    cli: Cli, write_yaml: Callable[..., Path], earlier_run: Path
) -> None:
    before = snapshot(earlier_run)
    bad = write_yaml(edit("population: 35", "population: many"), "bad.yaml")
    assert_one_clear_line(*cli("run", bad, "--out", earlier_run))
    assert snapshot(earlier_run) == before


def test_out_pointing_at_a_file_is_refused_and_the_file_kept(
    cli: Cli, write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("my notes\n")
    path = write_yaml(TINY, "tiny.yaml")
    message = assert_one_clear_line(*cli("run", path, "--months", "2", "--out", target))
    assert str(target) in message and "is a file; expected a directory" in message
    assert target.read_text() == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "tiny.yaml"]


def test_unknown_command_and_no_arguments(cli: Cli) -> None:
    message = assert_one_clear_line(*cli("simulate"))
    assert "No such command 'simulate'" in message
    code, out, err = cli()
    assert code == 0 and "Usage" in out + err and "Traceback" not in out + err
