"""The job engine: a job's life (lifecycle), running its stages (runner, context), events,
the queue and its broker, the tasks, stage artifacts in storage and publishing the video."""
