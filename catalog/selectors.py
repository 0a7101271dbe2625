from companies.models import Company

from .models import Category


def category_with_descendants(*, company: Company, category_id: int) -> set[int]:
    """The category and every category under it, from one query of the company's tree."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.filter(company=company).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    if not any(category_id in ids for ids in children.values()):
        return set()
    found, pending = set(), [category_id]
    while pending:
        current = pending.pop()
        found.add(current)
        pending.extend(children.get(current, []))
    return found
