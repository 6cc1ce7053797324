from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def dashboard(request):
    return HttpResponse("Dashboard")


@login_required
def app_detail(request, pk):
    return HttpResponse("App")
