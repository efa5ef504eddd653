from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CivbioConfig(AppConfig):
    default = True
    name = "civbio"
    verbose_name = "civbio"


class CivbioAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "civbio.admin.CivbioAdminSite"
