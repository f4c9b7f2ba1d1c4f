"""Documents in the OpenAPI schema the error answers every operation can give.

drf-spectacular lists the successes a view declares; DRF itself adds the errors (a bad
field, a missing or wrong token, a forbidden or missing object, an unsupported body type).
This hook adds them to each operation by what it has: a body or query parameters can be
refused with 400, any request with a token that is not valid with 401, an authenticated
operation with 403, an id in the path or a page number with 404.
"""

ERROR = {
    "type": "object",
    "description": 'DRF\'s error shape: `{"detail": "..."}`, or the fields at fault, each '
    "with its messages.",
    "additionalProperties": {},
}

REASONS = {
    "400": "The request is not valid; the body names the fields at fault.",
    "401": "Missing or invalid credentials.",
    "403": "Not allowed for this user.",
    "404": "No such object (or not visible to this user), or no such page.",
    "415": "Unsupported request body type.",
}


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            params = operation.get("parameters", [])
            codes = ["401"]
            if "requestBody" in operation:
                codes += ["400", "415"]
            elif any(p.get("in") == "query" for p in params):
                codes.append("400")
            if {} not in operation.get("security", [{}]):
                codes.append("403")
            if any(p.get("in") == "path" for p in params) or any(
                p.get("in") == "query" and p.get("name") == "page" for p in params
            ):
                codes.append("404")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"content": error, "description": REASONS[code]})
    return result
