from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from ledger import selectors
        from reports import figures, tasks  # noqa: F401 (tasks: registered for services._send)

        # A partner's own ledger page shows its pledge and what it realised, as every figure:
        # from reports.figures (the ledger sits below reports and cannot import it).
        selectors.provide_partner_ledger(figures.partner_ledger)
