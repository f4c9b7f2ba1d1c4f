from django.urls import path

from gallery import views

app_name = "gallery"
urlpatterns = [
    path("gallery/", views.gallery_list, name="list"),
    path("v/<uuid:video_id>/", views.video_page, name="video"),
    path("explore/", views.explore, name="explore"),
]
