import django_filters
from django import forms

from tarifs.models import Produit

from .models import Session, SessionStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")


class SessionFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(label="Statut", choices=SessionStatus.choices, empty_label="Tous les statuts")
    produit = django_filters.ModelChoiceFilter(
        label="Produit", queryset=Produit.objects.order_by("nom"), empty_label="Tous les produits"
    )
    du = django_filters.DateFilter(label="Du", field_name="date", lookup_expr="gte", widget=DATE_WIDGET)
    au = django_filters.DateFilter(label="Au", field_name="date", lookup_expr="lte", widget=DATE_WIDGET)
    tri = django_filters.OrderingFilter(
        label="Trier par",
        fields=(("date", "date"), ("numero", "numero")),
        field_labels={"date": "Date", "numero": "N° session"},
        empty_label=None,
    )

    class Meta:
        model = Session
        fields = ["statut", "produit", "du", "au"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("statut", "produit", "tri"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Default order: the most recent dates first; ties by number.
        if not self.form.cleaned_data.get("tri"):
            queryset = queryset.order_by("-date", "-heure", "-numero")
        return queryset
