from django.db import transaction

from .models import Centre


@transaction.atomic
def update_centre_fiche(*, centre: Centre, data: dict, by) -> Centre:
    """Save the centre's own fiche (the fields a centre may edit)."""
    locked = Centre.objects.select_for_update().get(pk=centre.pk)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*data.keys(), "updated_at"])
    return locked
