from decimal import Decimal

import factory

from catalog.models import Category, Customer, Product, TaxRate
from tests.factories import CompanyFactory


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    rate = Decimal("16.00")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = Decimal("10.00")
    cost = Decimal("6.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
