"""The consortium as the source document names it: the seed that `load_consortium` puts in place.

This is data for a first load, not code the app depends on: coordinators add and retire partners
afterwards, and loading again never overwrites what they changed.
"""

from datetime import date
from decimal import Decimal
from typing import TypedDict


class ProjectSeed(TypedDict):
    name: str
    name_en: str
    short_name: str
    summary: str
    summary_en: str
    applied_on: date
    start_date: date
    end_date: date
    grant_amount: Decimal
    total_budget: Decimal
    hourly_rate: Decimal


class LineSeed(TypedDict):
    number: int
    slug: str
    name: str
    name_en: str
    summary: str
    summary_en: str
    description: str
    description_en: str


# (name, short name, slug, kind, co-financing category, city, website)
LEAD_APPLICANT = (
    "mboRijnland",
    "mboRijnland",
    "mborijnland",
    "education",
    "not_counted",
    "Leiden",
    "https://www.mborijnland.nl",
)

PARTNERS = [
    # Work field (werkveld)
    ("Janssen Biologics", "Janssen", "janssen-biologics", "work_field", "employer", "Leiden", ""),
    ("Bristol Myers Squibb", "BMS", "bristol-myers-squibb", "work_field", "employer", "Leiden", ""),
    ("Avery Dennison", "Avery Dennison", "avery-dennison", "work_field", "employer", "Leiden", ""),
    ("BaseClear", "BaseClear", "baseclear", "work_field", "employer", "Leiden", ""),
    ("CellPoint", "CellPoint", "cellpoint", "work_field", "employer", "Leiden", ""),
    ("Eurofins", "Eurofins", "eurofins", "work_field", "employer", "Leiden", ""),
    ("Mimetas", "Mimetas", "mimetas", "work_field", "employer", "Oegstgeest", ""),
    (
        "HAL Allergy/Halix",
        "HAL Allergy",
        "hal-allergy-halix",
        "work_field",
        "employer",
        "Leiden",
        "",
    ),
    ("LUMC", "LUMC", "lumc", "work_field", "employer", "Leiden", ""),
    (
        "Naturalis Biodiversity Center",
        "Naturalis",
        "naturalis",
        "work_field",
        "employer",
        "Leiden",
        "",
    ),
    (
        "Hoogheemraadschap van Rijnland",
        "Rijnland",
        "hoogheemraadschap-van-rijnland",
        "work_field",
        "employer",
        "Leiden",
        "",
    ),
    # Education (onderwijs)
    ("Hogeschool Leiden", "HS Leiden", "hogeschool-leiden", "education", "other", "Leiden", ""),
    (
        "Leidse Instrumentmakers School",
        "LiS",
        "leidse-instrumentmakers-school",
        "education",
        "other",
        "Leiden",
        "",
    ),
    ("ROC Midden Nederland", "ROC MN", "roc-midden-nederland", "education", "other", "Utrecht", ""),
    (
        "Techniek College Rotterdam",
        "TCR",
        "techniek-college-rotterdam",
        "education",
        "other",
        "Rotterdam",
        "",
    ),
    (
        "Consortium Beroepsonderwijs",
        "Consortium BO",
        "consortium-beroepsonderwijs",
        "education",
        "other",
        "",
        "",
    ),
    ("TechnoLab", "TechnoLab", "technolab", "education", "other", "Leiden", ""),
    (
        "Biotech Training Facility",
        "BTF",
        "biotech-training-facility",
        "education",
        "other",
        "Leiden",
        "",
    ),
    # Support (ondersteunend)
    ("Stichting LBSP", "LBSP", "stichting-lbsp", "support", "other", "Leiden", ""),
    (
        "Ondernemersvereniging Bio Science Park",
        "OBSP",
        "ondernemersvereniging-bio-science-park",
        "support",
        "employer",
        "Leiden",
        "",
    ),
    ("BioPartner", "BioPartner", "biopartner", "support", "employer", "Leiden", ""),
    (
        "Vereniging Innovatieve Geneesmiddelen",
        "VIG",
        "vereniging-innovatieve-geneesmiddelen",
        "support",
        "employer",
        "Den Haag",
        "",
    ),
    ("Randstad", "Randstad", "randstad", "support", "employer", "", ""),
    # Government (overheden)
    (
        "Regio Holland Rijnland",
        "Holland Rijnland",
        "regio-holland-rijnland",
        "government",
        "other",
        "Leiden",
        "",
    ),
    ("Gemeente Leiden", "Gem. Leiden", "gemeente-leiden", "government", "other", "Leiden", ""),
]

