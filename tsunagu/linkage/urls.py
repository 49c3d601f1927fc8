from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("linkage/review/", views.review_list, name="review_list"),
    path("linkage/review/<int:pk>/", views.review_detail, name="review_detail"),
    path("linkage/review/<int:pk>/confirm/", views.review_confirm, name="review_confirm"),
    path("linkage/review/<int:pk>/reject/", views.review_reject, name="review_reject"),
    path("linkage/merges/", views.merge_list, name="merge_list"),
    path("linkage/merges/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("linkage/merges/<int:pk>/unmerge/", views.merge_unmerge, name="merge_unmerge"),
]

from . import import_views  # noqa: E402

urlpatterns += [
    path("linkage/imports/", import_views.import_list, name="import_list"),
    path("linkage/imports/new/", import_views.import_new, name="import_new"),
    path("linkage/imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("linkage/imports/<int:pk>/mapping/", import_views.import_mapping, name="import_mapping"),
    path(
        "linkage/imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"
    ),
]
