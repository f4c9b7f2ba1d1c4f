from rest_framework import serializers

from accounts.fields import StrictCharField


class Form(serializers.Serializer):
    name = StrictCharField(allow_blank=True, max_length=20)
    title = StrictCharField(max_length=20)


def test_a_strict_text_field_takes_text_and_blank_where_allowed_but_no_nul_or_numbers():
    assert Form(data={"name": "", "title": "Fine"}).is_valid()
    form = Form(data={"name": "a\x00b", "title": 7})
    assert not form.is_valid()
    assert form.errors["name"] == ["Null characters are not allowed."]
    assert form.errors["title"] == ["Not a valid string."]
    blank = Form(data={"name": "x", "title": ""})
    assert not blank.is_valid() and "title" in blank.errors


def test_the_schema_says_no_nul_without_matching_an_empty_string_twice(api_for, alice):
    import re

    schema = api_for(alice).get("/api/schema/?format=json").json()
    explore = schema["paths"]["/api/v1/explore"]["get"]["parameters"]
    q = next(p for p in explore if p["name"] == "q")["schema"]
    branches = q["oneOf"]
    text = next(b for b in branches if "pattern" in b)
    assert not re.fullmatch(text["pattern"], "") and not re.fullmatch(text["pattern"], "a\x00")
    assert re.fullmatch(text["pattern"], "harbour")
    assert {"type": "string", "maxLength": 0} in branches
