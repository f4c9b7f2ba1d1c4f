"""Prometheus metrics at /metrics.

The studio's figures come from shared state at scrape time: the database (jobs by state,
stage durations and job outcomes, which the workers record as they go), the django-q2 broker
(queue depth) and the cluster statistics the workers publish (workers alive). So every web
process answers with the same figures, whichever worker on whichever host did the work; only
the `process_*` and `python_*` metrics describe the web process that answers.

Each scrape makes a handful of small queries (grouped counts and a table of a few hundred
rows at most), and a part that fails (the broker down, say) is left out and reported as
`videogen_collector_up{collector=...} 0` rather than failing the whole scrape.
"""

import hmac
import ipaddress
import logging
import math
from functools import cache

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from pipeline.engine.metrics import STAGE_DURATION_BUCKETS, bucket_label
from pipeline.engine.queue import job_queues
from pipeline.generators import all_generators
from pipeline.models import Job, JobOutcomeCount, StageDurationBucket

logger = logging.getLogger(__name__)

# Headers a proxy adds: a request that went through one is not local, whatever its address.
_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@cache
def _broker(queue: str):
    from django_q.brokers import get_broker

    return get_broker(list_key=queue)


class StudioCollector:
    """Jobs, stages, outcomes, queue depth and workers, read from shared state."""

    def collect(self):
        up = GaugeMetricFamily(
            "videogen_collector_up",
            "1 when this part of the scrape could be read, 0 when it failed (see the logs).",
            labels=["collector"],
        )
        for name, part in (
            ("jobs", self._jobs),
            ("stages", self._stages),
            ("outcomes", self._outcomes),
            ("queue", self._queue),
            ("workers", self._workers),
        ):
            try:
                families = list(part())
            except Exception as exc:
                logger.warning("metrics: could not read %s: %s", name, exc)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up

    def _jobs(self):
        jobs = GaugeMetricFamily(
            "videogen_jobs", "Jobs in the database by status and kind.", labels=["status", "kind"]
        )
        counts = {
            (status, kind): n
            for status, kind, n in Job.objects.order_by()
            .values_list("status", "kind")
            .annotate(n=Count("*"))
        }
        kinds = set(all_generators()) | {kind for _, kind in counts}
        for status in Job.Status.values:
            for kind in sorted(kinds):
                jobs.add_metric([status, kind], counts.get((status, kind), 0))
        yield jobs
        now = timezone.now()
        waiting = Job.objects.filter(status=Job.Status.QUEUED).filter(
            Q(run_after__isnull=True) | Q(run_after__lte=now)
        )
        yield GaugeMetricFamily(
            "videogen_jobs_waiting",
            "Queued jobs whose time has come (not waiting out a retry backoff).",
            value=waiting.count(),
        )

    def _stages(self):
        bounds = [*STAGE_DURATION_BUCKETS, math.inf]
        series: dict[tuple[str, str], dict] = {}
        for kind, stage, le, count, total in StageDurationBucket.objects.values_list(
            "kind", "stage", "le", "count", "sum"
        ):
            entry = series.setdefault((kind, stage), {"counts": [0] * len(bounds), "sum": 0.0})
            # A row from older buckets lands in the first current bucket that holds it.
            index = next(i for i, bound in enumerate(bounds) if float(le) <= bound)
            entry["counts"][index] += count
            entry["sum"] += total
        histogram = HistogramMetricFamily(
            "videogen_stage_duration_seconds",
            "How long finished stages took, by generator kind and stage.",
            labels=["kind", "stage"],
        )
        for (kind, stage), entry in sorted(series.items()):
            cumulative, buckets = 0, []
            for bound, count in zip(bounds, entry["counts"], strict=True):
                cumulative += count
                buckets.append((bucket_label(bound), cumulative))
            histogram.add_metric([kind, stage], buckets, sum_value=entry["sum"])
        yield histogram

    def _outcomes(self):
        finished = CounterMetricFamily(
            "videogen_jobs_finished",
            "Times a job ended, by kind and outcome (succeeded, failed, canceled).",
            labels=["kind", "outcome"],
        )
        for kind, outcome, count in JobOutcomeCount.objects.order_by("kind", "outcome").values_list(
            "kind", "outcome", "count"
        ):
            finished.add_metric([kind, outcome], count)
        yield finished

    def _queue(self):
        depth = GaugeMetricFamily(
            "videogen_queue_tasks",
            "Tasks waiting in the django-q2 broker for a worker, by queue.",
            labels=["queue"],
        )
        for queue in job_queues():
            depth.add_metric([queue], _broker(queue).queue_size())
        yield depth

    def _workers(self):
        from django_q.conf import Conf
        from django_q.status import Stat

        clusters = [
            stat
            for stat in Stat.get_all(broker=_broker(job_queues()[0]))
            if str(stat.status) != str(Conf.STOPPED)
        ]
        yield GaugeMetricFamily(
            "videogen_worker_clusters",
            "django-q2 worker clusters alive (they report every few seconds).",
            value=len(clusters),
        )
        yield GaugeMetricFamily(
            "videogen_workers",
            "Worker processes in the clusters alive.",
            value=sum(len(stat.workers) for stat in clusters),
        )


@cache
def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StudioCollector())
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    return registry


def _is_local(request) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback and not any(h in request.headers for h in _PROXY_HEADERS)


def _denied(request) -> HttpResponse | None:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        response = HttpResponse(
            "Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.\n",
            status=401,
            content_type="text/plain",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if _is_local(request) or (request.user.is_authenticated and request.user.is_staff):
        return None
    return HttpResponse(
        "Metrics are for staff and for requests from this machine; set METRICS_TOKEN to let "
        "a Prometheus server elsewhere read them.\n",
        status=403,
        content_type="text/plain",
    )


@never_cache
@require_GET
def metrics_view(request):
    """The metrics in Prometheus' text format (see the README's Monitoring section)."""
    if (denied := _denied(request)) is not None:
        return denied
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
