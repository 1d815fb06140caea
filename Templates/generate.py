#!/usr/bin/env python3
"""Writes Sources/PreflightKit/Report/HTMLTemplate.swift from Templates/report.html.

The template is compiled into the binary as a string, so that `preflight` needs no resource
bundle beside it; a test checks that the Swift copy equals this file.
"""
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
template = (root / "Templates" / "report.html").read_text(encoding="utf-8")
assert '"""##' not in template
swift = (
    "// Generated from Templates/report.html by Templates/generate.py: edit the template, then run\n"
    "// `python3 Templates/generate.py`. A test checks that the two agree.\n\n"
    "enum HTMLTemplate {\n"
    "    static let text = ##\"\"\"\n"
    + template
    + "\"\"\"##\n}\n"
)
(root / "Sources" / "PreflightKit" / "Report" / "HTMLTemplate.swift").write_text(swift, encoding="utf-8")
