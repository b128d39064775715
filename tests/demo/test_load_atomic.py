"""The demo load is one transaction: a broken file leaves no half-loaded province behind."""

import json
import shutil

import pytest

from motcua.catalog.models import Procedure
from motcua.demo.loader import DATA_DIR, DemoDataError, load_demo
from motcua.org.models import Unit


@pytest.mark.django_db
def test_process_breaking_r24_rolls_back_the_whole_load(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    doc = json.loads((data / "procedures.json").read_text(encoding="utf-8"))
    # The last procedure is loaded after everything else: all of that must disappear with it.
    doc["data"][-1]["MOTCUA"]["processes"][0]["steps"][0]["hours"] += 1
    (data / "procedures.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(DemoDataError, match=r"Tổng thời gian các bước"):
        load_demo(data)

    assert Unit.objects.count() == 0
    assert Procedure.objects.count() == 0


@pytest.mark.django_db
def test_unknown_unit_in_a_reception_point_is_reported_in_vietnamese(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    doc = json.loads((data / "procedures.json").read_text(encoding="utf-8"))
    doc["data"][0]["MOTCUA"]["reception"][0]["unit"] = "000.99.99.H19"
    (data / "procedures.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(DemoDataError, match=r"không có đơn vị mã 000\.99\.99\.H19"):
        load_demo(data)
    assert Unit.objects.count() == 0
