"""Cases on data files: every mutation of a valid CSV through every command that reads one,
class labels, and the choice of columns (names or nothing, issue 22 item 1)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

from case import CLASSIFY, EVALUATE, GP, PREDICT, SEARCH, TRAIN, Case, sh, write


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def joined(ls: list[str]) -> str:
    return "\n".join(ls) + "\n"


def set_cell(text: str, row: int, col: int, value: str) -> str:
    ls = lines(text)
    cells = ls[row].split(",")
    cells[col] = value
    ls[row] = ",".join(cells)
    return joined(ls)


def column_to(text: str, col: int, f: Callable[[int, str], str]) -> str:
    ls = lines(text)
    rows = []
    for i, line in enumerate(ls[1:]):
        cells = line.split(",")
        cells[col] = f(i, cells[col])
        rows.append(",".join(cells))
    return joined([ls[0], *rows])


def first_row(text: str, a: str, b: str) -> str:
    ls = lines(text)
    return joined([",".join([a, b, *ls[1].split(",")[2:]]), *ls[2:]])


def shorten_row(text: str) -> str:
    ls = lines(text)
    ls[7] = ",".join(ls[7].split(",")[:-2])
    return joined(ls)


# A function of the text of a CSV with a header (target last) giving the hostile file.
MUTATIONS: dict[str, Callable[[str], bytes | str]] = {
    "empty": lambda t: b"",
    "blank lines": lambda t: "\n\n  \n",
    "header only": lambda t: lines(t)[0] + "\n",
    "one row": lambda t: joined(lines(t)[:2]),
    "nan cell": lambda t: set_cell(t, 3, 1, "NaN"),
    "inf cell": lambda t: set_cell(t, 3, 1, "inf"),
    "minus inf target": lambda t: set_cell(t, 2, -1, "-inf"),
    "overflowing literal": lambda t: set_cell(t, 4, 0, "1e400"),
    "denormal cell": lambda t: set_cell(t, 4, 0, "4e-320"),
    "huge values": lambda t: column_to(t, 0, lambda i, c: f"{1.7e308 * (1 if i % 2 else -1)}"),
    "denormal feature spread": lambda t: column_to(t, 2, lambda i, c: f"{(i % 3) * 1e-318}"),
    "denormal target spread": lambda t: column_to(t, -1, lambda i, c: f"{(i % 3) * 1e-318}"),
    "overflowing target spread": lambda t: column_to(
        t, -1, lambda i, c: f"{1.7e308 if i % 2 else -1.7e308}"
    ),
    "constant target": lambda t: column_to(t, -1, lambda i, c: "7"),
    "constant feature": lambda t: column_to(t, 1, lambda i, c: "0.25"),
    "empty cell": lambda t: set_cell(t, 5, 3, ""),
    "NA cell": lambda t: set_cell(t, 5, 3, "NA"),
    "text cell": lambda t: set_cell(t, 6, 2, "abc"),
    "short row": shorten_row,
    "long row": lambda t: set_cell(t, 7, -1, lines(t)[7].split(",")[-1] + ",1"),
    "trailing comma": lambda t: joined([line + "," for line in lines(t)]),
    "semicolons": lambda t: t.replace(",", ";"),
    "tabs": lambda t: t.replace(",", "\t"),
    "comment line": lambda t: "# a comment\n" + t,
    "bom": lambda t: "\ufeff" + t,
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "no final newline": lambda t: t.rstrip("\n"),
    "latin-1 byte": lambda t: t.encode().replace(b"age", b"\xe2ge", 1),
    "nul byte": lambda t: t.encode()[:200] + b"\0" + t.encode()[200:],
    "gzip": lambda t: gzip.compress(t.encode()),
    "binary": lambda t: bytes(range(256)) * 8,
    "duplicate header": lambda t: t.replace("sex", "age", 1),
    "empty header name": lambda t: t.replace(",sex,", ",,", 1),
    "non-ascii header": lambda t: t.replace("sex", "Geschlecht_ä€", 1),
    "quoted cells": lambda t: joined(
        [lines(t)[0], *('"' + line.replace(",", '","') + '"' for line in lines(t)[1:])]
    ),
    "unbalanced quote": lambda t: set_cell(t, 3, 1, '"0.5'),
    "no header": lambda t: joined(lines(t)[1:]),
    "first row 1,x,...": lambda t: first_row(t, "1", "x"),
    "first row 1,NA,...": lambda t: first_row(t, "1", "NA"),
    "very long line": lambda t: lines(t)[0] + "\n" + "1," * 300_000 + "1\n",
    "many columns": lambda t: (
        ",".join(f"c{i}" for i in range(5000))
        + ",progression\n"
        + ",".join("0.5" for _ in range(5001))
        + "\n"
    ),
    "target 2^53+1": lambda t: set_cell(t, 1, -1, "9007199254740993"),
    "negative zero": lambda t: set_cell(t, 2, 0, "-0"),
    "hex float": lambda t: set_cell(t, 2, 0, "0x1p-3"),
    # Files that open with Parquet's magic bytes are read as Parquet (issue 23, item 4).
    "parquet magic only": lambda t: b"PAR1",
    "parquet magic, garbage": lambda t: b"PAR1" + bytes(range(256)) * 4 + b"PAR1",
    "parquet footer of 2 GiB": lambda t: (
        b"PAR1" + b"\0" * 64 + (2**31 - 1).to_bytes(4, "little") + b"PAR1"
    ),
    "parquet magic, then csv": lambda t: "PAR1" + t,
}

# The commands that read a data file (given last as --data x.csv), with their outputs.
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "train": (f"{TRAIN} --out o.model", ["o.model"]),
    "predict": (f"{PREDICT} --out p.csv", ["p.csv"]),
    "evaluate": (EVALUATE, []),
    "gp": (f"{GP} --out o.model", ["o.model"]),
    "search": (f"{SEARCH} --out o.model", ["o.model", "o.model.search.json"]),
}

# Mutations that make the file wrong for every command: exit 0 would be a wrong answer.
WRONG = {
    "empty", "blank lines", "header only", "nan cell", "inf cell", "overflowing literal",
    "short row", "long row", "binary", "duplicate header",
    "unbalanced quote", "text cell", "first row 1,x,...", "first row 1,NA,...",
    "very long line", "many columns", "NA cell", "empty cell", "no header",
    "parquet magic only", "parquet magic, garbage", "parquet footer of 2 GiB",
    "parquet magic, then csv",
}  # fmt: skip
# Wrong only where the target is read (predict ignores it).
WRONG_TARGET = {"minus inf target"}
# Wrong only where a model is fitted to the file. (An empty header name is accepted: pandas
# writes its unnamed index column that way.)
WRONG_FIT = {
    "one row", "constant target", "denormal feature spread", "denormal target spread",
    "overflowing target spread",
}  # fmt: skip


def expected(command: str, mutation: str) -> str:
    if mutation in WRONG:
        return "error"
    if mutation in WRONG_TARGET and command != "predict":
        return "error"
    if mutation in WRONG_FIT and command in ("train", "gp", "search"):
        return "error"
    return "any"


def data_cases(base: str) -> list[Case]:
    """Every mutation of `base` (the test CSV) through every command reading data."""
    out = []
    for mname, mutate in MUTATIONS.items():
        data = mutate(base)
        for cname, (argv, outputs) in COMMANDS.items():
            out.append(
                Case(
                    f"{cname}: data {mname}",
                    "data file",
                    [*sh(argv), "--data", "x.csv"],
                    write("x.csv", data),
                    outputs,
                    expected(cname, mname),
                )
            )
    return out


def label_cases() -> list[Case]:
    """A classifier's labels: non-integers, and integers an f64 cannot keep apart."""
    big, bigger = "9007199254740992", "9007199254740993"

    def labels(value: Callable[[int, str], str]) -> Callable[[Path], None]:
        return lambda d: (d / "x.csv").write_text(column_to((d / "c.csv").read_text(), -1, value))

    rows = [
        ("one label 2^53+1", labels(lambda i, c: bigger if i == 5 else c), "error"),
        ("labels 2^53 and 2^53+1", labels(lambda i, c: bigger if c == "1" else big), "error"),
        ("one label 0.5", labels(lambda i, c: "0.5" if i == 5 else c), "error"),
        ("one label nan", labels(lambda i, c: "nan" if i == 5 else c), "error"),
        ("one label 1e300", labels(lambda i, c: "1e300" if i == 5 else c), "error"),
        ("labels -1 and 1", labels(lambda i, c: "-1" if c == "0" else c), "any"),
        ("labels 2^53 and 0", labels(lambda i, c: big if c == "1" else c), "any"),
    ]
    return [
        Case(
            f"train classify: {name}",
            "labels",
            [*sh(CLASSIFY), "--data", "x.csv", "--out", "o.model"],
            setup,
            ["o.model"],
            expect,
        )  # fmt: skip
        for name, setup, expect in rows
    ]


