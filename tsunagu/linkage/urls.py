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
