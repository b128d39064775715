"""What `make run` shows an administrator who fetches the national catalogue: the simulator serves
the demo catalogue as the national portal publishes it (`--base-catalog`), with the sample
payloads' deliberate differences over it. The review must list exactly those differences, not the
demo's procedures as removed."""

from pathlib import Path

import pytest

from motcua.catalog.national_sync import Kind, fetch_from_portal
from motcua.demo.loader import load_demo
from motcua.integrations.dvcqg.simulator import load_catalog

DEMO_CATALOGUE = Path(__file__).resolve().parents[2] / "motcua" / "demo" / "data" / "procedures.json"


@pytest.mark.django_db
def test_r09_demo_catalogue_as_published_differs_only_where_the_samples_do(national_portal):
    load_demo()
    published = load_catalog(None, base=DEMO_CATALOGUE)
    assert not any("MOTCUA" in payload for payload in published)
    national_portal.add_procedures(published, replace=True)

    run = fetch_from_portal()

    kinds: dict[str, list[str]] = {}
    for entry in run.differences:
        kinds.setdefault(entry["kind"], []).append(entry["code"])
    # The differences the sample payloads carry (sim_data/procedures/README.md), nothing else.
    assert sorted(kinds.get(Kind.CHANGED, [])) == ["1.001612", "1.004884"]
    assert kinds.get(Kind.NEW) == ["1.019950"]
    assert Kind.REMOVED not in kinds and Kind.INVALID not in kinds
    assert len(kinds[Kind.UNCHANGED]) == len(published) - 3
