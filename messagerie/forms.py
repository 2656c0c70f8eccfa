from crispy_forms.helper import FormHelper
from django import forms

from core.forms import CleanForm

ACCEPT = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); an empty list when none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ConversationForm(CleanForm):
    """ "Créer une demande"."""

    titre = forms.CharField(label="Titre", max_length=200)
    message = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 6}))
    pieces_jointes = MultipleFileField(
        label="Pièces jointes", help_text="PDF, PNG, JPG, DOCX ou XLSX ; plusieurs fichiers possibles."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReplyForm(CleanForm):
    message = forms.CharField(label="Votre réponse", widget=forms.Textarea(attrs={"rows": 4}))
    pieces_jointes = MultipleFileField(label="Pièces jointes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
