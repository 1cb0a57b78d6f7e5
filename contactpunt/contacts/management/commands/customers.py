"""`contactpunt customers`: a customer's data as a whole, from the command line (audited like the page and the API).

- ``export ID [--out FILE] [--reason TEXT]``: everything stored about customer ID as JSON, to FILE or stdout.
- ``erase ID --reason TEXT``: erase the customer's personal data everywhere (the event log of ids and times stays);
  the reason is required and audited.
"""

from __future__ import annotations

import getpass
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contactpunt.contacts.services.privacy import erase_customer, export_customer
from contactpunt.customers.models import Customer


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"command line ({user})"[:150]


class Command(BaseCommand):
    help = "Export or erase one customer's data: `customers export ID` or `customers erase ID --reason TEXT`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        export = commands.add_parser("export", help="Everything stored about the customer, as JSON.")
        export.add_argument("customer_id", type=int)
        export.add_argument("--out", type=Path, help="Write the JSON to this file instead of standard output.")
        export.add_argument("--reason", default="", help="Why the export is made (audited).")
        erase = commands.add_parser("erase", help="Erase the customer's personal data everywhere.")
        erase.add_argument("customer_id", type=int)
        erase.add_argument("--reason", required=True, help="Why the customer is erased (required, audited).")

    def _customer(self, pk: int) -> Customer:
        customer = Customer.objects.filter(pk=pk).first()
        if customer is None:
            raise CommandError(f"there is no customer {pk}")
        return customer

    def handle(self, *args: Any, **options: Any) -> None:
        customer = self._customer(options["customer_id"])
        if options["command"] == "export":
            data = export_customer(customer, by=None, reason=options["reason"], actor_label=_actor())
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            if options["out"] is not None:
                options["out"].write_text(text, encoding="utf-8")
                self.stderr.write(f"customer {customer.pk} exported to {options['out']}")
            else:
                self.stdout.write(text, ending="")
            return
        reason = options["reason"].strip()
        if not reason:
            raise CommandError("give a reason: --reason TEXT")
        erase_customer(customer=customer, by=None, reason=reason, actor_label=_actor())
        self.stdout.write(f"customer {customer.pk} erased")
