from decimal import Decimal

from django.db import migrations, models
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def sum_the_lines(apps, schema_editor):
    Sale = apps.get_model("sales", "Sale")
    SaleLine = apps.get_model("sales", "SaleLine")
    quantity = (
        SaleLine.objects.filter(sale=OuterRef("pk"))
        .values("sale")
        .annotate(q=Sum("quantity"))
        .values("q")
    )
    Sale.objects.update(
        quantity=Coalesce(
            Subquery(quantity),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=12, decimal_places=3),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sale",
            name="quantity",
            field=models.DecimalField(decimal_places=3, default=Decimal("0"), max_digits=12),
        ),
        migrations.RunPython(sum_the_lines, migrations.RunPython.noop, elidable=True),
    ]
