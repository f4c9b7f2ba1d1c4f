"""A generator whose one stage does nothing: what is left is the pipeline's own cost."""

from rest_framework import serializers

from pipeline.generators import Generator, Stage


class NoOptions(serializers.Serializer):
    pass


generator = Generator(
    kind="noop",
    label="No-op",
    description="One stage that does nothing (benchmarks only).",
    stages=[Stage("noop", "Nothing", lambda ctx: {})],
    options_serializer=NoOptions,
    listed=False,
)
