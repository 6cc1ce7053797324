from django.http import HttpResponse


def app_page(request, slug):
    return HttpResponse("Public app")
