"""Names on the bundled lists with the entity each must find, and names on no list: shared by
the batch and Spark tests."""

LISTED = {
    "IEMZ Kupol": "us_ofac_sdn:46431",
    "Bank Melli Iran": "us_ofac_sdn:25578",
    "Kim Jong Un": "us_ofac_sdn:20157",
    "Tornado Cash": "us_ofac_sdn:39796",
    "Алмаз-Антей": "au_dfat_sanctions:3018",
}
UNLISTED = ("Margaret Thistlewood", "Blue Meadow Bakery Ltd", "Harold Pemberton-Smythe")
