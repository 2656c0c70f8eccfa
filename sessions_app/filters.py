import django_filters
from django import forms

from core.forms import CleanForm
from tarifs.models import Produit

from .models import Session, SessionStatus

DATE_WIDGET = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)


# The default (no "tri"): the most recent dates first, set by the view.
DEFAULT_SORT = ("-date", "-heure", "-numero")
SORTS = {"date": ("date", "heure", "numero"), "numero": ("numero",), "-numero": ("-numero",)}


class SessionFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=SessionStatus.choices, empty_label="Tous les statuts"
    )
    produit = django_filters.ModelChoiceFilter(
        label="Produit", queryset=Produit.objects.order_by("nom"), empty_label="Tous les produits"
    )
    du = django_filters.DateFilter(label="Du", field_name="date", lookup_expr="gte", widget=DATE_WIDGET)
    au = django_filters.DateFilter(label="Au", field_name="date", lookup_expr="lte", widget=DATE_WIDGET)
    tri = django_filters.ChoiceFilter(
        label="Trier par",
        method="sort",
        empty_label="Date (récentes d'abord)",
        choices=[
            ("date", "Date (anciennes d'abord)"),
            ("-numero", "N° session décroissant"),
            ("numero", "N° session croissant"),
        ],
    )

    class Meta:
        model = Session
        form = CleanForm  # text typed in a filter goes through the one normaliser too
        fields = ["statut", "produit", "du", "au"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("statut", "produit", "tri"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])
