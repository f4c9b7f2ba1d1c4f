from django.urls import path

from studio import library_views, views

app_name = "studio"
urlpatterns = [
    path("", views.home, name="home"),
    path("studio/", views.studio, name="studio"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("library/", library_views.library, name="library"),
]
