"""The pages people use to make videos and follow their jobs."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework import serializers

from accounts.throttling import ScopedRateThrottle
from pipeline.generators import all_generators
from pipeline.models import Job
from pipeline.serializers import JobSerializer
from pipeline.services import JobLimit
from studio.forms import JobForm
from studio.selectors import job_visible_to
from studio.services import job_create


@require_GET
def home(request):
    return render(request, "studio/home.html", {"generators": _listed_generators()})


def _listed_generators():
    return [g for g in all_generators().values() if g.listed]


def _job_create_allowed(request) -> bool:
    """One budget with `POST api/v1/jobs` (THROTTLE_JOB_CREATE): the same counter, per user."""
    return ScopedRateThrottle().allow_request(request, SimpleNamespace(throttle_scope="job_create"))


@require_http_methods(["GET", "POST"])
@login_required
def studio(request):
    """A form per generator; unavailable generators are shown with the reason."""
    generators = _listed_generators()
    selected = request.POST.get("kind") or request.GET.get("kind") or ""
    forms = {}
    for generator in generators:
        bound = request.method == "POST" and generator.kind == selected
        forms[generator.kind] = JobForm(request.POST if bound else None, generator=generator)
    status = 200
    if request.method == "POST":
        form = forms.get(selected)
        if form is None:
            raise Http404("No such generator.")
        if form.is_valid() and not _job_create_allowed(request):
            form.add_error(None, "You are creating jobs too fast. Please wait and try again.")
            status = 429
        elif form.is_valid():
            try:
                with transaction.atomic():
                    job = job_create(
                        user=request.user,
                        kind=selected,
                        prompt=form.cleaned_data["prompt"],
                        options=form.option_values(),
                        title=form.cleaned_data["title"],
                        review=form.cleaned_data.get("review", False),
                    )
                return redirect("studio:job", job_id=job.id)
            except serializers.ValidationError as exc:
                form.add_api_errors(exc.detail)
            except JobLimit as exc:
                form.add_error(None, str(exc))
                status = exc.status_code
    entries = [
        {"generator": g, "availability": g.availability(), "form": forms[g.kind]}
        for g in generators
    ]
    if not selected and entries:
        available = [e for e in entries if e["availability"].available]
        selected = (available or entries)[0]["generator"].kind
    return render(
        request, "studio/studio.html", {"entries": entries, "selected": selected}, status=status
    )


@require_GET
@login_required
def jobs(request):
    page = Paginator(Job.objects.filter(owner=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "studio/jobs.html", {"page": page})


@require_GET
@login_required
def job(request, job_id):
    found = job_visible_to(request.user, job_id)
    if found is None:
        raise Http404("No such job.")
    # Staff may follow anyone's job; only its owner edits its storyboard.
    context = {
        "job": found,
        "job_json": JobSerializer(found).data,
        "editor": found.owner_id == request.user.id,
    }
    return render(request, "studio/job.html", context)
