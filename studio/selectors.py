from pipeline.models import Job


def jobs_visible_to(user):
    """Jobs a person may see: their own; staff see everyone's."""
    jobs = Job.objects.select_related("result")
    if user.is_staff:
        return jobs
    return jobs.filter(owner=user)
