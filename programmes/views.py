from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from civbio import rules
from partners.selectors import partner_counts
from programmes.selectors import current_project


@login_required
def project_detail(request):
    project = current_project()
    if project is None:
        raise Http404
    return render(
        request,
        "programmes/project_detail.html",
        {
            "project": project,
            "lines": list(project.lines.all()),
            "partners": partner_counts(),
            "can_edit": rules.is_coordinator(request.user),
        },
    )
