"""The django-q2 Redis broker, made to recover by itself from an outage of its Redis server.

While Redis is down a job cannot be handed to the queue (its enqueue fails and the job stays
queued in the database, marked as not sent), and a Redis restarted without persistence has
lost the tasks it held. django-q2's pusher, the one process of a cluster that takes tasks
from the broker, stops when the broker fails and is started again: the first time a pusher
reaches Redis, it has the reaper send again every queued job whose task is not waiting in the
broker. So work resumes within seconds of Redis coming back, not at the reaper's next round.
"""

import logging
import os

from django_q.brokers.redis_broker import Redis

logger = logging.getLogger(__name__)


class RedisBroker(Redis):
    _caught_up_in: int | None = None  # the pusher process that has sent the lost jobs again

    def dequeue(self):
        tasks = super().dequeue()
        if self._caught_up_in != os.getpid():
            self._caught_up_in = os.getpid()
            self._send_lost_jobs()
        return tasks

    def _send_lost_jobs(self) -> None:
        from pipeline.engine.runner import jobs_reap

        try:
            jobs_reap(worker_start=True)
        except Exception:
            logger.exception("could not send again the jobs queued while the broker was down")
