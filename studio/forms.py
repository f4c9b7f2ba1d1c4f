"""The studio's form: one per generator, built from the options the generator describes."""

from django import forms
from django.urls import reverse

from pipeline.generators import Generator


def _voice_label(voice: dict) -> str:
    name = f"{voice['name']}: {voice['speaker']}" if voice.get("speaker") else voice["name"]
    details = ", ".join(x for x in (voice.get("language"), voice.get("quality")) if x)
    return f"{name} ({details})" if details else name


def _voice_field(common: dict) -> forms.Field | None:
    """The narration backend's voices as a list, each with a sample to play (studio.js); None
    when the backend lists none (it is unavailable), and a text box stands in."""
    from pipeline.voices import voice_catalogue

    catalogue = voice_catalogue()
    if not catalogue["voices"]:
        return None
    default = catalogue["default"]
    choices = [("", f"Default ({default})" if default else "Default")]
    choices += [(v["id"], _voice_label(v)) for v in catalogue["voices"]]
    widget = forms.Select(attrs={
        "data-voice-samples": reverse("api-voices"), "data-default-voice": default,
    })  # fmt: skip
    return forms.ChoiceField(choices=choices, widget=widget, **common)


def _option_field(option: dict) -> forms.Field:
    common = {
        "required": False,
        "label": option["label"],
        "help_text": option.get("help", ""),
        "initial": option.get("default"),
    }
    kind = option["type"]
    if option["name"] == "voice" and (field := _voice_field(common)):
        return field
    if kind == "boolean":
        return forms.BooleanField(**common)
    if kind == "integer":
        return forms.IntegerField(
            min_value=option.get("min"), max_value=option.get("max"), **common
        )
    if kind == "number":
        return forms.FloatField(min_value=option.get("min"), max_value=option.get("max"), **common)
    if kind == "choice":
        choices = [(c, c or "—") for c in option["choices"]]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=option.get("max_length"), **common)


class JobForm(forms.Form):
    """Prompt, title and the generator's options (prefixed `opt_` in the HTML)."""

    title = forms.CharField(max_length=200, required=False)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, generator: Generator, **kwargs):
        super().__init__(*args, prefix=generator.kind, **kwargs)
        self.generator = generator
        self.fields["prompt"].label = generator.prompt_label
        self.fields["prompt"].max_length = generator.prompt_max_chars
        self.fields["prompt"].help_text = f"Up to {generator.prompt_max_chars:,} characters."
        if generator.plan_stage:
            self.fields["review"] = forms.BooleanField(
                required=False,
                initial=True,
                label="Review the storyboard before rendering",
                help_text="The job stops after planning, so you can change the scenes, listen "
                "to them and then render the video.",
            )
        self.options = generator.describe_options()
        for option in self.options:
            self.fields[f"opt_{option['name']}"] = _option_field(option)

    def option_fields(self):
        return [self[f"opt_{option['name']}"] for option in self.options]

    def option_values(self) -> dict:
        """The options the person set; empty ones fall back to the generator's defaults."""
        values = {}
        for option in self.options:
            value = self.cleaned_data.get(f"opt_{option['name']}")
            if value is None or (value == "" and option["type"] != "choice"):
                continue
            values[option["name"]] = value
        return values

    def add_api_errors(self, detail: dict) -> None:
        """Puts errors from job_create (shaped like the API's) next to the right fields."""
        for key, errors in detail.items():
            if key == "options" and isinstance(errors, dict):
                for name, messages in errors.items():
                    field = f"opt_{name}"
                    self.add_error(field if field in self.fields else None, messages)
            elif key in self.fields:
                self.add_error(key, errors)
            else:
                self.add_error(None, errors)
