"""Thin views: parse, check access, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.access import markers
from haven.access.policy import Verb
from haven.access.scoping import NotVisible, acting_membership, can, require
from haven.audit.services import record
from haven.core.errors import add_to_form, messages_of
from haven.core.limits import SEARCH_MAX_CHARS
from haven.linkage.selectors import register_status
from haven.people import searches, selectors, services
from haven.people.cases import cases_of
from haven.people.forms import ChildForm, CircumstanceForm, OpinionForm, SiblingForm


def _add_errors(form, error: ValidationError) -> None:
    add_to_form(form, error)


@markers.requires(Verb.CHILD_VIEW)
@require_http_methods(["GET", "POST"])
def child_list(request):
    """A search is posted, never put in the address (a name or a PIN would reach the access logs);
    the address then carries an opaque token for it, for paging and going back."""
    if request.method == "POST":
        token = searches.remember(request, request.POST.get("q", ""))
        found = f"{reverse('people:list')}?s={token}"
        if not request.headers.get("HX-Request"):
            return HttpResponseRedirect(found, status=303)  # see other: the results, by GET
        query, page = searches.recall(request, token), 1
    else:
        token = request.GET.get("s", "")
        query, page = searches.recall(request, token), request.GET.get("page", 1)
    search = _search(request, query, page)
    context = {"search": search, "token": token, "can_create": can(request.user, Verb.CHILD_CREATE)}
    if request.headers.get("HX-Request"):
        response = render(request, "people/_results.html", context)
        if request.method == "POST":
            response["HX-Push-Url"] = found
        return response
    return render(request, "people/list.html", context)


@markers.requires(Verb.CHILD_VIEW)
@require_GET
def child_detail(request, child_id):
    child = selectors.child_for_viewing(user=request.user, child_id=child_id)
    return render(
        request,
        "people/detail.html",
        {
            "child": child,
            # The child's cases in the pathways the user may see (walkthrough D26).
            "cases": cases_of(user=request.user, child=child),
            "circumstances": child.circumstances.all(),
            "siblings": selectors.siblings_of(user=request.user, child=child),
            "opinions": child.opinions.all(),
            "involvements": child.involvements.current().select_related("organisation"),
            "can_update": _may(request.user, Verb.CHILD_UPDATE, child),
            "can_read_log": selectors.can_read_access_log(request.user, child),
            "can_export": _may(request.user, Verb.CHILD_EXPORT, child),
            "can_reveal_pin": _may(request.user, Verb.CHILD_PIN_REVEAL, child),
            "register": register_status(child),
            "can_review_links": _may(request.user, Verb.LINKAGE_REVIEW, child),
        },
    )


def _may(user, verb, child) -> bool:
    try:
        require(user, verb, child)
    except NotVisible:
        return False
    return True


@markers.requires(Verb.CHILD_PIN_REVEAL)
@require_POST
def pin_reveal(request, child_id):
    """The full PIN, shown on request only to those who handle the child's papers; audited."""
    child = selectors.child_for_viewing(user=request.user, child_id=child_id, reason="pin")
    membership = require(request.user, Verb.CHILD_PIN_REVEAL, child)
    record(actor=request.user, action="child.pin_reveal", obj=child, organisation=membership.organisation)
    return render(request, "people/_pin.html", {"child": child})


@markers.requires(Verb.CHILD_CREATE)
@require_http_methods(["GET", "POST"])
def child_create(request):
    membership = acting_membership(request.user, Verb.CHILD_CREATE)
    form = ChildForm(
        request.POST if request.method == "POST" else None, province=membership.organisation.area.province
    )
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The child's record was created."))
            return redirect("people:detail", child.pk)
    return render(request, "people/form.html", {"form": form, "title": _("Register a child")})


@markers.requires(Verb.CHILD_UPDATE)
@require_http_methods(["GET", "POST"])
def child_edit(request, child_id):
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    initial = {f: getattr(child, f) for f in services.EDITABLE}
    initial["province"] = child.current_commune.parent_id
    form = ChildForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        province=child.current_commune.parent,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        pin = fields.pop("pin") or None
        try:
            services.child_update(actor=request.user, child=child, pin=pin, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("people:detail", child.pk)
    return render(request, "people/form.html", {"form": form, "child": child, "title": _("Edit the record")})


@markers.requires(Verb.CHILD_EXPORT)
@require_GET
def child_export(request, child_id):
    data = selectors.child_export(user=request.user, child_id=child_id)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="child-{child_id}.json"'
    return response


@markers.requires(Verb.CHILD_ACCESS_LOG)
@require_GET
def access_log(request, child_id):
    child, events = selectors.access_log(user=request.user, child_id=child_id)
    return render(request, "people/access_log.html", {"child": child, "events": events})


@markers.requires(Verb.CHILD_UPDATE)
@require_http_methods(["GET", "POST"])
def circumstance_add(request, child_id):
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    form = CircumstanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.circumstance_add(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The group was recorded."))
            return redirect("people:detail", child.pk)
    return render(
        request,
        "people/subform.html",
        {"form": form, "child": child, "title": _("Add a special circumstance")},
    )


@markers.requires(Verb.CHILD_UPDATE)
@require_http_methods(["GET", "POST"])
def opinion_add(request, child_id):
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    form = OpinionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_record(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The child's view was recorded."))
            return redirect("people:detail", child.pk)
    return render(
        request, "people/subform.html", {"form": form, "child": child, "title": _("Record the child's view")}
    )


@markers.requires(Verb.CHILD_UPDATE)
@require_http_methods(["GET", "POST"])
def sibling_add(request, child_id):
    child = selectors.child_for_update(user=request.user, child_id=child_id)
    if request.method == "POST" and "q" in request.POST:
        # A search, posted so that the name stays out of the address; the address gets its token.
        token = searches.remember(request, request.POST["q"])
        found = f"{reverse('people:sibling_add', args=[child.pk])}?s={token}"
        return HttpResponseRedirect(found, status=303)
    form = SiblingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        sibling = selectors.child_for_update(user=request.user, child_id=request.POST.get("sibling"))
        try:
            services.sibling_link(
                actor=request.user, child=child, sibling=sibling, kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The siblings were linked."))
            return redirect("people:detail", child.pk)
    query = searches.recall(request, request.GET.get("s"))
    search = _search(request, query) if query else None
    return render(
        request,
        "people/sibling_add.html",
        {
            "form": form,
            "child": child,
            "query": search.query if search else "",
            "candidates": search.page if search else None,
            "problem": search.problem if search else "",
        },
    )


def _search(request, query: str, page: int | str = 1) -> selectors.ChildSearch:
    """The children matching the query typed; a query longer than a name is answered with why, and
    searches nothing."""
    try:
        return selectors.child_search(user=request.user, query=query, page=page)
    except ValidationError as refused:
        return selectors.ChildSearch(query=query[:SEARCH_MAX_CHARS], page=None, problem=messages_of(refused))
