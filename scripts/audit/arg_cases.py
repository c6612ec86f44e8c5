"""Cases on arguments: absurd flag values, flags that do not apply, environment limits,
large requests under the address-space limit, and damaged or wrong model files."""

from __future__ import annotations

from pathlib import Path

from case import (
    BANDIT,
    CLASSIFY,
    EVALUATE,
    GP,
    PREDICT,
    SEARCH,
    TRAIN,
    UCI,
    Case,
    copy,
    folder,
    link,
    replace_with,
    sh,
)

# What a message may say instead of the flag itself.
ALSO_NAMED = {"--lr": "--lr|learning rate", "--kernel": "--kernel|kernel"}

BAD_VALUES = ["0", "-1", "1e300", "nan", "inf", "18446744073709551616", "", "x", "1.5"]

# (command without the flag, the flag, outputs, values that are legal for it)
FLAGS: list[tuple[str, str, list[str], set[str]]] = [
    (f"{TRAIN} --data d.csv --out o.model", "--epochs", ["o.model"], set()),
    (f"{TRAIN} --data d.csv --out o.model", "--batch", ["o.model"], set()),
    (f"{TRAIN} --data d.csv --out o.model", "--hidden", ["o.model"], set()),
    (f"{TRAIN} --data d.csv --out o.model", "--dropout", ["o.model"], {"0"}),
    (f"{TRAIN} --data d.csv --out o.model", "--tau", ["o.model"], {"1.5"}),
    ("train --target progression --epochs 2 --data d.csv --out o.model", "--weight-decay",
     ["o.model"], {"0", "1.5"}),
    (f"{TRAIN} --data d.csv --out o.model", "--lr", ["o.model"], {"1.5"}),
    (f"{TRAIN} --data d.csv --out o.model", "--length-scale", ["o.model"], {"1.5"}),
    (f"{TRAIN} --data d.csv --out o.model", "--threads", ["o.model"], set()),
    (f"{TRAIN} --data d.csv --out o.model", "--seed", ["o.model"], {"0"}),
    (f"{TRAIN} --data d.csv --method ensemble --out o.model", "--members", ["o.model"], set()),
    ("predict --model m.model --data t.csv --out p.csv", "--samples", ["p.csv"], set()),
    (f"{PREDICT} --data t.csv --out p.csv", "--level", ["p.csv"], set()),
    (f"{PREDICT} --data t.csv --out p.csv", "--threads", ["p.csv"], set()),
    ("evaluate --model m.model --target progression --data t.csv", "--samples", [], set()),
    (f"{EVALUATE} --data t.csv", "--level", [], set()),
    (f"{EVALUATE} --data t.csv --elbo", "--elbo-samples", [], set()),
    ("evaluate --model c.model --data c.csv --target label --samples 5", "--bins", [], set()),
    (f"{GP} --data t.csv --out o.model", "--max-iter", ["o.model"], {"0"}),
    ("gp --target progression --max-iter 2 --data t.csv --out o.model", "--restarts",
     ["o.model"], {"0"}),
    (f"{GP} --data t.csv --out o.model", "--kernel", ["o.model"], set()),
    (f"{SEARCH} --data d.csv --out o.model", "--folds", ["o.model", "o.model.search.json"], set()),
    (f"{SEARCH} --data d.csv --out o.model", "--validation-fraction",
     ["o.model", "o.model.search.json"], set()),
    ("dataset diabetes --out a.csv --test-out b.csv", "--test-fraction", ["a.csv", "b.csv"], set()),
    ("bandit --seeds 1 --out bo", "--horizon", ["bo"], set()),
    ("bandit --horizon 40 --out bo", "--seeds", ["bo"], set()),
    (f"{BANDIT} --out bo", "--train-every", ["bo"], set()),
    (f"{BANDIT} --out bo", "--steps", ["bo"], set()),
    (f"{BANDIT} --out bo", "--deltas", ["bo"], {"0"}),
    (f"{BANDIT} --out bo", "--threads", ["bo"], set()),
    ("uci --data d.csv --target progression --target-steps 20 --samples 5 --out uo",
     "--random-splits", ["uo"], set()),
    ("uci --data d.csv --target progression --random-splits 1 --samples 5 --out uo",
     "--target-steps", ["uo"], set()),
    (f"{UCI} --out uo", "--jobs", ["uo"], set()),
    ("uci --data d.csv --target progression --random-splits 1 --target-steps 20 --out uo",
     "--samples", ["uo"], set()),
]  # fmt: skip

# Flags that do not apply, duplicates in lists, and kernel names a parser must show whole.
COMBINATIONS: list[tuple[str, list[str]]] = [
    (f"{UCI} --model gp --grid-tau 1 --out uo", ["uo"]),
    (f"{UCI} --model gp --grid-dropout 0.1 --out uo", ["uo"]),
    ("predict --model g.model --data t.csv --key-column age --out p.csv", ["p.csv"]),
    ("active --functions bald,bald --seeds 1 --budget 10 --out ao", ["ao"]),
    (f"{BANDIT} --policies uniform,uniform --out bo", ["bo"]),
    (f"{BANDIT} --deltas 0.5,0.5 --out bo", ["bo"]),
    (f"{CLASSIFY} --data c.csv --tau 1 --out o.model", ["o.model"]),
    (f"{TRAIN} --data d.csv --optimizer adam --momentum 0.9 --out o.model", ["o.model"]),
    (f"{GP} --data t.csv --kernel rbf+ℝbf --out o.model", ["o.model"]),
    (f"{GP} --data t.csv --kernel ébf --out o.model", ["o.model"]),
    (f"{GP} --data t.csv --kernel {'(' * 100}rbf{')' * 100} --out o.model", ["o.model"]),
    ("uci --root t.csv --dataset boston", []),
    ("digits --data c.csv --out dgo --epochs 1", ["dgo"]),
    ("evaluate --model g.model --data t.csv --target progression --samples 5", []),
]  # fmt: skip


