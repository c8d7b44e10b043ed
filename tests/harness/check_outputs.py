#!/usr/bin/env python3
"""Real clients judge the outputs: Python's csv module reads the CSV, NIST's OSCAL JSON
schema and compliance-trestle's OSCAL models judge the SSP, and FedRAMP's inventory
rules are checked on it.

Usage: check_outputs.py csv FILE      -> JSON: the rows, as Python's csv module reads them
       check_outputs.py xlsx FILE SHEET -> JSON: the sheet's rows as openpyxl reads them
       check_outputs.py oscal FILE    -> JSON: {"errors": [...], "items": [{prop: [values]}]}
         (items: the inventory items and the inventory components, "entry" says which)
Exit status 0 when it could read the file (errors are in the answer, for the test to show).
"""
import csv
import json
import pathlib
import sys

FEDRAMP_NS = "http://fedramp.gov/ns/oscal"
SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "oscal" / "oscal_complete_schema-1.2.3.json"


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f, strict=True))


def schema_errors(doc):
    import jsonschema
    import regex
    from jsonschema.exceptions import ValidationError

    def pattern(validator, patrn, instance, schema):
        # OSCAL's patterns use Unicode classes (\p{L}) that Python's re lacks.
        if validator.is_type(instance, "string") and not regex.search(patrn, instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    validator = Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    found = []

    def leaves(error):
        # oneOf over document types: the errors of the branch that got deepest say why.
        if not error.context:
            found.append(error)
            return
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        branch = deepest.relative_schema_path[0]
        for e in error.context:
            if e.relative_schema_path[0] == branch:
                leaves(e)

    for error in validator.iter_errors(doc):
        leaves(error)
    return [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in found][:50]


def trestle_errors(path):
    try:
        from trestle.oscal.ssp import SystemSecurityPlan
        SystemSecurityPlan.oscal_read(pathlib.Path(path))
        return []
    except Exception as e:  # the model's own words are the finding
        return [f"trestle: {str(e)[:2000]}"]


def entries(doc):
    """The inventory: inventory items, and the components that carry an asset-id (an
    asset without an IPv4 address is an internal service component)."""
    impl = doc["system-security-plan"].get("system-implementation", {})
    items = [("item", i) for i in impl.get("inventory-items", [])]
    components = [
        ("component", c) for c in impl.get("components", [])
        if any(p["name"] == "asset-id" for p in c.get("props", []))
    ]
    return items + components


def fedramp_errors(doc):
    """FedRAMP's inventory constraints (fedramp-external-constraints and allowed values)."""
    errors = []
    ssp = doc["system-security-plan"]
    meta = ssp["metadata"]
    found = entries(doc)
    items = [e for kind, e in found if kind == "item"]
    if len(items) < 2:
        errors.append(f"has-inventory-items: {len(items)} inventory items, at least 2 required")
    party_ids = {p["uuid"] for p in meta.get("parties", [])}
    role_ids = {r["id"] for r in meta.get("roles", [])}
    resources = {r["uuid"] for r in ssp.get("back-matter", {}).get("resources", [])}
    meta_props = {p["name"]: p for p in meta.get("props", [])}
    if meta_props.get("fedramp-version", {}).get("ns") != FEDRAMP_NS:
        errors.append("fedramp-version: no fedramp-version prop in the FedRAMP namespace")
    if "marking" not in meta_props:
        errors.append("marking: no marking prop")
    ids_types = [i["identifier-type"] for i in ssp["system-characteristics"]["system-ids"]]
    if FEDRAMP_NS not in ids_types:
        errors.append(f"has-system-id: no system-id of type {FEDRAMP_NS} ({ids_types})")
    seen = set()
    for kind, item in found:
        props = item.get("props", [])
        ids = [p["value"] for p in props if p["name"] == "asset-id" and "ns" not in p]
        if len(ids) != 1:
            errors.append(f"{item['uuid']}: {len(ids)} asset-id props, exactly 1 expected")
        for i in ids:
            if i in seen:
                errors.append(f"unique-inventory-item-asset-id: {i} twice")
            seen.add(i)
        for name in ("ipv4-address", "ipv6-address"):
            count = sum(1 for p in props if p["name"] == name)
            if kind == "item" and count > 1:
                errors.append(f"{ids}: {count} {name} props (GSA's validator reads one)")
        if kind == "component":
            if any(p["name"] == "ipv4-address" for p in props):
                errors.append(f"{ids}: a component with an IPv4 address (should be an item)")
            if item["type"] != "service" or not any(
                p["name"] == "implementation-point" and p["value"] == "internal" for p in props
            ):
                errors.append(f"{ids}: an inventory component must be an internal service")
        for p in props:
            if p["name"] in ("allows-authenticated-scan", "public", "virtual", "is-scanned") and "ns" not in p:
                if p["value"] not in ("yes", "no"):
                    errors.append(f"{ids}: {p['name']} is {p['value']!r}, expected yes or no")
            if p["name"] == "allows-authenticated-scan" and p["value"] == "no" and not p.get("remarks"):
                errors.append(f"{ids}: authenticated-scan-no-has-remarks")
            if p["name"] == "scan-type":
                if p.get("ns") != FEDRAMP_NS:
                    errors.append(f"{ids}: scan-type outside the FedRAMP namespace")
                if p["value"] not in ("infrastructure", "database", "web", "other"):
                    errors.append(f"{ids}: scan-type {p['value']!r} not allowed")
                if p["value"] == "other" and not p.get("remarks"):
                    errors.append(f"{ids}: scan-type-has-remarks")
            if p["name"] in ("vendor-name", "diagram-label", "end-of-life-date") and p.get("ns") != FEDRAMP_NS:
                errors.append(f"{ids}: {p['name']} outside the FedRAMP namespace")
            if p["name"] == "end-of-life-date":
                import datetime
                try:
                    datetime.date.fromisoformat(p["value"])
                except ValueError:
                    errors.append(f"{ids}: end-of-life-date-type: {p['value']!r} is not a date")
            if p["name"] == "label":
                errors.append(f"{ids}: label where FedRAMP names diagram-label")
        for link in item.get("links", []):
            if link.get("rel") == "baseline" and link["href"].lstrip("#") not in resources:
                errors.append(f"{ids}: baseline link {link['href']} to no back-matter resource")
        owners = item.get("responsible-parties" if kind == "item" else "responsible-roles", [])
        for rp in owners:
            if rp["role-id"] not in role_ids:
                errors.append(f"{ids}: role {rp['role-id']} not in metadata.roles")
            for uuid in rp["party-uuids"]:
                if uuid not in party_ids:
                    errors.append(f"{ids}: party {uuid} not in metadata.parties")
    return errors


def oscal(path):
    doc = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    errors = schema_errors(doc) + trestle_errors(path) + fedramp_errors(doc)
    items = []
    for kind, item in entries(doc):
        props = {}
        for p in item.get("props", []):
            props.setdefault(p["name"], []).append(p["value"])
        props["entry"] = [kind]
        props["remarks"] = [item.get("remarks", "")]
        owners = item.get("responsible-parties", []) + item.get("responsible-roles", [])
        props["parties"] = sorted(rp["role-id"] for rp in owners)
        items.append(props)
    return {"errors": errors, "items": items}


def read_xlsx(path, sheet):
    import openpyxl
    from openpyxl.utils.escape import unescape  # OOXML's _xHHHH_, which read-only mode leaves
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [["" if v is None else unescape(str(v)) for v in row] for row in book[sheet].iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what == "csv":
        answer = read_csv(path)
    elif what == "xlsx":
        answer = read_xlsx(path, sys.argv[3])
    else:
        answer = oscal(path)
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
