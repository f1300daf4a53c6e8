"""The naming patterns of issue 10 through resolve(): each group is one organisation, and the bodies
that must stay apart (siblings a word apart, a parent and its child, councils a letter apart) do."""

from __future__ import annotations

import pytest

from resolver.model import EntityRecord as R
from resolver.pipeline import resolve

GROUPS = [
    [
        "DFAT - Australian Passport Office",
        "Australian Passport Office (DFAT)",
        "Australian Passport Office, DFAT",
        "Australian Passport Office",
    ],
    [
        "Foreign Affairs and Trade, Department of",
        "Department of Foreign Affairs and Trade",
        "Dept of Foreign Affairs & Trade",
        "DFAT",
    ],
    ["Bureau of Meteorology The", "The Bureau of Meteorology", "BUREAU OF METEOROLOGY"],
    [
        "HM Revenue & Customs",
        "H.M. Revenue and Customs",
        "Her Majesty's Revenue and Customs",
        "His Majesty's Revenue & Customs",
        "HMRC",
    ],
    [
        "Commission for Communications Regulation (ComReg)",
        "Comreg",
        "COMMISSION FOR COMMUNICATIONS REGULATION",
    ],
    ["Australian Securities and Investments Commission", "Asic", "(ASIC)"],
    ["Australian Agency for International Development (AusAID)", "AusAID"],
    ["Siemens Aktiengesellschaft", "Siemens AG", "SIEMENS AKTIENGESELSCHAFT"],
    ["Gazprom Open Joint Stock Company", "OJSC Gazprom", "Open Joint Stock Company Gazprom"],
    ["LIMITED LIABILITY COMPANY ROMASHKA", "Romashka LLC"],
    ["Renault Société Anonyme", "Renault SA"],
    ["1st National Bank of Leeds", "First National Bank of Leeds"],
    ["Mac Donald Engineering", "MacDonald Engineering"],
    ["UK Debt Management Office", "United Kingdom Debt Management Office"],
    ["US Geological Survey", "United States Geological Survey", "USA Geological Survey"],
    ["National Assn of Engineers", "National Association of Engineers", "Natl Association of Engineers"],
    ["Twelve Stars Ltd", "12 Stars Limited"],
    ["The Pensions Regulator", "TPR"],  # the article counts in the acronym
    ["Peak District National Park Authority", "PDNP"],  # the kind of body left out
    ["Medicines and Healthcare products Regulatory Agency", "MHRA"],  # a word in lower case left out
    ["Information Services Division (Scotland)", "Information Services Division Scotland"],
    ["UK National Screening Committee", "UK NSC"],  # in capitals throughout, behind a country code
    ["Estates Office (DFAT)"],  # names its parent: not DFAT
    ["Road Safety Board"],
    ["Rail Safety Board"],
    ["Maritime Safety Board"],
    ["Leeds North CCG"],
    ["Leeds South CCG"],
    ["Stafford Borough Council"],
    ["Trafford Borough Council"],
    ["Department of Health"],
    ["Department of Health Estates Office"],
    # designators of bilingual public bodies read as the English they translate
    ["Cyngor Gwynedd", "Gwynedd Council", "Gwynedd"],
    ["Cyngor Sir Powys", "Powys County Council"],
    ["Comhairle nan Eilean Siar", "Eilean Siar"],
]


def test_each_group_is_one_organisation_and_no_other() -> None:
    names = [n for g in GROUPS for n in g]
    truth = [k for k, g in enumerate(GROUPS) for _ in g]
    res = resolve([R(f"{i:03d}", n) for i, n in enumerate(names)])
    labels = [res.org_of[f"{i:03d}"] for i in range(len(names))]
    for k, group in enumerate(GROUPS):
        ids = {labels[i] for i, t in enumerate(truth) if t == k}
        assert len(ids) == 1, f"split: {group}"
        strangers = [names[i] for i, t in enumerate(truth) if t != k and labels[i] in ids]
        assert not strangers, f"{group} merged with {strangers}"


@pytest.mark.parametrize("order", [1, -1])
def test_seed_list_gives_the_five_organisations(order: int) -> None:
    seed = [
        "NHS, UK Health Agency",
        "NHS",
        "The N.H.S.",
        "National Health Service (NHS)",
        "National Health Service",
        "NHS England",
        "UK Health Security Agency",
        "NHS As A Platform",
        "NHSX",
    ][::order]
    res = resolve([R(str(i), n) for i, n in enumerate(seed)])
    by_name = {n: res.org_of[str(i)] for i, n in enumerate(seed)}
    nhs = {by_name[n] for n in seed[:5]} if order == 1 else {by_name[n] for n in seed[-5:]}
    assert len(nhs) == 1
    assert len(set(by_name.values())) == 5
