"""The figures of closed quarters, stored when a quarter closes (reports.closing), so that pages
and reports read them instead of counting them again."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0003_access_log'),
        ('programmes', '0007_indicator_counts_students'),
        ('reports', '0003_report_runs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ClosedQuarter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='quarter')),
                ('first_day', models.DateField(verbose_name='from')),
                ('last_day', models.DateField(verbose_name='until')),
                ('closed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='closed')),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.project')),
            ],
            options={
                'verbose_name': 'closed quarter',
                'verbose_name_plural': 'closed quarters',
                'ordering': ['project', 'number'],
            },
        ),
        migrations.CreateModel(
            name='QuarterActivities',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('internship', 'Internship or learning-work place'), ('guest_lesson', 'Guest lesson'), ('practicum', 'Practicum assignment'), ('company_visit', 'Company visit'), ('training', 'Training for teachers or workplace trainers'), ('research', 'Research project'), ('image', 'Image activity')], max_length=20)),
                ('count', models.PositiveIntegerField()),
                ('programme_line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.programmeline')),
                ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='reports.closedquarter')),
            ],
        ),
        migrations.CreateModel(
            name='QuarterLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('realised', models.DecimalField(decimal_places=3, max_digits=18)),
                ('programme_line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.programmeline')),
                ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='reports.closedquarter')),
            ],
        ),
        migrations.CreateModel(
            name='QuarterMeasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('measure', models.CharField(choices=[('guest_lessons', 'Guest lessons delivered'), ('students_reached', 'Students reached by delivered activities'), ('places_offered', 'Internship and learning-work places offered'), ('places_filled', 'Places filled (placements)'), ('editions_run', 'Module editions started'), ('units_completed', 'Module units completed by students'), ('teachers_trained', 'Teachers and workplace trainers trained'), ('research_projects', 'Research projects started'), ('research_outputs', 'Research outputs'), ('people_reached', 'People reached by image activities'), ('active_partners', 'Partners active in the period'), ('cofinancing', 'Co-financing realised (€)')], max_length=30)),
                ('value', models.DecimalField(decimal_places=3, max_digits=18)),
                ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='measures', to='reports.closedquarter')),
            ],
        ),
        migrations.CreateModel(
            name='QuarterPartner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('active', models.BooleanField(default=False)),
                ('engaged', models.BooleanField(default=False)),
                ('hours', models.DecimalField(decimal_places=1, default=0, max_digits=12)),
                ('in_kind', models.DecimalField(decimal_places=3, default=0, max_digits=18)),
                ('cash', models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organisation')),
                ('quarter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='partners', to='reports.closedquarter')),
            ],
        ),
        migrations.AddConstraint(
            model_name='closedquarter',
            constraint=models.UniqueConstraint(fields=('project', 'number'), name='one_closed_quarter'),
        ),
        migrations.AddConstraint(
            model_name='quarteractivities',
            constraint=models.UniqueConstraint(fields=('quarter', 'kind', 'programme_line'), name='one_count_per_kind_and_line'),
        ),
        migrations.AddConstraint(
            model_name='quarterline',
            constraint=models.UniqueConstraint(fields=('quarter', 'programme_line'), name='one_line_row_per_quarter'),
        ),
        migrations.AddConstraint(
            model_name='quartermeasure',
            constraint=models.UniqueConstraint(fields=('quarter', 'measure'), name='one_measure_per_quarter'),
        ),
        migrations.AddConstraint(
            model_name='quarterpartner',
            constraint=models.UniqueConstraint(fields=('quarter', 'organisation'), name='one_partner_row_per_quarter'),
        ),
    ]
