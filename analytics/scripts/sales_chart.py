#!/usr/bin/env python
"""Render a PNG with a company's daily net sales and its top products by net sales."""

import datetime as dt
import sys

from _django import company_or_exit, report_arguments, setup


def parse_args(argv=None):
    parser = report_arguments(__doc__)
    parser.add_argument("--top", type=int, default=10, help="how many products (default 10)")
    parser.add_argument("--out", required=True, help="PNG file to write")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup()
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from analytics.selectors import sales_report

    company = company_or_exit(args.company)
    window = {"company": company, "day_from": args.day_from, "day_to": args.day_to}
    days = sales_report(**window, group_by="day")["rows"]
    products = sales_report(**window, group_by="product")["rows"][: args.top]

    figure, (daily, top) = plt.subplots(2, 1, figsize=(10, 9), layout="constrained")
    daily.plot(
        [dt.date.fromisoformat(row["key"]) for row in days],
        [float(row["net_total"]) for row in days],  # floats for drawing only
        marker="o",
    )
    daily.set_title(f"{company.name}: daily net sales ({company.currency})")
    daily.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    daily.tick_params(axis="x", rotation=45)
    top.barh(
        [row["label"] for row in reversed(products)],
        [float(row["net_total"]) for row in reversed(products)],
    )
    top.set_title(f"Top {len(products)} products by net sales")
    figure.savefig(args.out, dpi=100)
    plt.close(figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
