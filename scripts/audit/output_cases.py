"""Cases on output paths (issue 22 item 2): every output — named, derived, or a file
inside an output folder — aliasing an input or another output, or being a read-only file,
a folder, a dangling link, a full device or in a missing folder."""

from __future__ import annotations

from case import (
    BANDIT,
    GP,
    PREDICT,
    SEARCH,
    TRAIN,
    Case,
    Setup,
    copy,
    folder,
    hard_link,
    link,
    read_only,
    sh,
    steps,
    write,
)

# (label, command without the output flag, the input an output may alias, the flag)
WRITERS = [
    ("train --out", f"{TRAIN} --data d.csv", "d.csv", "--out"),
    ("gp --out", f"{GP} --data t.csv", "t.csv", "--out"),
    ("predict --out", f"{PREDICT} --data t.csv", "t.csv", "--out"),
    ("predict --out, model", f"{PREDICT} --data t.csv", "m.model", "--out"),
    ("predict --samples-out", f"{PREDICT} --data t.csv", "t.csv", "--samples-out"),
    ("predict --draws-out", f"{PREDICT} --data t.csv", "m.model", "--draws-out"),
    ("evaluate --reliability",
     "evaluate --model c.model --data c.csv --target label --samples 5", "c.csv",
     "--reliability"),
    ("search --out", f"{SEARCH} --data d.csv", "d.csv", "--out"),
    ("search --report", f"{SEARCH} --data d.csv --out o.model", "d.csv", "--report"),
]  # fmt: skip

# Several outputs of one run naming the same file, or an output deriving an input's name.
ALIASES = [
    "dataset diabetes --test-fraction 0.1 --out a.csv --test-out a.csv",
    "dataset diabetes --test-fraction 0.1 --out a.csv --test-out ./a.csv",
    "dataset diabetes --test-fraction 0.1 --out a.csv --test-out hl",
    f"{PREDICT} --data t.csv --out p.npy --samples-out p.npy",
    f"{PREDICT} --data t.csv --out p.csv --samples-out s.npy --draws-out s.npy",
    f"{PREDICT} --data t.csv --out p.csv --samples-out ./p.csv",
    f"{SEARCH} --data d.csv --out o.model --report o.model",
    f"{SEARCH} --data d.csv --out o.model --report d.csv",
    f"{SEARCH} --data o.model.search.json --out o.model",
]


def aliases(inp: str) -> list[tuple[str, str, Setup | None]]:
    return [
        ("the input", inp, None),
        ("./input", "./" + inp, None),
        ("the input through ..", "sub/../" + inp, folder("sub")),
        ("a symlink to the input", "ln", link("ln", inp)),
        ("a hard link to the input", "hl", hard_link("hl", inp)),
        ("a read-only file", "ro", read_only("ro")),
        ("a folder", "dir", folder("dir")),
        ("a dangling link", "dl", link("dl", "nowhere/x")),
        ("in a missing folder", "nope/x", None),
        ("/dev/full", "/dev/full", None),
    ]


def output_cases(have_shared: bool) -> list[Case]:
    cases = []
    for label, argv, inp, flag in WRITERS:
        for what, target, setup in aliases(inp):
            cases.append(Case(f"{label} = {what}", "output path", [*sh(argv), flag, target],
                              setup, [], "error", mentions=[target]))  # fmt: skip
        cases.append(Case(f"{label} = /dev/null", "output path", [*sh(argv), flag, "/dev/null"],
                          None, ["o.model", "o.model.search.json"]))  # fmt: skip
    for argv in ALIASES:
        # `hl` is a hard link to `a.csv`: the same file under another name.
        linked = steps(write("a.csv", "old\n"), hard_link("hl", "a.csv"))
        setup = linked if argv.endswith(" hl") else None
        cases.append(Case(f"two outputs or an input alias: {argv[-60:]}", "output path", sh(argv),
                          setup, [], "error"))  # fmt: skip
    cases += folder_cases(have_shared)
    return cases


def folder_cases(have_shared: bool) -> list[Case]:
    """Commands writing several files into --out DIR: each file is checked before the
    first is written, an input inside DIR under one of their names is not overwritten."""
    # (command, the data file it reads or None, one of the files it writes into DIR)
    commands = [
        ("bandit", BANDIT, None, "bandit.md"),
        ("uci", "uci --target progression --random-splits 1 --target-steps 20 --samples 5",
         "d.csv", "results.json"),
    ]  # fmt: skip
    if have_shared:
        commands += [
            ("digits", "digits --epochs 1 --samples 5", "dg.csv", "digits.md"),
            ("active", "active --seeds 1 --budget 10 --samples 5 --steps 5", "dg.csv",
             "active.md"),
            ("co2", "co2 --epochs 1 --samples 5", "co2.csv", "co2.json"),
        ]  # fmt: skip
    cases = []
    for name, argv, data, inside in commands:
        with_data = [*sh(argv), *(["--data", data] if data else [])]
        cases.append(Case(f"{name} --out DIR holding a read-only {inside}", "output folder",
                          [*with_data, "--out", "of"],
                          steps(folder("of"), read_only(f"of/{inside}")), [],
                          "error"))  # fmt: skip
        cases.append(Case(f"{name} --out a file", "output folder", [*with_data, "--out", "t.csv"],
                          None, [], "error"))  # fmt: skip
        cases.append(Case(f"{name} --out a dangling link", "output folder",
                          [*with_data, "--out", "dl"], link("dl", "nowhere"), [],
                          "error"))  # fmt: skip
        if data:
            cases.append(Case(f"{name} --data of/{inside} --out of", "output folder",
                              [*sh(argv), "--data", f"of/{inside}", "--out", "of"],
                              steps(folder("of"), copy(data, f"of/{inside}")), [],
                              "error"))  # fmt: skip
            cases.append(Case(f"{name} --data DIR/{inside} through a link, --out DIR",
                              "output folder",
                              [*sh(argv), "--data", f"of/{inside}", "--out", "lo"],
                              steps(folder("of"), copy(data, f"of/{inside}"), link("lo", "of")),
                              [], "error"))  # fmt: skip
    return cases
