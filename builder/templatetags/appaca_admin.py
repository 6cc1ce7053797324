"""The admin's banner (templates/admin/base_site.html): apps that sit on deprecated or retired models, and
apps that wait for someone to choose a model."""

from django import template

from builder.models import App
from builder.switching import models_ending_with_apps

register = template.Library()


@register.inclusion_tag("admin/lifecycle_banner.html", takes_context=True)
def lifecycle_banner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return {}
    ending = models_ending_with_apps()
    return {
        "ending": ending,
        "app_count": sum(e.app_count for e in ending),
        "waiting_count": App.objects.filter(needs_model=True).count(),
    }
