"""A view that tells which thread and which database connection served it."""

import threading

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from accounts.models import User

# The connection wrappers that served requests, to look at after the request.
served_by = []


def where(request):
    User.objects.exists()
    served_by.append(connection)
    return JsonResponse({"thread": threading.get_ident(), "connection": id(connection.connection)})


urlpatterns = [path("where", where)]
