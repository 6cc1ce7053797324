"""Seed the model registry. Idempotent: existing rows (which staff may have edited) are left alone."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from generation.seed_data import MODELS

    ImageModel = apps.get_model("generation", "ImageModel")
    SiteSettings = apps.get_model("generation", "SiteSettings")
    links = {"successor": {}, "tool_image_model": {}}
    for entry in MODELS:
        data = dict(entry)
        for link in links:
            if link in data:
                links[link][data["key"]] = data.pop(link)
        if data.get("shutdown_date"):
            data["shutdown_date"] = datetime.date.fromisoformat(data["shutdown_date"])
        ImageModel.objects.get_or_create(key=data.pop("key"), defaults=data)
    for link, pairs in links.items():
        for key, target in pairs.items():
            model = ImageModel.objects.get(key=key)
            if getattr(model, f"{link}_id") is None:
                setattr(model, link, ImageModel.objects.get(key=target))
                model.save(update_fields=[link])
    site, _ = SiteSettings.objects.get_or_create(pk=1)
    if site.default_model_id is None:
        site.default_model = ImageModel.objects.get(key="offline")
        site.save(update_fields=["default_model"])


class Migration(migrations.Migration):
    dependencies = [("generation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
