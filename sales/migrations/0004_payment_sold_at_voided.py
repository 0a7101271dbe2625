from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery


def copy_from_the_sales(apps, schema_editor):
    Sale = apps.get_model("sales", "Sale")
    Payment = apps.get_model("sales", "Payment")
    Payment.objects.update(
        sold_at=Subquery(Sale.objects.filter(pk=OuterRef("sale_id")).values("created_at")),
        voided=Exists(Sale.objects.filter(pk=OuterRef("sale_id"), status="voided")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_saleline_sold_at_voided"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="sold_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="payment",
            name="voided",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(copy_from_the_sales, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="payment",
            name="sold_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=Q(voided=False),
                fields=["company", "method", "sold_at"],
                include=["sale", "amount"],
                name="payment_report",
            ),
        ),
    ]
