from django.urls import path

from haven.sponsorship import ledger_views, public_views

app_name = "ledger"
urlpatterns = [
    path("", public_views.page, name="page"),
    path("donors/", public_views.donor_lookup, name="donor_lookup"),
    path("open-data.<str:fmt>", public_views.open_data, name="open_data"),
    path("checkpoint", ledger_views.checkpoint, name="checkpoint"),
    path("keys", ledger_views.keys, name="keys"),
    path("entries", ledger_views.entries, name="entries"),
    path("proof/inclusion", ledger_views.inclusion, name="inclusion"),
    path("proof/consistency", ledger_views.consistency, name="consistency"),
    path("lookup", ledger_views.lookup, name="lookup"),
    path("cosign", ledger_views.cosign, name="cosign"),
]