def column_cases() -> list[Case]:
    """Names or nothing: a column is chosen by its name whenever the model knows names."""

    def headerless(d: Path) -> None:
        rows = lines((d / "t.csv").read_text())[1:]
        (d / "t0.txt").write_text(joined([r.replace(",", " ") for r in rows]))

    def features_only(d: Path) -> None:
        rows = lines((d / "t.csv").read_text())[1:]
        (d / "f0.csv").write_text(joined([r.rsplit(",", 1)[0] for r in rows]))

    def reordered(d: Path) -> None:
        ls = [line.split(",") for line in lines((d / "t.csv").read_text())]
        (d / "r.csv").write_text(joined([",".join(r[::-1]) for r in ls]))

    def renamed(d: Path) -> None:
        (d / "n.csv").write_text((d / "t.csv").read_text().replace("age", "AGE", 1))

    ev = "evaluate --model m.model --samples 5"
    lm = "evaluate --model l.model --data l.csv --samples 5"
    rows = [
        ("evaluate: header-less file, --target 0", f"{ev} --data t0.txt --target 0",
         headerless, [], "error"),
        ("evaluate: header-less file, --target 10", f"{ev} --data t0.txt --target 10",
         headerless, [], "error"),
        ("predict: header-less file, the model knows names",
         f"{PREDICT} --data f0.csv --out p.csv", features_only, ["p.csv"], "error"),
        ("predict: header-less file with --by-position",
         f"{PREDICT} --data f0.csv --by-position --out p.csv", features_only, ["p.csv"], "any"),
        ("evaluate: columns in another order", f"{EVALUATE} --data r.csv", reordered, [], "any"),
        ("evaluate: a feature renamed", f"{EVALUATE} --data n.csv", renamed, [], "error"),
        ("evaluate: --target not in the file", f"{ev} --data t.csv --target nope", None, [],
         "error"),
        ("evaluate: --target is a feature", f"{ev} --data t.csv --target age", None, [], "error"),
        ("train: --target twice", "train --data l.csv --target Weight,Weight --epochs 2 "
         "--tau 1 --out o.model", None, ["o.model"], "error"),
        ("train: --features names the target", f"{TRAIN} --data d.csv --features "
         "age,progression --out o.model", None, ["o.model"], "error"),
        ("train: --features unknown", f"{TRAIN} --data d.csv --features age,nope --out o.model",
         None, ["o.model"], "error"),
        ("train: --features twice", f"{TRAIN} --data d.csv --features age,age --out o.model",
         None, ["o.model"], "error"),
        ("evaluate 3 targets: another order", f"{lm} --target Pulse,Waist,Weight", None, [],
         "any"),
        ("evaluate 3 targets: one left out", f"{lm} --target Weight,Waist", None, [], "error"),
        ("evaluate 3 targets: one unknown", f"{lm} --target Weight,Waist,Chins", None, [],
         "error"),
        ("evaluate 3 targets: one twice", f"{lm} --target Weight,Waist,Waist", None, [], "error"),
        ("predict: --key-column unknown", f"{PREDICT} --data t.csv --key-column nope "
         "--out p.csv", None, ["p.csv"], "error"),
        ("predict: --key-column a feature", f"{PREDICT} --data t.csv --key-column age "
         "--out p.csv", None, ["p.csv"], "error"),
    ]  # fmt: skip
    return [
        Case(name, "columns", sh(argv), setup, outputs, expect)
        for name, argv, setup, outputs, expect in rows
    ]
