"""Key figures: each number form, directions and changes, and sentences from the seeds."""
from pathlib import Path

import pytest
import yaml

from digestgen.cli import main
from digestgen.analysis.figures import cn_number, evaluate, extract

LABELLED = yaml.safe_load((Path(__file__).parent / "fixtures" / "figures_labelled.yaml").read_text("utf-8"))
TABLE = [(item["text"], [tuple(f[k] for k in ("metric", "value", "unit", "direction", "change", "approx"))
                         for f in item["figures"]]) for item in LABELLED]


@pytest.mark.parametrize("sentence, expected", TABLE, ids=[t[0][:16] for t in TABLE])
def test_each_number_form_becomes_a_record(sentence, expected):
    got = [(f.metric, f.value, f.unit, f.direction, f.change, f.approx) for f in extract(sentence)]
    assert got == [tuple(e) for e in expected]


def test_the_table_has_at_least_forty_sentences():
    assert len(TABLE) >= 40


@pytest.mark.parametrize("text, value", [("一千二百", 1200), ("十五", 15), ("一百零五", 105), ("两", 2), ("三十", 30),
                                         ("二十五", 25), ("3.96", 3.96), ("十", 10), ("九千九百九十九", 9999),
                                         ("三点五", 3.5)])
def test_chinese_numerals(text, value):
    assert cn_number(text) == value


def test_records_have_the_open_data_shape():
    [figure] = extract("追缴非法所得30多万元。")
    assert figure.record() == {"text": "追缴非法所得30多万元。", "metric": "追缴非法所得", "value": 300000, "unit": "元",
                               "direction": None, "change": None, "approx": True}


def test_figures_from_the_shipped_articles(tmp_path):
    from conftest import ROOT
    text = (ROOT / "articles" / "2022-02-21-2021-nian-hengnan-gongan-yi-han.md").read_text("utf-8")
    got = {(f.metric, f.value, f.unit, f.direction, f.change) for f in extract(text)}
    assert {("破获电诈案件", 215, "起", None, None), ("刑拘电诈犯罪嫌疑人", 246, "人", None, None),
            ("电诈案件立案", 34, "起", "down", "40%"), ("实有民警", 448, "人", None, None),
            ("可防性案件", 13.1, "%", "down", "13.1%")} <= got
    text = (ROOT / "articles" / "2022-06-21-dao-xian-da-hao-zuhequan-cu.md").read_text("utf-8")
    got = {(f.metric, f.value, f.unit) for f in extract(text)}
    assert ("追缴非法所得", 300000, "元") in got


def test_precision_and_recall_over_the_table_are_printed_by_a_command(capsys, monkeypatch):
    from conftest import ROOT
    precision, recall = evaluate(LABELLED)
    assert precision == recall == 1.0
    monkeypatch.chdir(ROOT)
    assert main(["figures", "--evaluate", "tests/fixtures/figures_labelled.yaml"]) == 0
    assert capsys.readouterr().out == ("45 sentences, 47 figures labelled, 47 found: precision 1.00, recall 1.00\n")
