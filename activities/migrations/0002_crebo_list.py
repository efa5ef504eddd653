"""A view with each activity's qualification codes as one text (`CreboList`), for exports.

PostgreSQL orders the codes inside the aggregate. SQLite (make run) gathers them from rows read
in order, which is the order group_concat keeps in practice, though SQLite does not promise it.

A later migration that changes `Qualification` or the activities' qualifications table must run
`drop` before and `create` after its own operations: SQLite cannot rebuild a table that a view
reads, and PostgreSQL drops the view with a column it reads (CASCADE).
"""

from django.db import migrations

FROM = (
    "FROM activities_activity_qualifications aq "
    "JOIN students_qualification q ON q.id = aq.qualification_id"
)
VIEW = {
    "postgresql": (
        "SELECT aq.activity_id, STRING_AGG(q.crebo, '; ' ORDER BY q.crebo) AS crebos "
        f"{FROM} GROUP BY aq.activity_id"
    ),
    "sqlite": (
        "SELECT activity_id, GROUP_CONCAT(crebo, '; ') AS crebos FROM ("
        f"SELECT aq.activity_id, q.crebo {FROM} ORDER BY aq.activity_id, q.crebo"
        ") GROUP BY activity_id"
    ),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    select = VIEW.get(vendor, VIEW["postgresql"])
    schema_editor.execute(f"CREATE VIEW activities_crebolist AS {select}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS activities_crebolist")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("students", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
