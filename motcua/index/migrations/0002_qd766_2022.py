"""The 2022 indicator set as the national portal computes it (motcua/index/data/qd766-2022.json):
data, editable in the admin afterwards (REGULATIONS §1.6)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "qd766-2022.json"


def load(apps, schema_editor):
    IndicatorSet = apps.get_model("index", "IndicatorSet")
    Indicator = apps.get_model("index", "Indicator")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    indicator_set, _ = IndicatorSet.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "source": data["source"],
            "valid_from": datetime.date.fromisoformat(data["valid_from"]),
        },
    )
    for order, item in enumerate(data["indicators"], start=1):
        Indicator.objects.update_or_create(
            indicator_set=indicator_set,
            code=item["code"],
            defaults={
                "metric_code": item.get("metric_code", ""),
                "group": item["group"],
                "card": item["card"],
                "title": item["title"],
                "max_points": Decimal(item["max_points"]),
                "measure": item["measure"],
                "scoring": item["scoring"],
                "threshold": Decimal(item["threshold"]) if item.get("threshold") else None,
                "when_empty": item.get("when_empty", "zero"),
                "scope": item.get("scope", "every_unit"),
                "params": item.get("params", {}),
                "confidence": item.get("confidence", ""),
                "rule": item.get("rule", ""),
                "order": order,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("index", "IndicatorSet").objects.filter(code="QD766-2022").delete()


class Migration(migrations.Migration):
    dependencies = [("index", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
