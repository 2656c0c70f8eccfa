from rest_framework import serializers

from core.text import clean

from .models import ApiToken


class CleanInputSerializer(serializers.Serializer):
    """What a client sends: every text field through the one normaliser (core.text.clean) before any validator,
    as every form of the portal does (core.forms). Passwords are compared as typed."""

    def to_internal_value(self, data):
        if hasattr(data, "copy") and hasattr(data, "get"):
            data = data.copy()
            for name, field in self.fields.items():
                if (
                    isinstance(field, serializers.CharField)
                    and field.style.get("input_type") != "password"
                    and isinstance(data.get(name), str)
                ):
                    data[name] = clean(data[name])
        return super().to_internal_value(data)


class TokenRequestSerializer(CleanInputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class NewTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="Affiché une seule fois : conservez-le.")
    expires_at = serializers.DateTimeField()


class TokenSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    revoked = serializers.BooleanField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "email", "created_at", "expires_at", "last_used_at", "revoked"]


class SessionSerializer(serializers.Serializer):
    numero = serializers.IntegerField()
    centre = serializers.CharField(source="centre.code")
    produit = serializers.CharField(source="produit.nom")
    date = serializers.DateField()
    heure = serializers.TimeField()
    lieu = serializers.CharField()
    statut = serializers.CharField()


class EpreuveSerializer(serializers.Serializer):
    code = serializers.CharField(source="epreuve.code")
    absent = serializers.BooleanField()
    dispense = serializers.BooleanField()


class InscriptionSerializer(serializers.Serializer):
    numero = serializers.IntegerField()
    nom = serializers.CharField(source="candidat.nom")
    prenom = serializers.CharField(source="candidat.prenom")
    virtuel = serializers.BooleanField()
    statut = serializers.CharField()
    photo = serializers.SerializerMethodField()
    signature = serializers.SerializerMethodField()
    enregistrement_eo = serializers.SerializerMethodField()
    epreuves = EpreuveSerializer(many=True)

    def get_photo(self, obj) -> bool:
        return bool(obj.photo)

    def get_signature(self, obj) -> bool:
        return bool(obj.signature)

    def get_enregistrement_eo(self, obj) -> bool:
        return bool(obj.enregistrement_eo)


class UploadSerializer(serializers.Serializer):
    fichier = serializers.FileField()


class UploadResultSerializer(serializers.Serializer):
    numero = serializers.IntegerField()
    changed = serializers.BooleanField(
        help_text="Faux quand le même fichier était déjà enregistré (nouvel essai)."
    )


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
