"""JSON Schema validation (``resources/schemas/*.schema.json``) turned into Problems with JSON Pointers.

Schemas may carry two extension keywords on any subschema: ``x-severity`` (``warning`` / ``info``; default
error) and ``x-rule`` (the source of the rule, shown to the user).

When the optional ``jsonschema-rs`` package is installed, a valid document is confirmed by it (~100x faster:
10 ms instead of 1.7 s for a 512 KB Rollbar item with telemetry) and only an invalid one goes through
``jsonschema``, which gives the detailed errors. Without it, everything goes through ``jsonschema``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from inspector.formats.base import Problem, Severity
from inspector.formats.jsondoc import join
from inspector.formats.lazy_json import plain
from inspector.resources import resource_path

if TYPE_CHECKING:  # jsonschema costs ~0.3 s to import: it is loaded on the first validation, not at start-up
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


@cache
def validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """The compiled validator of ``resources/schemas/{name}.schema.json`` (or of its ``$defs/{definition}``)."""
    from jsonschema import Draft202012Validator

    with open(resource_path("schemas", f"{name}.schema.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    Draft202012Validator.check_schema(schema)
    if definition is not None:
        # Validate one part (e.g. a single frame) with the same $defs, so big documents can be checked piecewise.
        schema = {"$defs": schema.get("$defs", {}), "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema)


def _load_schema(name: str, definition: str | None) -> dict[str, Any]:
    with open(resource_path("schemas", f"{name}.schema.json"), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    if definition is not None:
        schema = {"$defs": schema.get("$defs", {}), "$ref": f"#/$defs/{definition}"}
    return schema


@cache
def fast_validator(name: str, definition: str | None = None) -> Any:
    """A ``jsonschema_rs`` validator of the same schema, or None when the package is missing or refuses it."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(_load_schema(name, definition))
    except Exception:  # any refusal just means the slow path
        return None


def fast_is_valid(value: Any, name: str, definition: str | None = None) -> bool:
    """True only when the fast validator exists and confirms ``value``; False means "ask jsonschema"."""
    fast = fast_validator(name, definition)
    if fast is None:
        return False
    try:  # (it reads a dict's or list's storage: a chunked container of the bytes is passed as a plain copy)
        return bool(fast.is_valid(plain(value)))
    except Exception:  # values it cannot convert (huge ints, NaN...) go the slow way
        return False


def _message(err: ValidationError) -> str:
    custom = err.schema.get("x-message") if isinstance(err.schema, dict) else None
    if custom:
        return str(custom)
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"missing required field {missing!r}"
    if v == "type":
        want = err.validator_value
        names = " or ".join(_TYPE_NAMES.get(t) or str(t) for t in (want if isinstance(want, list) else [want]))
        return f"must be {names}, not {_json_type(err.instance)}"
    if v == "maxLength":
        return f"is {len(err.instance)} characters long; the limit is {err.validator_value}"
    if v == "minLength":
        if err.validator_value > 1:
            return f"must be at least {err.validator_value} characters long"
        return "must not be empty"
    if v == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(repr, err.validator_value))}"
    if v in ("minimum", "maximum"):
        side = "at least" if v == "minimum" else "at most"
        return f"{err.instance!r} is out of range: must be {side} {err.validator_value}"
    if v == "minItems":
        return f"must have at least {err.validator_value} item(s)"
    if v == "pattern":
        return f"{err.instance!r} does not have the expected form ({err.validator_value})"
    return str(err.message)


def _rule(err: ValidationError, default: str) -> str:
    for schema in (err.schema,):
        if isinstance(schema, dict) and schema.get("x-rule"):
            return str(schema["x-rule"])
    return default


def schema_problems(
    value: Any, name: str, *, base_pointer: str = "", rule: str = "", definition: str | None = None
) -> list[Problem]:
    """Validate ``value`` against the named schema (or its ``$defs/{definition}``); each error becomes a Problem."""
    problems: list[Problem] = []
    if fast_is_valid(value, name, definition):
        return problems
    for err in validator(name, definition).iter_errors(value):
        errors = [err]
        if err.context and err.validator in ("anyOf", "oneOf"):
            best = min(err.context, key=lambda e: (len(e.absolute_path) * -1, e.validator != "required"))
            errors = [best]
        for e in errors:
            pointer = join(base_pointer, *e.absolute_path)
            severity = Severity(e.schema.get("x-severity", "error")) if isinstance(e.schema, dict) else Severity.ERROR
            problems.append(Problem(severity, pointer, _message(e), _rule(e, rule or f"{name} schema")))
    return problems
