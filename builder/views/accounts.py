"""Sign up; the other account pages are Django's auth views with our templates."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render

from ..forms import SignUpForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("builder:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}. Start your first app below.")
        return redirect("builder:dashboard")
    return render(request, "registration/signup.html", {"form": form})
