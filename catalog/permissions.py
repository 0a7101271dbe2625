from accounts.roles import CASHIER, MANAGER, STOCK_CLERK

VIEW_TAXRATE = "catalog.view_taxrate"
ADD_TAXRATE = "catalog.add_taxrate"
CHANGE_TAXRATE = "catalog.change_taxrate"
DELETE_TAXRATE = "catalog.delete_taxrate"
VIEW_CATEGORY = "catalog.view_category"
ADD_CATEGORY = "catalog.add_category"
CHANGE_CATEGORY = "catalog.change_category"
DELETE_CATEGORY = "catalog.delete_category"
VIEW_PRODUCT = "catalog.view_product"
ADD_PRODUCT = "catalog.add_product"
CHANGE_PRODUCT = "catalog.change_product"
DELETE_PRODUCT = "catalog.delete_product"
VIEW_CUSTOMER = "catalog.view_customer"
ADD_CUSTOMER = "catalog.add_customer"
CHANGE_CUSTOMER = "catalog.change_customer"
DELETE_CUSTOMER = "catalog.delete_customer"

VIEW_CATALOG = {VIEW_TAXRATE, VIEW_CATEGORY, VIEW_PRODUCT}

DEFAULT_ROLE_GRANTS = {
    MANAGER: {
        *VIEW_CATALOG,
        ADD_TAXRATE,
        CHANGE_TAXRATE,
        DELETE_TAXRATE,
        ADD_CATEGORY,
        CHANGE_CATEGORY,
        DELETE_CATEGORY,
        ADD_PRODUCT,
        CHANGE_PRODUCT,
        DELETE_PRODUCT,
        VIEW_CUSTOMER,
        ADD_CUSTOMER,
        CHANGE_CUSTOMER,
        DELETE_CUSTOMER,
    },
    CASHIER: {*VIEW_CATALOG, VIEW_CUSTOMER, ADD_CUSTOMER, CHANGE_CUSTOMER},
    STOCK_CLERK: VIEW_CATALOG,
}
