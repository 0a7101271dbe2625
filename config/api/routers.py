from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Routes answer with or without a trailing slash (`/products` and `/products/`)."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
