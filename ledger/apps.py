from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Contributions")

    def ready(self):
        from activities import reminders
        from activities.signals import activity_delivered
        from ledger import selectors

        # A delivered activity proposes its host's hours, once its delivery has committed.
        activity_delivered.connect(propose_hours, dispatch_uid="ledger.propose_hours")
        # Hours proposed and not confirmed after a week: a reminder to the partner.
        reminders.register_finder(selectors.unconfirmed_hours)


def propose_hours(sender, *, activity, request=None, **kwargs) -> None:
    from ledger.services import propose_for_delivery

    propose_for_delivery(activity=activity, request=request)
