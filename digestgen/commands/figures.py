"""``digestgen figures --evaluate``: precision and recall of key-figure extraction."""
from __future__ import annotations

import argparse
from pathlib import Path

from digestgen.analysis import figures
from digestgen.commands.common import EXIT_FATAL, EXIT_OK, read_labels


def add_parser(commands) -> None:
    f = commands.add_parser("figures", help="measure key-figure extraction",
                            description="Print precision and recall of key-figure extraction against labelled "
                                        "sentences (a YAML list of {text, figures}).")
    f.add_argument("--evaluate", type=Path, metavar="LABELS", required=True, help="a YAML file of labelled sentences")
    f.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    items = read_labels(args.evaluate, "labelled sentences", ("text", "figures"))
    if items is None:
        return EXIT_FATAL
    precision, recall = figures.evaluate(items)
    labelled = sum(len(i["figures"]) for i in items)
    found = sum(len(figures.extract(i["text"])) for i in items)
    print(f"{len(items)} sentences, {labelled} figures labelled, {found} found: "
          f"precision {precision:.2f}, recall {recall:.2f}")
    return EXIT_OK
