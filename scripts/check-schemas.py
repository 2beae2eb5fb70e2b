#!/usr/bin/env python3
"""Checks shiplog's own input schemas with the jsonschema package (a validator shiplog did not write):
each schema is valid JSON Schema 2020-12, and each documented example validates against its schema."""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parent.parent
pairs = [("schemas/push-metadata.schema.json", "docs/push-metadata.example.json")]
for schema_path, example_path in pairs:
    schema = json.loads((root / schema_path).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(json.loads((root / example_path).read_text())))
    for error in errors:
        print(f"{example_path}: {'/'.join(map(str, error.path))}: {error.message}", file=sys.stderr)
    if errors:
        sys.exit(1)
    # and a report with a 63-hex digest must not validate: the schema is as strict as the parser
    bad = json.loads((root / example_path).read_text())
    bad["services"][0]["digest"] = bad["services"][0]["digest"][:-1]
    if validator.is_valid(bad):
        print(f"{schema_path}: accepts a 63-hex sha256 digest", file=sys.stderr)
        sys.exit(1)
print(f"schemas: {len(pairs)} checked")
