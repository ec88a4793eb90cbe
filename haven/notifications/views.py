from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.notifications.selectors import inbox_for


@markers.authenticated
@require_GET
def inbox(request):
    return render(request, "notifications/inbox.html", {"notifications": inbox_for(user=request.user)})
