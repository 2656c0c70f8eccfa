import django_filters

from core.forms import CleanForm

from .models import Gamme, Produit


class ProduitFilter(django_filters.FilterSet):
    produit = django_filters.ModelChoiceFilter(
        label="Produit",
        method="filter_produit",
        queryset=Produit.objects.order_by("nom"),
        empty_label="Produit",
    )
    gamme = django_filters.ChoiceFilter(label="Gamme", choices=Gamme.choices, empty_label="Gamme")
    modulaire = django_filters.ChoiceFilter(
        label="Modulaire",
        choices=[("1", "Oui"), ("0", "Non")],
        method="filter_modulaire",
        empty_label="Modulaire",
    )
    statut = django_filters.ChoiceFilter(label="Statut", choices=Produit.Statut.choices, empty_label="Statut")

    class Meta:
        model = Produit
        form = CleanForm  # text typed in a filter goes through the one normaliser too
        fields = ["produit", "gamme", "modulaire", "statut"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter_produit(self, queryset, name, value):
        return queryset.filter(pk=value.pk)

    def filter_modulaire(self, queryset, name, value):
        return queryset.filter(modulaire=value == "1")
