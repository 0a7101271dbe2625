from accounts.roles import CASHIER, MANAGER, STOCK_CLERK

CHANGE_SETTINGS = "companies.change_companysettings"
VIEW_LOCATION = "companies.view_location"
ADD_LOCATION = "companies.add_location"
CHANGE_LOCATION = "companies.change_location"
VIEW_REGISTER = "companies.view_register"
ADD_REGISTER = "companies.add_register"
CHANGE_REGISTER = "companies.change_register"

DEFAULT_ROLE_GRANTS = {
    MANAGER: {
        VIEW_LOCATION,
        ADD_LOCATION,
        CHANGE_LOCATION,
        VIEW_REGISTER,
        ADD_REGISTER,
        CHANGE_REGISTER,
    },
    CASHIER: {VIEW_LOCATION, VIEW_REGISTER},
    STOCK_CLERK: {VIEW_LOCATION},
}
