from accounts.roles import CASHIER, MANAGER

ADD_SALE = "sales.add_sale"
VIEW_SALE = "sales.view_sale"
VOID_SALE = "sales.void_sale"
REFUND_SALE = "sales.refund_sale"
OVERRIDE_PRICE = "sales.override_price"
APPLY_DISCOUNT = "sales.apply_discount"
APPROVE_LARGE_DISCOUNT = "sales.approve_large_discount"
MANAGE_SHIFT = "sales.manage_shift"
VIEW_SHIFT = "sales.view_shift"

CASHIER_CODES = {ADD_SALE, VIEW_SALE, MANAGE_SHIFT, VIEW_SHIFT, APPLY_DISCOUNT}

DEFAULT_ROLE_GRANTS = {
    MANAGER: {*CASHIER_CODES, VOID_SALE, REFUND_SALE, OVERRIDE_PRICE, APPROVE_LARGE_DISCOUNT},
    CASHIER: CASHIER_CODES,
}
