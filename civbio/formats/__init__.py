"""Dates as each language writes them (FORMAT_MODULE_PATH); what is not named here is Django's.

Templates name these formats (`date:"SHORT_DATE_FORMAT"`) instead of spelling one out: Django's
`M` capitalises the month ("24 Nov 2026"), which is English; Dutch writes "24 nov 2026" (`b`).
"""
