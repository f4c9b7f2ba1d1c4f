import pytest
import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

AUTH_OPERATIONS = {
    "/api/v1/auth/register": {"post"},
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/auth/me": {"get", "patch"},
    "/api/v1/auth/password": {"post"},
    "/api/v1/auth/avatar": {"put", "delete"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_endpoint_lists_the_auth_paths(client):
    response = client.get(reverse("schema"))

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    for path, methods in AUTH_OPERATIONS.items():
        assert methods <= set(paths[path]), path


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_auth_operations_declare_their_bodies_and_answers(schema):
    for path, methods in AUTH_OPERATIONS.items():
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["tags"] == ["auth"]
            assert operation["responses"], (path, method)
            if method in {"post", "patch", "put"}:
                assert operation["requestBody"]["content"], (path, method)
    avatar_body = schema["paths"]["/api/v1/auth/avatar"]["put"]["requestBody"]["content"]
    assert list(avatar_body) == ["multipart/form-data"]
    assert schema["paths"]["/api/v1/auth/register"]["post"]["security"] == [{}]


@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
def test_api_documentation_pages_answer(client, name):
    assert client.get(reverse(name)).status_code == 200
