from tsunagu.common.links import cached_reverse

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user)
    path = request.path
    entries = []
    for item in items:
        url = cached_reverse(item.url_name)
        active = path == "/" if item.section == "/" else path.startswith(item.section)
        entries.append({"label": item.label, "url": url, "active": active})
    unread = 0
    if getattr(user, "is_authenticated", False):
        from .selectors import notification_unread_count

        unread = notification_unread_count(user=user)
    return {
        "nav_items": entries,
        "notification_unread": unread,
        "acting_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
    }
