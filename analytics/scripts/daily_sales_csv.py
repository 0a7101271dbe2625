#!/usr/bin/env python
"""Export a company's daily sales (the sales report by day) to CSV."""

import csv
import sys

from _django import company_or_exit, report_arguments, setup

COLUMNS = [
    "day",
    "sales_count",
    "quantity",
    "gross_total",
    "discount_total",
    "tax_total",
    "refunds_total",
    "net_total",
]


def parse_args(argv=None):
    parser = report_arguments(__doc__)
    parser.add_argument("--out", default="-", help="CSV file to write (default: standard output)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup()
    from analytics.selectors import sales_report

    company = company_or_exit(args.company)
    report = sales_report(
        company=company, day_from=args.day_from, day_to=args.day_to, group_by="day"
    )
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")  # noqa: SIM115
    try:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in report["rows"]:
            writer.writerow([row["key"], *(row[column] for column in COLUMNS[1:])])
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
