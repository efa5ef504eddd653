"""The project summary the consortium loader wrote named "26 partners" in fixed text, next to a
counter that counts them from the data. The loader's text no longer holds the number; a project
still carrying the old text word for word gets the new one (an edited summary is left alone)."""

from django.db import migrations

OLD_TO_NEW = {
    "summary": (
        "mbo-talent. 26 partners uit onderwijs, werkveld,",
        "mbo-talent. Partners uit onderwijs, werkveld,",
    ),
    "summary_en": (
        "talent. 26 partners from education, industry,",
        "talent. Partners from education, industry,",
    ),
}
LOADED_START = {
    "summary": "Het Leiden Bio Science Park maakt serieus werk van voldoende en goed opgeleid ",
    "summary_en": "The Leiden Bio Science Park is serious about enough well-trained vocational ",
}


def drop_the_fixed_count(apps, schema_editor):
    Project = apps.get_model("programmes", "Project")
    for project in Project.objects.all():
        changed = []
        for field, (old, new) in OLD_TO_NEW.items():
            text = getattr(project, field)
            # Only the loader's own text, recognised by its opening and the old phrase.
            if text.startswith(LOADED_START[field]) and text.count(old) == 1:
                setattr(project, field, text.replace(old, new))
                changed.append(field)
        if changed:
            project.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0005_english_units_and_milestone_titles"),
    ]

    operations = [migrations.RunPython(drop_the_fixed_count, migrations.RunPython.noop)]
