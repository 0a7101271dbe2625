"""A year of trading written straight into the sales tables, in SQL (minutes through the API).

The rows are what the services would have written: every sale numbered per register without
gaps, in a closed shift of its register and day, priced tax-included line by line, its totals
the sums of its lines, paid in cash (with change), by card, split or by transfer; one sale in
199 voided, one in 50 partly refunded (a unit of its first line, cash, not restocked); each
shift's expected cash is what its sales kept. Sales keep no stock movements: the history feeds
reports; the levels and their ledger are the seeded receipts' and the live sales'.
"""

import datetime as dt

from django.db import connection, transaction

# Each statement runs with the parameters of `history_write`; %% is a literal %.
STATEMENTS = [
    """
    CREATE TEMP TABLE bench_till ON COMMIT DROP AS
    SELECT t.idx - 1 AS idx, r.id AS register_id, r.receipt_prefix AS prefix, t.cashier_id
    FROM unnest(%(registers)s::bigint[], %(cashiers)s::bigint[]) WITH ORDINALITY
         AS t(register_id, cashier_id, idx)
    JOIN companies_register r ON r.id = t.register_id
    """,
    """
    CREATE TEMP TABLE bench_product ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY p.id) - 1 AS idx, p.id, p.name, p.price, p.cost,
           COALESCE(t.rate, 0) AS rate
    FROM catalog_product p LEFT JOIN catalog_taxrate t ON t.id = p.tax_rate_id
    WHERE p.company_id = %(company)s AND p.is_active
    """,
    # Sale n: register n mod R, its (n div R + 1)th receipt, on day n*days/N between 8:00 and
    # 21:00 local time.
    """
    CREATE TEMP TABLE bench_sale ON COMMIT DROP AS
    SELECT n, (n - 1) %% %(tills)s AS till, (n - 1) / %(tills)s + 1 AS sequence,
           ((n - 1) * %(days)s / %(sales)s)::int AS day,
           ((%(first_day)s::date + ((n - 1) * %(days)s / %(sales)s)::int) + time '08:00'
            + ((n - 1) * %(days)s %% %(sales)s) * interval '13 hours' / %(sales)s)
           AT TIME ZONE %(tz)s AS created_at
    FROM generate_series(1::bigint, %(sales)s) AS n
    """,
    # 1 to 7 distinct products a sale (4 on average), 1 to 3 units each.
    """
    CREATE TEMP TABLE bench_line ON COMMIT DROP AS
    SELECT s.n, k, row_number() OVER (ORDER BY s.n, k) AS line_no, p.id AS product_id, p.name,
           p.price, p.cost, p.rate, q.quantity, p.price * q.quantity AS total,
           round(p.price * q.quantity * p.rate / (100 + p.rate), 2) AS tax,
           (k = 1 AND s.n %% 50 = 0 AND s.n %% 199 <> 0) AS refunded
    FROM bench_sale s
    CROSS JOIN LATERAL generate_series(1, 1 + (s.n * 37) %% 7) AS k
    CROSS JOIN LATERAL (SELECT (1 + (s.n + k) %% 3)::numeric AS quantity) AS q
    JOIN bench_product p ON p.idx = ((s.n * 7 + k) * 7919) %% %(products)s
    """,
    """
    CREATE TEMP TABLE bench_total ON COMMIT DROP AS
    SELECT n, sum(total) AS total, sum(tax) AS tax, count(*) AS lines, sum(quantity) AS quantity,
           sum(CASE WHEN refunded THEN round(total / quantity, 2) ELSE 0 END) AS refunded,
           bool_or(refunded AND quantity = 1) AND count(*) = 1 AS fully_refunded,
           CASE WHEN n %% 10 < 6 THEN ceil(sum(total) / 10) * 10 - sum(total) ELSE 0 END
               AS change
    FROM bench_line GROUP BY n
    """,
    """
    INSERT INTO sales_shift (id, company_id, register_id, status, opened_by_id, opened_at,
                             opening_cash, closed_by_id, closed_at, counted_cash,
                             expected_cash, difference)
    SELECT %(shift_base)s + d * %(tills)s + t.idx + 1, %(company)s, t.register_id, 'closed',
           t.cashier_id, ((%(first_day)s::date + d) + time '07:55') AT TIME ZONE %(tz)s,
           1000, t.cashier_id, ((%(first_day)s::date + d) + time '23:00') AT TIME ZONE %(tz)s,
           1000, 1000, 0
    FROM generate_series(0, %(days)s - 1) AS d CROSS JOIN bench_till t
    """,
    """
    INSERT INTO sales_sale (id, company_id, register_id, shift_id, cashier_id, receipt_sequence,
                            receipt_number, status, note, discount_percent, subtotal,
                            discount_total, tax_total, total, paid_total, change,
                            refunded_total, quantity, created_at, voided_at, voided_by_id,
                            void_reason)
    SELECT %(sale_base)s + s.n, %(company)s, t.register_id,
           %(shift_base)s + s.day * %(tills)s + s.till + 1, t.cashier_id, s.sequence,
           t.prefix || '-' || lpad(s.sequence::text, 6, '0'),
           CASE WHEN s.n %% 199 = 0 THEN 'voided'
                WHEN a.fully_refunded THEN 'refunded'
                WHEN a.refunded > 0 THEN 'partially_refunded'
                ELSE 'completed' END,
           '', 0, a.total - a.tax, 0, a.tax, a.total, a.total + a.change, a.change, a.refunded,
           a.quantity, s.created_at,
           CASE WHEN s.n %% 199 = 0 THEN s.created_at + interval '5 minutes' END,
           CASE WHEN s.n %% 199 = 0 THEN %(admin)s END,
           CASE WHEN s.n %% 199 = 0 THEN 'Error de captura' ELSE '' END
    FROM bench_sale s JOIN bench_total a USING (n) JOIN bench_till t ON t.idx = s.till
    """,
    """
    INSERT INTO sales_saleline (id, company_id, sale_id, product_id, name, quantity, unit_price,
                                unit_cost, tax_rate, discount_percent, discount_amount,
                                tax_amount, total, refunded_quantity, refunded_amount, sold_at,
                                voided)
    SELECT %(line_base)s + line_no, %(company)s, %(sale_base)s + n, product_id, name, quantity,
           price, cost, rate, 0, 0, tax, total,
           CASE WHEN refunded THEN 1 ELSE 0 END,
           CASE WHEN refunded THEN round(total / quantity, 2) ELSE 0 END,
           s.created_at, n %% 199 = 0
    FROM bench_line JOIN bench_sale s USING (n)
    """,
    # Cash (with change) for n mod 10 < 6, card for 6 and 7, half and half for 8, transfer 9.
    """
    INSERT INTO sales_payment (company_id, sale_id, method, amount, reference, sold_at, voided)
    SELECT %(company)s, %(sale_base)s + n, p.method, p.amount, p.reference, s.created_at,
           n %% 199 = 0
    FROM bench_total JOIN bench_sale s USING (n)
    CROSS JOIN LATERAL (
        SELECT 'cash' AS method, total + change AS amount, '' AS reference WHERE n %% 10 < 6
        UNION ALL SELECT 'card', total, 'AUTH' || n WHERE n %% 10 IN (6, 7)
        UNION ALL SELECT 'card', round(total / 2, 2), 'AUTH' || n WHERE n %% 10 = 8
        UNION ALL SELECT 'cash', total - round(total / 2, 2), '' WHERE n %% 10 = 8
        UNION ALL SELECT 'transfer', total, 'SPEI' || n WHERE n %% 10 = 9
    ) AS p
    """,
    """
    INSERT INTO sales_refund (id, company_id, sale_id, register_id, shift_id, user_id, reason,
                              restock, method, total, created_at)
    SELECT %(refund_base)s + l.n, %(company)s, %(sale_base)s + l.n, t.register_id,
           %(shift_base)s + s.day * %(tills)s + s.till + 1, %(admin)s, 'Producto dañado',
           false, 'cash', round(l.total / l.quantity, 2), s.created_at + interval '1 hour'
    FROM bench_line l JOIN bench_sale s USING (n) JOIN bench_till t ON t.idx = s.till
    WHERE l.refunded
    """,
    """
    INSERT INTO sales_refundline (company_id, refund_id, sale_line_id, product_id, quantity,
                                  total)
    SELECT %(company)s, %(refund_base)s + n, %(line_base)s + line_no, product_id, 1,
           round(total / quantity, 2)
    FROM bench_line WHERE refunded
    """,
    # Expected cash: opening + cash tendered - change of the sales kept - cash refunds.
    """
    UPDATE sales_shift sh
    SET expected_cash = sh.opening_cash + k.cash - COALESCE(r.cash, 0),
        counted_cash = sh.opening_cash + k.cash - COALESCE(r.cash, 0)
    FROM (
        SELECT s.shift_id, sum(COALESCE(p.cash, 0) - s.change) AS cash
        FROM sales_sale s
        LEFT JOIN (
            SELECT sale_id, sum(amount) AS cash FROM sales_payment
            WHERE method = 'cash' AND sale_id > %(sale_base)s GROUP BY sale_id
        ) p ON p.sale_id = s.id
        WHERE s.id > %(sale_base)s AND s.status <> 'voided'
        GROUP BY s.shift_id
    ) k
    LEFT JOIN (
        SELECT shift_id, sum(total) AS cash FROM sales_refund
        WHERE id > %(refund_base)s AND method = 'cash' GROUP BY shift_id
    ) r USING (shift_id)
    WHERE sh.id = k.shift_id
    """,
    """
    UPDATE companies_register r SET receipt_counter = c.last
    FROM (SELECT register_id, max(receipt_sequence) AS last FROM sales_sale
          WHERE id > %(sale_base)s GROUP BY register_id) c
    WHERE r.id = c.register_id
    """,
]

