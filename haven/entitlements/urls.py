from django.urls import path

from haven.entitlements import (
    payments_views,
    payroll_views,
    rule_views,
    school_views,
    statement_views,
    views,
)

app_name = "entitlements"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", rule_views.rules, name="rules"),
    path("rules/amounts/new/", rule_views.parameter_new, name="parameter_new"),
    path("rules/amounts/<int:pk>/", rule_views.parameter_edit, name="parameter_edit"),
    path("rules/coefficients/new/", rule_views.rule_new, name="rule_new"),
    path("rules/coefficients/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("applications/<uuid:application_id>/", views.application, name="application"),
    path("applications/<uuid:application_id>/<slug:step>/", views.step, name="step"),
    path("payroll/", payroll_views.payrolls, name="payrolls"),
    path("payroll/<uuid:run_id>/", payroll_views.payroll, name="payroll"),
    path("payroll/<uuid:run_id>/provider.<str:fmt>", payroll_views.provider_list, name="provider_list"),
    path("payroll/<uuid:run_id>/return/", payroll_views.payroll_return, name="payroll_return"),
    path("payroll/<uuid:run_id>/<slug:action>/", payroll_views.payroll_step, name="payroll_step"),
    path("children/<uuid:child_id>/", views.child, name="child"),
    path("children/<uuid:child_id>/payment/", payments_views.payment_method, name="payment_method"),
    path("children/<uuid:child_id>/health-card/", payments_views.health_card, name="health_card"),
    path("children/<uuid:child_id>/statement/", statement_views.statement, name="statement"),
    path("children/<uuid:child_id>/statement.pdf", statement_views.statement_pdf, name="statement_pdf"),
    path("health-insurance/", payments_views.health_alerts, name="health_alerts"),
    path("school-support/", school_views.school_support, name="school_support"),
    path("children/<uuid:child_id>/apply/", views.apply, name="apply"),
    path("children/<uuid:child_id>/move/", views.move, name="move"),
    path("children/<uuid:child_id>/<slug:kind>/", views.change, name="change"),
]
