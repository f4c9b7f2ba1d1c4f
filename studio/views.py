"""The pages people use to make videos and follow their jobs."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from rest_framework import serializers

from pipeline.generators import all_generators
from pipeline.models import Job
from pipeline.serializers import JobSerializer
from pipeline.services import ActiveJobLimit
from studio.forms import JobForm
from studio.selectors import jobs_visible_to
from studio.services import job_create


def home(request):
    return render(request, "studio/home.html", {"generators": _listed_generators()})


def _listed_generators():
    return [g for g in all_generators().values() if g.listed]


@login_required
def studio(request):
    """A form per generator; unavailable generators are shown with the reason."""
    generators = _listed_generators()
    selected = request.POST.get("kind") or request.GET.get("kind") or ""
    forms = {}
    for generator in generators:
        bound = request.method == "POST" and generator.kind == selected
        forms[generator.kind] = JobForm(request.POST if bound else None, generator=generator)
    if request.method == "POST":
        form = forms.get(selected)
        if form is None:
            raise Http404("No such generator.")
        if form.is_valid():
            try:
                with transaction.atomic():
                    job = job_create(
                        user=request.user,
                        kind=selected,
                        prompt=form.cleaned_data["prompt"],
                        options=form.option_values(),
                        title=form.cleaned_data["title"],
                    )
                return redirect("studio:job", job_id=job.id)
            except serializers.ValidationError as exc:
                form.add_api_errors(exc.detail)
            except ActiveJobLimit as exc:
                form.add_error(None, str(exc))
    entries = [
        {"generator": g, "availability": g.availability(), "form": forms[g.kind]}
        for g in generators
    ]
    if not selected and entries:
        available = [e for e in entries if e["availability"].available]
        selected = (available or entries)[0]["generator"].kind
    return render(request, "studio/studio.html", {"entries": entries, "selected": selected})


@login_required
def jobs(request):
    page = Paginator(Job.objects.filter(owner=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "studio/jobs.html", {"page": page})


@login_required
def job(request, job_id):
    found = jobs_visible_to(request.user).filter(pk=job_id).first()
    if found is None:
        raise Http404("No such job.")
    return render(request, "studio/job.html", {"job": found, "job_json": JobSerializer(found).data})
