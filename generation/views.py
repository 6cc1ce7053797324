from django.db import connection
from django.http import JsonResponse


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


def run_status(request, run_id):
    return JsonResponse({})


def image_original(request, run_id, index):
    return JsonResponse({})


def image_thumb(request, run_id, index):
    return JsonResponse({})
