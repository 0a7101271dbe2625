"""Row locks of sales, taken inside the caller's transaction.

Lock order, everywhere: register (companies' helper), then shift, then sale, then stock levels
(inventory's helper), so two documents never wait on each other in opposite orders. Whatever
reads or changes a shift's state holds its register's lock first.
"""

from .models import Sale, Shift


def shift_lock(shift_id: int) -> Shift:
    return Shift.objects.select_for_update().get(pk=shift_id)


def sale_lock(sale_id: int) -> Sale:
    return Sale.objects.select_for_update().get(pk=sale_id)
