from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.access import markers
from haven.notifications.selectors import inbox_for

PAGE_SIZE = 50


@markers.authenticated
@require_GET
def inbox(request):
    page = Paginator(inbox_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page", 1))
    return render(request, "notifications/inbox.html", {"notifications": page.object_list, "page": page})
