import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from pipeline.engine.events import event_publish, job_group, user_group
from pipeline.models import Job, JobEvent
from tests.sockets import DEADLINE


@pytest.mark.django_db
def test_publish_writes_the_row_updates_the_job_and_numbers_events(make_job):
    job = make_job()
    first = event_publish(
        job_id=job.id,
        type="progress",
        stage="plan",
        progress=10,
        message="Planning",
    )
    second = event_publish(job_id=job.id, type="progress", stage="plan", progress=20)
    job.refresh_from_db()
    assert second.seq == first.seq + 1
    assert job.last_seq == second.seq
    assert (job.stage, job.progress, job.message) == ("plan", 20, "Planning")


@pytest.mark.django_db
def test_progress_is_throttled_but_milestones_are_not(make_job, settings):
    settings.EVENT_PROGRESS_INTERVAL = 60
    job = make_job()
    count = JobEvent.objects.filter(job=job).count()
    assert event_publish(job_id=job.id, type="progress", progress=1) is not None
    assert event_publish(job_id=job.id, type="progress", progress=2) is None
    assert event_publish(job_id=job.id, type="progress", progress=3, force=True) is not None
    assert event_publish(job_id=job.id, type="stage_complete", progress=4) is not None
    assert JobEvent.objects.filter(job=job).count() == count + 3


@pytest.mark.django_db
def test_publish_with_a_lease_that_is_not_held_writes_nothing(make_job):
    job = make_job()
    before = job.last_seq
    with pytest.raises(Job.DoesNotExist):
        event_publish(job_id=job.id, type="progress", lease="someone-else")
    job.refresh_from_db()
    assert job.last_seq == before


@pytest.mark.django_db(transaction=True)
def test_events_reach_the_job_and_user_groups_after_commit(make_job):
    job = make_job()
    layer = get_channel_layer()

    # One event loop from subscribing to receiving: a pub/sub layer (Redis, in CI's second
    # pass) listens on connections of the loop that subscribed.
    async def scenario():
        job_channel = await layer.new_channel()
        user_channel = await layer.new_channel()
        await layer.group_add(job_group(job.id), job_channel)
        await layer.group_add(user_group(job.owner_id), user_channel)
        event = await sync_to_async(event_publish)(
            job_id=job.id, type="progress", progress=5, message="hi", force=True
        )
        received = [
            await asyncio.wait_for(layer.receive(channel), timeout=DEADLINE)
            for channel in (job_channel, user_channel)
        ]
        return event, received

    event, received = async_to_sync(scenario)()
    for message in received:
        assert message["type"] == "job.event"
        assert message["event"]["seq"] == event.seq
        assert message["event"]["job"] == str(job.id)
        assert message["event"]["message"] == "hi"
