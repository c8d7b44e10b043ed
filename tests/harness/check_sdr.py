#!/usr/bin/env python3
"""FedRAMP's own schema judges a Security Decision Record: the SDR schema 1.0.0 and the
common definitions it refers to (tests/fixtures/fedramp-schemas/, FedRAMP/schemas at
ae0dc43), JSON Schema 2020-12, with jsonschema and its `referencing` registry.

FedRAMP's SDR refers to `https://fedramp.gov/schemas/<common>.json/$defs/<name>`, with no
`#`: not a JSON pointer into the common schema but a URI of its own, which no validator
resolves by itself. The registry is told that each such URI is that definition, as
FedRAMP means it; nothing else of either schema is changed.

Usage: check_sdr.py FILE -> JSON: {"errors": [...]} (exit 0 when it could read FILE)
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "fedramp-schemas"
SDR = SCHEMAS / "fedramp-security-decision-record-schema-2026-06-24.json"
COMMON = SCHEMAS / "fedramp-common-definitions-schema-2026-06-24.json"


def registry():
    common = json.loads(COMMON.read_text(encoding="utf-8"))
    resources = [(common["$id"], Resource.from_contents(common, default_specification=DRAFT202012))]
    for name, definition in common.get("$defs", {}).items():
        uri = f"{common['$id']}/$defs/{name}"
        resources.append((uri, Resource.from_contents(definition, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def main():
    schema = json.loads(SDR.read_text(encoding="utf-8"))
    document = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, registry=registry(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    # The schema's format "uri" needs a URI parser jsonschema may not have: said here.
    uri = document.get("certificationPackageOverviewUri")
    if isinstance(uri, str) and ":" not in uri:
        errors.append(f"certificationPackageOverviewUri: {uri!r} is not an absolute URI")
    print(json.dumps({"errors": errors}))


if __name__ == "__main__":
    main()
