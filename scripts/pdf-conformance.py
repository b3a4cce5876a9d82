#!/usr/bin/env python3
"""Checks PDF files against PDF/UA-1 and PDF/A-2a with `page` (PyPI `page-validation`).

    scripts/pdf-conformance.py record.pdf [more.pdf ...]

Prints each profile's verdict and every failed rule; exits 1 when any file fails either.
`scripts/bootstrap.sh --test` installs the checker in its own virtual environment
($OFFCYCLE_TOOLS_DIR/pdfcheck, by default ~/.cache/offcycle/tools/pdfcheck); run this script
with that environment's python. What `page` checks is the machine-checkable part of each
standard (the Matterhorn Protocol's machine checks for PDF/UA-1); what needs a person (is the
reading order sensible, are headings the right level, is alternative text meaningful) it does not.
"""

import sys

import page

PROFILES = ("ua1", "2a")


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        for profile in PROFILES:
            report = page.validate_pdf(path, profile=profile)
            verdict = "conforms" if report.is_compliant else "does NOT conform"
            print(f"{path}: {profile}: {verdict} ({report.rules.failed} of {report.rules.total} rules failed)")
            for failure in report.failures:
                print(f"  {failure.rule_id}: {failure.message}")
            failed = failed or not report.is_compliant
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
