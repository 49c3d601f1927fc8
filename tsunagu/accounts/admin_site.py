"""The admin site opens to the system-administrator role, not to a Django flag."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class TsunaguAdminSite(admin.AdminSite):
    site_header = "tsunagu システム管理"
    site_title = "tsunagu 管理"
    index_title = "利用者・支援関係機関の管理"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.has_perm("accounts.use_admin_site"))


class TsunaguAdminConfig(AdminConfig):
    default_site = "tsunagu.accounts.admin_site.TsunaguAdminSite"
