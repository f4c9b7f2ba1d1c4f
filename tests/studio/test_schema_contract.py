"""The schema says exactly what the server accepts, and the server refuses what the schema
refuses: enums for `kind` and `until`, bounded whole numbers for pages, strings that are
strings, the upload's multipart body with its file, and JSON for every unknown API URL."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from pipeline.generators import all_generators
from tests.accounts.imagefiles import image_bytes, upload


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def query_param(schema, path, name):
    params = schema["paths"][path]["get"]["parameters"]
    return next(p["schema"] for p in params if p["name"] == name and p["in"] == "query")


def stage_names():
    return {name for g in all_generators().values() for name in g.stage_names()}


def test_kind_and_until_are_enums_of_the_installed_generators_and_their_stages(schema):
    body = resolve(schema, schema["components"]["schemas"]["JobCreateRequest"])
    kind = resolve(schema, body["properties"]["kind"])
    until = [resolve(schema, s) for s in body["properties"]["until"]["oneOf"]]
    assert set(kind["enum"]) == set(all_generators()) and "demo" in kind["enum"]
    assert set(until[0]["enum"]) == stage_names() and until[1]["enum"] == [""]
    continue_body = resolve(schema, schema["components"]["schemas"]["ContinueRequest"])
    assert set(resolve(schema, continue_body["properties"]["until"]["oneOf"][0])["enum"]) == (
        stage_names()
    )
    assert set(query_param(schema, "/api/v1/jobs", "kind")["enum"]) == set(all_generators())


@pytest.mark.parametrize(
    ("body", "field"),
    [({"kind": "nope"}, "kind"), ({"kind": 7}, "kind"), ({"until": "nope"}, "until")],
)
def test_a_kind_or_stage_outside_the_enum_is_refused_naming_it(api_for, alice, body, field):
    body = {"kind": "demo", "prompt": "A clip. Two cards.", **body}
    response = api_for(alice).post("/api/v1/jobs", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/jobs", {"kind": "nope"}),
        ("/api/v1/jobs", {"kind": ""}),
        ("/api/v1/jobs", {"status": ""}),
        ("/api/v1/videos", {"visibility": ""}),
        ("/api/v1/jobs/{job}/events", {"limit": ""}),
        ("/api/v1/jobs/{job}/events", {"limit": 1001}),
        ("/api/v1/jobs/{job}/events", {"after": -1}),
    ],
)
def test_a_query_value_outside_the_schema_is_refused_naming_it(
    api_for, alice, make_job, path, query
):
    path = path.format(job=make_job().id)
    response = api_for(alice).get(path, query)
    assert response.status_code == 400 and set(query) <= set(response.json()), response.json()


def test_listing_jobs_by_a_known_kind_works(api_for, alice):
    assert api_for(alice).get("/api/v1/jobs", {"kind": "demo"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/v1/videos", "/api/v1/explore"])
def test_page_and_page_size_are_bounded_integers_in_the_schema(schema, path):
    assert query_param(schema, path, "page") == {"type": "integer", "minimum": 1}
    assert query_param(schema, path, "page_size") == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
    }


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/v1/videos", "/api/v1/explore"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "null"}, "page_size"),
        ({"page_size": ""}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"page": "last"}, "page"),
        ({"page": 0}, "page"),
    ],
)
def test_a_page_or_size_outside_the_schema_is_refused_with_400(api_for, alice, path, query, field):
    response = api_for(alice).get(path, query)
    assert response.status_code == 400 and field in response.json(), response.json()


def test_pages_within_bounds_still_page(api_for, alice, make_job):
    for _ in range(3):
        make_job()
    client = api_for(alice)
    body = client.get("/api/v1/jobs", {"page_size": 100}).json()
    assert body["count"] == 3 and len(body["results"]) == 3
    assert len(client.get("/api/v1/jobs", {"page_size": 2, "page": 2}).json()["results"]) == 1
    assert client.get("/api/v1/jobs", {"page": 9}).status_code == 404  # past the last page


def test_events_limit_and_after_are_bounded_in_the_schema(schema):
    path = "/api/v1/jobs/{job_id}/events"
    assert query_param(schema, path, "limit") == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 500,
    }
    assert query_param(schema, path, "after")["minimum"] == 0


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/auth/me", "patch", {"display_name": 0}, "display_name"),
        ("/api/v1/auth/me", "patch", {"display_name": ["x"]}, "display_name"),
        ("/api/v1/jobs", "post", {"kind": "demo", "prompt": 12}, "prompt"),
        ("/api/v1/jobs", "post", {"kind": "demo", "prompt": "A. B.", "title": 3}, "title"),
    ],
)
def test_a_number_where_the_schema_says_string_is_refused(
    api_for, alice, path, method, body, field
):
    response = getattr(api_for(alice), method)(path, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    alice.refresh_from_db()
    assert alice.display_name != "0"


def test_the_upload_body_is_multipart_with_the_file_required(schema):
    for path, method in (("/api/v1/uploads", "post"), ("/api/v1/auth/avatar", "put")):
        body = schema["paths"][path][method]["requestBody"]
        assert body["required"] is True and list(body["content"]) == ["multipart/form-data"]
        form = resolve(schema, body["content"]["multipart/form-data"]["schema"])
        assert form["required"] == ["image"]
        assert form["properties"]["image"]["format"] == "binary"


def test_an_upload_without_its_file_or_not_multipart_is_refused(api_for, alice):
    client = api_for(alice)
    response = client.post("/api/v1/uploads", {"other": "x"}, format="multipart")
    assert response.status_code == 400 and "image" in response.json()
    form = client.post(
        "/api/v1/uploads", "image=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415 and "detail" in form.json()
    ok = client.post("/api/v1/uploads", {"image": upload(image_bytes("PNG"), "a.png")})
    assert ok.status_code == 201, ok.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/jobs/0",
        "/api/v1/videos/x",
        "/api/v1/jobs/0/events",
        "/api/v1/nothing-here",
        "/api/v2/jobs",
    ],
)
def test_an_unmatched_api_url_answers_json_404(api_for, alice, path):
    response = api_for(alice).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unmatched_page_url_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=b0undary", "application/x-www-form-urlencoded"]
)
def test_bodies_other_than_uploads_are_json_only(api_for, alice, schema, content_type):
    # A form cannot say "number" or "null", so it would pass for what the schema refuses.
    body = b"--b0undary\r\n2856--b0undary--\r\n" if "multipart" in content_type else b"2856"
    response = api_for(alice).generic("PATCH", "/api/v1/auth/me", body, content_type=content_type)
    assert response.status_code == 415 and "detail" in response.json()
    uploads = {"/api/v1/uploads", "/api/v1/auth/avatar", "/api/v1/media"}
    bodies = [
        (path, operation["requestBody"])
        for path, item in schema["paths"].items()
        for operation in item.values()
        if "requestBody" in operation and path not in uploads
    ]
    assert len(bodies) >= 8
    for path, body in bodies:
        assert list(body["content"]) == ["application/json"], path
