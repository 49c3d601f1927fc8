from django.urls import path

from .views import imports, review

app_name = "linkage"

urlpatterns = [
    path("linkage/review/", review.review_list, name="review_list"),
    path("linkage/review/<int:pk>/", review.review_detail, name="review_detail"),
    path("linkage/review/<int:pk>/confirm/", review.review_confirm, name="review_confirm"),
    path("linkage/review/<int:pk>/reject/", review.review_reject, name="review_reject"),
    path("linkage/merges/", review.merge_list, name="merge_list"),
    path("linkage/merges/<int:pk>/", review.merge_detail, name="merge_detail"),
    path("linkage/merges/<int:pk>/unmerge/", review.merge_unmerge, name="merge_unmerge"),
    path("linkage/imports/", imports.import_list, name="import_list"),
    path("linkage/imports/new/", imports.import_new, name="import_new"),
    path("linkage/imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("linkage/imports/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("linkage/imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("linkage/imports/<int:pk>/resume/", imports.import_resume, name="import_resume"),
]
