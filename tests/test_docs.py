"""docs/configuration.md must say what the JSON schemas say."""

import copy

from snakereel import configdoc
from snakereel.schema import schema


def test_configuration_reference_matches_the_schemas():
    assert configdoc.DOC.read_text(encoding="utf-8") == configdoc.render(), (
        "docs/configuration.md is stale: run `python -m snakereel.configdoc --write`"
    )


def test_every_schema_key_is_documented_and_no_note_is_orphaned():
    for name, _, _ in configdoc.FILES:
        data = schema(name)
        keys = {row[0] for row in configdoc.rows(data, data)}
        assert set(configdoc.NOTES[name]) <= keys, f"notes for keys {name} no longer has"
        for key, _, _, text in configdoc.rows(data, data):
            assert text or key in configdoc.NOTES[name], f"{name}: {key} has no meaning"


def test_a_schema_change_makes_the_check_fail(monkeypatch):
    changed = copy.deepcopy(schema("config"))
    changed["properties"]["preset"]["enum"].append("cinema")
    monkeypatch.setattr(configdoc, "schema", lambda n: changed if n == "config" else schema(n))
    assert configdoc.render() != configdoc.DOC.read_text(encoding="utf-8")
    assert '`"cinema"`' in configdoc.render()