TABLES = ["sales_shift", "sales_sale", "sales_saleline", "sales_payment", "sales_refund"]


def _next_ids(cursor) -> dict:
    bases = {}
    for table, name in [
        ("sales_shift", "shift_base"),
        ("sales_sale", "sale_base"),
        ("sales_saleline", "line_base"),
        ("sales_refund", "refund_base"),
    ]:
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")  # noqa: S608 - our names
        bases[name] = cursor.fetchone()[0]
    return bases


def history_write(*, shop, lines: int, days: int, today: dt.date, timezone: str) -> int:
    """About `lines` sale lines over the `days` days before `today`; returns the lines made."""
    tills = shop.tills
    with transaction.atomic(), connection.cursor() as cursor:
        params = {
            **_next_ids(cursor),
            "company": shop.company_id,
            "admin": shop.admin_id,
            "registers": [till.register_id for till in tills],
            "cashiers": [till.cashier_id for till in tills],
            "tills": len(tills),
            "products": len(shop.products),
            "sales": max(1, lines // 4),
            "days": days,
            "first_day": today - dt.timedelta(days=days),
            "tz": timezone,
        }
        for statement in STATEMENTS:
            cursor.execute(statement, params)
        for table in TABLES:
            last = f"SELECT max(id) FROM {table}"  # noqa: S608 - our table names
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({last}))", [table])
        cursor.execute("SELECT count(*) FROM bench_line")
        made = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    return made