FUNDER = (
    "Regionaal Investeringsfonds mbo",
    "RIF",
    "regionaal-investeringsfonds-mbo",
    "funder",
    "not_counted",
    "",
    "",
)

# Applied for on 30 June 2022, granted in October 2022; four years. The start date is the
# consortium's to confirm: coordinators edit it in the admin.
# The summary names no number of partners: the pages say how many there are from the data.
PROJECT: ProjectSeed = {
    "name": "Centrum voor Innovatief Vakmanschap Bio Sciences",
    "name_en": "Centre for Innovative Craftsmanship Bio Sciences",
    "short_name": "CIV Bio Sciences",
    "summary": (
        "Het Leiden Bio Science Park maakt serieus werk van voldoende en goed opgeleid "
        "mbo-talent. Partners uit onderwijs, werkveld, ondersteunende organisaties en "
        "overheid zorgen dat het technisch mbo en het werkveld op het LBSP goed op elkaar "
        "blijven aansluiten."
    ),
    "summary_en": (
        "The Leiden Bio Science Park is serious about enough well-trained vocational talent. "
        "Partners from education, industry, support organisations and government keep "
        "technical vocational education (mbo) and the work field at the park matched."
    ),
    "applied_on": date(2022, 6, 30),
    "start_date": date(2023, 1, 1),
    "end_date": date(2026, 12, 31),
    "grant_amount": Decimal("746416.00"),
    "total_budget": Decimal("2239248.00"),
    "hourly_rate": Decimal("73.00"),
}

LINES: list[LineSeed] = [
    {
        "number": 1,
        "slug": "flexibel-en-hybride-onderwijs",
        "name": "Flexibel en hybride onderwijs",
        "name_en": "Flexible and hybrid education",
        "summary": (
            "Leerwerktrajecten, maatwerkmodules, gastlessen en praktijkopdrachten bij partners."
        ),
        "summary_en": (
            "Learning-work tracks, custom modules, guest lessons and practicum assignments "
            "at partners."
        ),
        "description": (
            "Een antwoord op de kwalitatieve en kwantitatieve mismatch tussen onderwijs en "
            "werkveld: leerwerktrajecten, maatwerkmodules, gastlessen en praktijkopdrachten bij "
            "partners, scholing van docenten en praktijkopleiders en om-, bij- en nascholing "
            "voor werknemers."
        ),
        "description_en": (
            "An answer to the qualitative and quantitative mismatch between education and the "
            "work field: learning-work tracks, custom modules, guest lessons and practicum "
            "assignments at partners, training for teachers and workplace trainers, and "
            "lifelong-learning courses for employees."
        ),
    },
    {
        "number": 2,
        "slug": "onderzoek-in-practoraat",
        "name": "Onderzoek in practoraat",
        "name_en": "Research in the practoraat",
        "summary": "Praktijkgericht onderzoek door practor, docenten, studenten en werkveld.",
        "summary_en": (
            "Practice-oriented research by a practor, teachers, students and the work field."
        ),
        "description": (
            "Een practor zet met het werkveld, docent-onderzoekers en studenten praktijkgericht "
            "onderzoek op, in twee sporen: ontwikkelingen in het werkveld en "
            "onderwijsinnovatie. Zo groeit een innovatiecultuur binnen de school."
        ),
        "description_en": (
            "A practor sets up practice-oriented research with the work field, "
            "teacher-researchers and students, in two tracks: developments in the work field "
            "and educational innovation, building an innovation culture inside the school."
        ),
    },
    {
        "number": 3,
        "slug": "versterken-positief-imago",
        "name": "Versterken positief imago beroep en sector",
        "name_en": "A positive image of the profession and the sector",
        "summary": "Meer instroom en doorstroom, en meer bekendheid van mbo en sector.",
        "summary_en": "More inflow and flow-through, and more awareness of mbo and the sector.",
        "description": (
            "Creatieve inspanningen tegen de dalende instroom, voor meer doorstroom naar het "
            "LBSP en meer bekendheid van het mbo en de sector: open dagen, schoolbezoeken, "
            "bedrijfsrondleidingen, campagnes en evenementen voor vo-leerlingen en "
            "professionals."
        ),
        "description_en": (
            "Creative efforts against falling inflow, for more graduates moving on to the park "
            "and more awareness of mbo and the sector: open days, school visits, company tours, "
            "campaigns and events for secondary-school pupils and professionals."
        ),
    },
]
