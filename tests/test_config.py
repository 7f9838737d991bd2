from pathlib import Path

import pytest

from digestgen.config import ConfigError, load_config

from conftest import ROOT, write


def test_the_shipped_config_loads_with_the_fifteen_themes():
    config = load_config(ROOT / "digest.yaml")
    assert config.theme_ids == (
        "anti-fraud", "community-policing", "rural-policing", "traffic-safety", "drug-control",
        "organized-crime", "smart-policing", "dispute-mediation", "party-building", "public-service",
        "security-events", "epidemic-response", "cybercrime", "economic-crime", "publicity")
    assert [t.name for t in config.themes][:3] == ["反诈", "社区警务", "农村警务"]
    assert all(t.keywords for t in config.themes)
    assert config.base_url is None
    assert config.output_dir == ROOT / "site"


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_every_config_problem_is_reported_with_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "digest.yaml", """
        title: 测试
        page_sise: 10
        tags_per_article: many
        base_url: example.org
        themes:
          - id: Anti Fraud
            name: 反诈
            keywords: [反诈]
          - id: drugs
            keywords: []
          - id: drugs
            name: 禁毒
            keywords: [禁毒]
            colour: red
        """)
    assert errors_of(tmp_path / "digest.yaml") == [
        "digest.yaml:2: error: unknown setting 'page_sise'; did you mean 'page_size'?",
        "digest.yaml:3: error: 'tags_per_article' must be a whole number, got 'many'",
        "digest.yaml:4: error: 'base_url' must be an absolute http(s) URL such as https://example.org/digest/, "
        "got 'example.org'",
        "digest.yaml:6: error: theme id must be lower-case ASCII words joined by '-' (e.g. anti-fraud), "
        "got 'Anti Fraud'",
        "digest.yaml:9: error: theme 'drugs' needs a name (its Chinese name, e.g. 反诈)",
        "digest.yaml:9: error: theme 'drugs' needs 'keywords': a non-empty list of words",
        "digest.yaml:14: error: unknown theme field 'colour'; a theme has id, name and keywords",
        "digest.yaml:11: error: theme id 'drugs' is used twice; ids must be unique",
    ]


def test_a_missing_title_and_themes_are_required(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "digest.yaml", "language: zh-CN\n")
    assert errors_of(tmp_path / "digest.yaml") == [
        "digest.yaml:1: error: missing required setting 'title'",
        "digest.yaml:1: error: missing required setting 'themes'",
        "digest.yaml:1: error: 'themes' must list at least one theme",
    ]


def test_invalid_yaml_in_the_config_names_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "digest.yaml", "title: 测试\nthemes: [a\n")
    [message] = errors_of(tmp_path / "digest.yaml")
    assert message.startswith("digest.yaml:2: error: invalid YAML: ")


def test_base_url_gains_a_trailing_slash(tmp_path):
    write(tmp_path / "digest.yaml", """
        title: 测试
        base_url: https://example.org/digest
        themes: [{id: anti-fraud, name: 反诈, keywords: [反诈]}]
        """)
    assert load_config(tmp_path / "digest.yaml").base_url == "https://example.org/digest/"


def test_tag_aliases_are_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "digest.yaml", """
        title: 测试
        themes: [{id: anti-fraud, name: 反诈, keywords: [反诈]}]
        tag_aliases:
          反诈: [反电诈]
          电诈: 电信诈骗
          反诈骗: [反电诈]
        """)
    assert errors_of(tmp_path / "digest.yaml") == [
        "digest.yaml:5: error: tag_aliases: '电诈' must list its other names, e.g. 电诈: [别名一, 别名二]",
        "digest.yaml:6: error: tag_aliases: '反电诈' is an alias of both '反诈' and '反诈骗'",
    ]
