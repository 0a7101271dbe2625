"""What a valid object id is, everywhere: a positive 64-bit integer."""

MAX_ID = 2**63 - 1
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# In URLs: at most 18 digits is always below MAX_ID; a longer id matches no route (404).
ID_URL_PATTERN = r"[0-9]{1,18}"


def parse_id(value) -> int | None:
    """The id, or None when the value can't be one (bools, floats, strings of non-digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)  # 19 digits hold MAX_ID; int() of thousands of digits raises
    else:
        return None
    return number if 1 <= number <= MAX_ID else None
