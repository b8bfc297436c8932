"""The project reads YAML one way (`rendement.core.yamlfile`): LibYAML's safe loader, which
must read every shipped file exactly as PyYAML's pure-Python safe loader does."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from rendement.core.yamlfile import SAFE_LOADER, load_yaml
from rendement.mkba.params import load_parameters, parse_parameters

SHIPPED = sorted(
    [
        *(Path(str(p)) for p in (resources.files("rendement") / "params").iterdir()),
        *(Path(str(p)) for p in (resources.files("sources") / "mappings").iterdir()),
    ]
)
SHIPPED = [p for p in SHIPPED if p.suffix == ".yaml"]


def test_the_c_loader_is_used_where_pyyaml_has_it():
    assert len(SHIPPED) > 3
    if yaml.__with_libyaml__:
        assert SAFE_LOADER is yaml.CSafeLoader
    assert issubclass(SAFE_LOADER, yaml.constructor.SafeConstructor)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_reads_as_with_the_python_loader(path):
    text = path.read_text("utf-8")
    assert load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_a_parameter_set_is_the_same_read_either_way():
    loaded = load_parameters()
    text = loaded.pad.read_text("utf-8")
    assert loaded == parse_parameters(yaml.safe_load(text), pad=loaded.pad)


def test_unsafe_tags_are_refused():
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object/apply:os.system ['true']")