def flag_cases() -> list[Case]:
    """Every bad value of every numeric flag, and the combinations above."""
    cases = []
    for argv, flag, outs, legal in FLAGS:
        for v in BAD_VALUES:
            expect = "any" if v in legal else "error"
            cases.append(
                Case(
                    f"{argv.split()[0]} {flag} {v!r}",
                    "flag value",
                    [*sh(argv), flag, v],
                    None,
                    outs,
                    expect,
                    mentions=[ALSO_NAMED.get(flag, flag)],
                )
            )
    for argv, outs in COMBINATIONS:
        expect = "any" if argv.startswith("evaluate --model g.model") else "error"
        cases.append(Case(argv[:90], "flag combination", sh(argv), None, outs, expect))
    return cases


def env_cases() -> list[Case]:
    """Environment limits that are malformed or overflow, and large but legal requests."""
    argv = sh(f"{TRAIN} --data d.csv --out o.model")
    cases = [
        Case(
            f"train with {var}={value}",
            "environment",
            argv,
            None,
            ["o.model"],
            "error",
            {var: value},
            [var],
        )
        for var, value in [
            ("MCDROPOUT_MAX_MEMORY", "99999999999999999999G"),
            ("MCDROPOUT_MAX_MEMORY", "18446744073709551615K"),
            ("MCDROPOUT_MAX_MEMORY", "0"),
            ("MCDROPOUT_MAX_MEMORY", "-5G"),
            ("MCDROPOUT_MAX_MEMORY", "lots"),
            ("MCDROPOUT_MAX_WORK", "inf"),
            ("MCDROPOUT_MAX_WORK", "nan"),
            ("MCDROPOUT_MAX_WORK", "1e400"),
            ("MCDROPOUT_MAX_WORK", "-1"),
            ("MCDROPOUT_SIMD", "avx9000"),
        ]
    ]

    def big_csv(d: Path) -> None:
        rows = ["a,b,progression"] + [
            f"{i * 0.001},{(i * 7919) % 1000 * 0.01},{i % 13}" for i in range(20000)
        ]
        (d / "big.csv").write_text("\n".join(rows) + "\n")

    big = [
        (f"{GP} --data big.csv --out o.model", ["o.model"]),
        (f"{TRAIN} --data d.csv --hidden 100000,100000 --out o.model", ["o.model"]),
        ("predict --model m.model --data t.csv --samples 100000000 --samples-out s.npy",
         ["s.npy"]),
        (f"{EVALUATE} --data t.csv --elbo --elbo-samples 1000000000", []),
        ("bandit --horizon 100000000 --seeds 1000 --out bo", ["bo"]),
        ("uci --data d.csv --target progression --random-splits 1 --layers 1000000 --out uo",
         ["uo"]),
    ]  # fmt: skip
    for argv, outs in big:
        setup = big_csv if "big.csv" in argv else None
        cases.append(Case(f"large request: {argv[:70]}", "memory", sh(argv), setup, outs))
    return cases


def model_commands(model: str) -> list[tuple[str, str, list[str]]]:
    data, target = ("c.csv", "label") if model == "c.model" else ("t.csv", "progression")
    return [
        ("predict", f"predict --model {model} --data {data} --samples 5 --out p.csv", ["p.csv"]),
        ("evaluate", f"evaluate --model {model} --data {data} --target {target} --samples 5", []),
    ]


def flip(path: Path, at: int) -> None:
    b = bytearray(path.read_bytes())
    b[at] ^= 0x5A
    path.write_bytes(bytes(b))


def model_cases(sizes: dict[str, int]) -> list[Case]:
    """Model files truncated, with a byte changed, or not model files at all."""
    cases = []
    for model, size in sizes.items():
        cuts = sorted({0, 1, 7, 8, 9, 64, size // 3, size // 2, size - 9, size - 1})
        flips = sorted({8, 20, 100, size // 4, size // 2, size - 2})
        for cmd, argv, outs in model_commands(model):
            for cut in cuts:
                cases.append(
                    Case(
                        f"{cmd}: {model} cut to {cut} bytes",
                        "model file",
                        sh(argv),
                        lambda d, m=model, c=cut: (d / m).write_bytes((d / m).read_bytes()[:c]),
                        outs,
                        "error",
                    )  # fmt: skip
                )
            for at in flips:
                cases.append(
                    Case(
                        f"{cmd}: {model} byte {at} changed",
                        "model file",
                        sh(argv),
                        lambda d, m=model, a=at: flip(d / m, a),
                        outs,
                        "error",
                    )  # fmt: skip
                )
    kinds = [
        ("a CSV file", copy("t.csv", "m.model")),
        ("a folder", replace_with("m.model", folder("m.model"))),
        ("missing", lambda d: (d / "m.model").unlink()),
        ("/dev/null", replace_with("m.model", link("m.model", "/dev/null"))),
        ("a dangling link", replace_with("m.model", link("m.model", "nowhere"))),
    ]
    for what, setup in kinds:
        for cmd, argv, outs in model_commands("m.model"):
            cases.append(Case(f"{cmd}: the model is {what}", "model file", sh(argv), setup, outs,
                              "error"))  # fmt: skip
    for model, task, data, target in [
        ("g.model", "classify", "t.csv", "progression"),
        ("m.model", "classify", "t.csv", "progression"),
        ("c.model", "regress", "c.csv", "label"),
    ]:
        argv = f"evaluate --model {model} --data {data} --target {target} --task {task} --samples 5"
        cases.append(Case(f"{model} with --task {task}", "model file", sh(argv), None, [], "error"))
    return cases
