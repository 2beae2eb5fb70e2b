#!/usr/bin/env python3
"""Checks shiplog's own input schemas with the jsonschema package (a validator shiplog did not write):
each schema is valid JSON Schema 2020-12, each documented example validates against its schema, a broken
example does not, and the OpenAPI document's copy of the policy schema is the same schema."""
import copy
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def break_push_metadata(document):
    document["services"][0]["digest"] = document["services"][0]["digest"][:-1]
    return "a 63-hex sha256 digest"


def break_policy(document):
    document["soak"]["duration"] = "1 hour"
    return "a soak of '1 hour'"


checked = 0
for schema_path, example_path, breaker in [
    ("schemas/push-metadata.schema.json", "docs/push-metadata.example.json", break_push_metadata),
    ("schemas/policy.schema.json", "docs/policy.example.json", break_policy),
]:
    schema = json.loads((root / schema_path).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    example = json.loads((root / example_path).read_text())
    errors = list(validator.iter_errors(example))
    for error in errors:
        print(f"{example_path}: {'/'.join(map(str, error.path))}: {error.message}", file=sys.stderr)
    if errors:
        sys.exit(1)
    # the schema is as strict as the parser about what the example would break
    bad = copy.deepcopy(example)
    what = breaker(bad)
    if validator.is_valid(bad):
        fail(f"{schema_path}: accepts {what}")
    checked += 1

# a rule the policy parser does not know is refused by the schema too
policy_schema = json.loads((root / "schemas/policy.schema.json").read_text())
if jsonschema.Draft202012Validator(policy_schema).is_valid({"signature": {"min": 1}}):
    fail("schemas/policy.schema.json: accepts an unknown rule")

# every YAML policy docs/policy.md shows is a valid policy document
import re
for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", (root / "docs/policy.md").read_text(), re.S)):
    errors = list(jsonschema.Draft202012Validator(policy_schema).iter_errors(yaml.safe_load(block)))
    if errors:
        fail(f"docs/policy.md: YAML block {index + 1}: {errors[0].message}")
    checked += 1

# the OpenAPI document serves the same policy schema (without the top-level $schema/$id/title)
openapi = yaml.safe_load((root / "schemas/openapi.yaml").read_text())
served = openapi["components"]["schemas"]["PolicyDocument"]
expected = {k: v for k, v in policy_schema.items() if k not in ("$schema", "$id", "title")}
if served != expected:
    fail("schemas/openapi.yaml: components.schemas.PolicyDocument differs from schemas/policy.schema.json")
print(f"schemas: {checked} checked")
