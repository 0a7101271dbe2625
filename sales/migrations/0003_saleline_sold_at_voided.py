from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery


def copy_from_the_sales(apps, schema_editor):
    Sale = apps.get_model("sales", "Sale")
    SaleLine = apps.get_model("sales", "SaleLine")
    SaleLine.objects.update(
        sold_at=Subquery(Sale.objects.filter(pk=OuterRef("sale_id")).values("created_at")),
        voided=Exists(Sale.objects.filter(pk=OuterRef("sale_id"), status="voided")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_sale_quantity"),
    ]

    operations = [
        migrations.AddField(
            model_name="saleline",
            name="sold_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="saleline",
            name="voided",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(copy_from_the_sales, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="saleline",
            name="sold_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="saleline",
            index=models.Index(
                condition=Q(voided=False),
                fields=["company", "product", "sold_at"],
                include=["sale", "quantity", "total", "discount_amount", "tax_amount"],
                name="saleline_report",
            ),
        ),
    ]
