from django.db import models


class CentreScopedQuerySet(models.QuerySet):
    """Every queryset a centre-side view reads starts from `for_centre(centre)`.

    Subclasses name the path from the model to its centre in `centre_lookup`."""

    centre_lookup = "centre"

    def for_centre(self, centre):
        return self.filter(**{self.centre_lookup: centre})


def scoped_queryset(lookup: str):
    """A CentreScopedQuerySet subclass whose centre sits at `lookup` (e.g. "session__centre")."""
    return type(f"ScopedBy_{lookup}", (CentreScopedQuerySet,), {"centre_lookup": lookup})
