import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation, OrganisationKind


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganisationKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(city__icontains=value)
        )
