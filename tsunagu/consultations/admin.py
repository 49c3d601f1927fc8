"""Configuration of 包括的相談支援 kept by the system administrator (no case contents)."""

from django.contrib import admin

from tsunagu.accounts.admin import AuditedAdminMixin

from .models import EligibilityCriteria, HelpDeskRoute, IssueCategory


class HelpDeskRouteInline(admin.TabularInline):
    model = HelpDeskRoute
    extra = 1
    autocomplete_fields = ("agency",)


@admin.register(IssueCategory)
class IssueCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_entity = "issue_category"
    list_display = ("name", "code", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "code")
    inlines = (HelpDeskRouteInline,)

    def has_delete_permission(self, request, obj=None):
        return False  # categories stay for past consultations: deactivate instead


@admin.register(EligibilityCriteria)
class EligibilityCriteriaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_entity = "eligibility_criteria"
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EligibilityCriteria.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
