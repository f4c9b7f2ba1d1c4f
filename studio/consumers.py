"""WebSockets for following jobs live: authenticate, join the groups, replay, forward."""

import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.channels_auth import account_group, credential_holds
from pipeline.engine.events import event_to_dict, job_group, user_group
from pipeline.models import Job, JobEvent
from pipeline.serializers import JobSerializer
from studio.selectors import job_visible_to

REPLAY_LIMIT = 5000
USER_SNAPSHOT_JOBS = 50


def _after(scope) -> int:
    raw = parse_qs(scope.get("query_string", b"").decode("latin1")).get("after", ["0"])[0]
    try:
        return max(0, int(raw))
    except ValueError:
        return 0


@database_sync_to_async
def _visible_job(user, job_id):
    return job_visible_to(user, job_id)


@database_sync_to_async
def _job_snapshot(job_id):
    job = Job.objects.select_related("result").get(pk=job_id)
    return JobSerializer(job).data


@database_sync_to_async
def _events_after(job_id, after, before=None):
    events = JobEvent.objects.filter(job_id=job_id, seq__gt=after).order_by("seq")
    if before is not None:
        events = events.filter(seq__lt=before)
    return [event_to_dict(e) for e in events[:REPLAY_LIMIT]]


@database_sync_to_async
def _user_snapshot(user):
    jobs = Job.objects.filter(owner=user).select_related("result")[:USER_SNAPSHOT_JOBS]
    return JobSerializer(jobs, many=True).data


class EventConsumer(AsyncJsonWebsocketConsumer):
    signed_out = False

    async def dispatch(self, message):
        # Channels checks the database connections in a thread before every handler; a live
        # event needs no database, and skipping that hop is what lets one event reach
        # hundreds of watchers of a job quickly.
        if message["type"] == "job.event":
            if not self.signed_out:  # events queued before the credential was revoked
                await self.job_event(message)
        else:
            await super().dispatch(message)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if hasattr(self, "account"):
            await self.channel_layer.group_discard(self.account, self.channel_name)

    async def watch_account(self, user):
        """Joins the user's account group, so a password change or a revoked token ends this
        socket (the page reconnects with its current session, if it still has one)."""
        self.account = account_group(user.pk)
        await self.channel_layer.group_add(self.account, self.channel_name)

    async def account_recheck(self, message):
        if not await credential_holds(self.scope):
            self.signed_out = True
            await self.disconnect(4401)
            await self.close(code=4401)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})


class JobConsumer(EventConsumer):
    """`/ws/jobs/<id>/?after=<seq>`: one job, for its owner or staff.

    The group is joined before the replay is read, so an event is either in the replay or
    arrives live; `last_seq` drops the ones that are both, and a live event that skips some
    brings the ones it skipped from the database first: the socket sends seqs without gaps.
    """

    async def connect(self):
        user = self.scope.get("user")
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        if user is None or not user.is_authenticated:
            await self.close()  # refused at the handshake (HTTP 403)
            return
        job = await _visible_job(user, job_id)
        if job is None:
            await self.close()
            return
        self.job_id = str(job.pk)
        self.group = job_group(self.job_id)
        after = _after(self.scope)
        self.last_seq = after
        await self.watch_account(user)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "connected", "job": self.job_id, "after": after})
        await self.send_json({"type": "snapshot", "job": await _job_snapshot(self.job_id)})
        for event in await _events_after(self.job_id, after):
            await self._forward(event)

    async def job_event(self, message):
        event = message["event"]
        if event["seq"] > self.last_seq + 1:
            # Events the channel layer did not carry (its Redis was down when they were
            # published) or has not carried yet: the rows have them, in order.
            for missed in await _events_after(self.job_id, self.last_seq, before=event["seq"]):
                await self._forward(missed)
        await self._forward(event, message.get("text"))

    async def _forward(self, event, text=None):
        if event["seq"] <= self.last_seq:
            return
        self.last_seq = event["seq"]
        # Live events arrive already encoded: one encoding for all of a job's watchers.
        await self.send(text_data=text or json.dumps(event))


class UserJobsConsumer(EventConsumer):
    """`/ws/jobs/`: every event of the user's own jobs, after a snapshot of the recent ones."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.group = user_group(user.pk)
        await self.watch_account(user)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "connected"})
        await self.send_json({"type": "snapshot", "jobs": await _user_snapshot(user)})

    async def job_event(self, message):
        await self.send(text_data=message.get("text") or json.dumps(message["event"]))
