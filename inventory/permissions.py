from accounts.roles import CASHIER, MANAGER, STOCK_CLERK

VIEW_STOCKLEVEL = "inventory.view_stocklevel"
VIEW_STOCKMOVEMENT = "inventory.view_stockmovement"
RECEIVE_STOCK = "inventory.receive_stock"
ADJUST_STOCK = "inventory.adjust_stock"
TRANSFER_STOCK = "inventory.transfer_stock"
COUNT_STOCK = "inventory.count_stock"

ALL_STOCK = {
    VIEW_STOCKLEVEL,
    VIEW_STOCKMOVEMENT,
    RECEIVE_STOCK,
    ADJUST_STOCK,
    TRANSFER_STOCK,
    COUNT_STOCK,
}

# Cashiers see stock levels (to tell a customer what is on the shelf), nothing else.
DEFAULT_ROLE_GRANTS = {
    MANAGER: ALL_STOCK,
    STOCK_CLERK: ALL_STOCK,
    CASHIER: {VIEW_STOCKLEVEL},
}
