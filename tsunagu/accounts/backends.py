"""Django's password sign-in without Django's per-model permissions.

Every permission of the application is a rule (``rules``, in each app's ``permissions.py``);
nothing grants Django's model permissions to a user or a group (the admin site shows neither).
Django's ``ModelBackend`` would still read both tables for every permission a rule refuses
— two queries on most pages — to find nothing. The backends here answer from the rules
alone; an active superuser keeps every permission (``User.has_perm`` answers that itself).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class NoModelPermissions:
    """Mixed into a backend derived from ``ModelBackend``: it grants no model permission."""

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return False


class PasswordBackend(NoModelPermissions, ModelBackend):
    """Signs in with the user ID and password (``ModelBackend.authenticate``)."""
