"""`{% load rounding %}`: figures on pages written by civbio.rounding, the one rule for all.

`{{ amount|euros }}` whole euros, `{{ amount|cents }}` euros and cents, `{{ h|hours }}` hours
to one decimal, `{{ n|figure }}` a KPI figure or count ("< 5" where suppressed),
`{{ p|percent }}` a percentage already computed (civbio.rounding.percent), whole. Each writes
the number only, as the page's language writes it; the page puts "€" or "%" beside it."""

from django import template

from civbio import rounding

register = template.Library()


@register.filter
def euros(value) -> str:
    return rounding.written(value, 0)


@register.filter
def cents(value) -> str:
    return rounding.written(value, 2)


@register.filter
def hours(value) -> str:
    return rounding.written(value, 1)


@register.filter
def figure(value) -> str:
    return rounding.figure_written(value, 0)


@register.filter
def percent(value, places=0) -> str:
    return rounding.written(value, int(places))
