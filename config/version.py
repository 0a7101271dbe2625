from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("pos-backend")
except PackageNotFoundError:  # running from a checkout that was not pip-installed
    VERSION = "0.1.0"
