"""Stages and helpers several generators share, one module per role of a stage:

- `plan`: the planning stage and reading the plan it wrote;
- `narration`: speaking the plan scene by scene, the narration's timings, reuse reports;
- `captions`: caption cues from the voice's word timings, written as WebVTT and SRT;
- `pictures`: a picture per scene, and taking a device's lock around a model run;
- `assembly`: joining pictures or clips with the voice, music and captions, and the
  check of the result;
- `options`: the option serializers the narrated generators build on.

A generator lists these as `Stage`s beside its own; each stage reads earlier work only
through `StageContext.output`, under the keys its `needs` name.
"""
