"""Where each list is published. One entry per dataset, the format our parser reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfficialSource:
    dataset: str
    url: str
    format: str
    filename: str
    title: str
    note: str | None = None


OFFICIAL_SOURCES: dict[str, OfficialSource] = {
    s.dataset: s
    for s in [
        OfficialSource(
            "us_ofac_sdn",
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML",
            "ofac_xml",
            "SDN.XML",
            "OFAC Specially Designated Nationals list",
        ),
        OfficialSource(
            "us_ofac_cons",
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML",
            "ofac_xml",
            "consolidated.xml",
            "OFAC non-SDN Consolidated Sanctions List",
        ),
        OfficialSource(
            "un_sc_sanctions",
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            "un_xml",
            "consolidated.xml",
            "UN Security Council Consolidated List",
        ),
        OfficialSource(
            "gb_fcdo_sanctions",
            "https://docs.fcdo.gov.uk/docs/UK-Sanctions-List.ods",
            "uk_fcdo",
            "UK_Sanctions_List.ods",
            "FCDO UK Sanctions List",
        ),
        OfficialSource(
            "gb_hmt_sanctions",
            "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
            "ofsi_csv",
            "ConList.csv",
            "OFSI Consolidated List (HM Treasury)",
            note="OFSI announced the retirement of this list in favour of the FCDO UK list",
        ),
        OfficialSource(
            "ca_dfatd_sema_sanctions",
            "https://www.international.gc.ca/world-monde/assets/office_docs/"
            "international_relations-relations_internationales/sanctions/sema-lmes.xml",
            "ca_sema",
            "sema-lmes.xml",
            "Canada Consolidated Autonomous Sanctions List",
        ),
        OfficialSource(
            "au_dfat_sanctions",
            "https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",
            "au_dfat",
            "regulation8_consolidated.xlsx",
            "Australia DFAT Consolidated List",
        ),
        OfficialSource(
            "us_trade_csl",
            "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
            "us_csl",
            "consolidated.csv",
            "US Consolidated Screening List (incl. BIS Entity List)",
        ),
        OfficialSource(
            "eu_fsf",
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content",
            "eu_fsf",
            "eu_fsf.xml",
            "EU Financial Sanctions Files",
            note="the EU requires a token query parameter: set SANCTRACE_EU_FSF_TOKEN",
        ),
    ]
}
